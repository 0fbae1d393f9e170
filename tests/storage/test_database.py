"""The database file: schema round trip, migrations, pragmas, modes, refusal of bad files."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from mentordesk.errors import CorruptDatabase, NewerDatabaseVersion, NotAMentorDeskDatabase
from mentordesk.storage import backup
from mentordesk.storage.database import APPLICATION_ID, Database, open_database
from mentordesk.storage.migrations import HEAD, KNOWN_REVISIONS
from mentordesk.storage.schema import (
    ActionItem,
    Base,
    BoardColumn,
    Goal,
    Mentee,
    Milestone,
    Note,
    ResourceLink,
    Session,
    Tag,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_schema_round_trip(db: Database, db_path: Path) -> None:
    start = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    with db.transaction() as s:
        todo = s.scalars(select(BoardColumn).where(BoardColumn.status_key == "not_started")).one()
        mentee = Mentee(name="Zhang Wei 张伟", email="wei@example.org", timezone="Asia/Kathmandu",
                        cadence_interval=1, cadence_unit="months",
                        meeting_link="https://meet.google.com/abc-defg-hij",
                        tags=[Tag(name="design")])
        mentee.resources.append(ResourceLink(title="Plan", url="https://docs.google.com/x"))
        s.add(mentee)
        s.flush()
        goal = Goal(mentee_id=mentee.id, column_id=todo.id, title="Ship 3 portfolio pieces",
                    target_value=3, target_unit="pieces", current_value=1,
                    due_date=date(2026, 5, 1))
        goal.milestones.append(Milestone(title="Draft", done=True))
        s.add(goal)
        session = Session(mentee_id=mentee.id, start_utc=start, timezone="Europe/Berlin",
                          duration_minutes=45, rrule="FREQ=WEEKLY;INTERVAL=2", agenda="- cv")
        s.add(session)
        s.flush()
        s.add(Note(mentee_id=mentee.id, session_id=session.id, body="# Notes\n**bold**"))
        s.add(ActionItem(mentee_id=mentee.id, session_id=session.id, goal_id=goal.id,
                         text="Send CV"))
    db.close()
    reopened = open_database(db_path)
    with reopened.reader() as s:
        m = s.scalars(select(Mentee)).one()
        assert m.name == "Zhang Wei 张伟"
        assert [t.name for t in m.tags] == ["design"]
        assert m.resources[0].url == "https://docs.google.com/x"
        assert m.created_at.tzinfo is not None and m.updated_at >= m.created_at
        sess = s.scalars(select(Session)).one()
        assert sess.start_utc == start and sess.start_utc.tzinfo == UTC
        assert sess.rrule == "FREQ=WEEKLY;INTERVAL=2"
        goal_row = s.scalars(select(Goal)).one()
        assert goal_row.milestones[0].done is True
        assert goal_row.due_date == date(2026, 5, 1)
        assert s.scalars(select(Note)).one().body == "# Notes\n**bold**"
        assert s.scalars(select(ActionItem)).one().goal_id == goal_row.id
    reopened.close()


def test_naive_datetimes_are_rejected(db: Database) -> None:
    with pytest.raises(Exception, match="naive"), db.transaction() as s:
        s.add(Mentee(name="x", snoozed_until=datetime(2026, 1, 1)))


def test_pragmas(db: Database) -> None:
    with db.engine.connect() as conn:
        def pragma(name: str) -> object:
            return conn.exec_driver_sql(f"PRAGMA {name}").scalar()

        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        assert pragma("secure_delete") == 1
        assert pragma("busy_timeout") == 5000
        assert pragma("application_id") == APPLICATION_ID


def test_file_modes_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = tmp_path / "fresh" / "m.sqlite3"
        database = open_database(path)
        with database.transaction() as s:
            s.add(Mentee(name="A"))
        assert mode(path.parent) == 0o700
        assert mode(path) == 0o600
        for side in ("-wal", "-shm"):
            assert mode(Path(f"{path}{side}")) == 0o600
        made = database.backup()
        assert mode(made) == 0o600
        assert mode(made.parent) == 0o700
        database.close()
    finally:
        os.umask(old)


def test_foreign_keys_cascade(db: Database) -> None:
    with db.transaction() as s:
        m = Mentee(name="A")
        s.add(m)
        s.flush()
        s.add(Note(mentee_id=m.id, body="secret"))
    with db.transaction() as s:
        s.delete(s.scalars(select(Mentee)).one())
    with db.reader() as s:
        assert s.scalars(select(Note)).all() == []


def test_secure_delete_removes_text_from_file(db: Database, db_path: Path) -> None:
    canary = "canary-phrase-" + "q" * 40
    with db.transaction() as s:
        m = Mentee(name="A")
        s.add(m)
        s.flush()
        s.add(Note(mentee_id=m.id, body=canary))
    with db.transaction() as s:
        s.delete(s.scalars(select(Note)).one())
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    assert canary.encode() not in db_path.read_bytes()


def test_migrations_form_one_line_and_match_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    import mentordesk.storage.database as database_module

    cfg = Config()
    cfg.set_main_option("script_location",
                        str(Path(database_module.__file__).with_name("migrations")))
    script = ScriptDirectory.from_config(cfg)
    assert script.get_heads() == [HEAD]
    chain = [rev.revision for rev in script.walk_revisions()]
    assert list(reversed(chain)) == list(KNOWN_REVISIONS)


def test_migration_from_empty_file_matches_models(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    path = tmp_path / "empty.sqlite3"
    path.touch(mode=0o600)
    open_database(path).close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        columns = conn.exec_driver_sql("SELECT name FROM board_columns ORDER BY position").all()
    engine.dispose()
    # FTS shadow tables are created by raw SQL in migrations and are not models.
    diff = [d for d in diff if not (d[0] == "remove_table" and "fts" in d[1].name)]
    assert diff == []
    assert [c[0] for c in columns] == ["Not started", "In progress", "Blocked", "Done"]


def _downgrade_marker(path: Path, revision: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num=?", (revision,))
    conn.commit()
    conn.close()


def test_refuses_file_from_newer_version(db_path: Path) -> None:
    open_database(db_path).close()
    _downgrade_marker(db_path, "9999_future")
    before = db_path.read_bytes()
    with pytest.raises(NewerDatabaseVersion) as info:
        open_database(db_path)
    assert str(db_path) in info.value.message
    assert db_path.read_bytes() == before


def test_refuses_non_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"these are my plain text notes, not a database\n" * 20)
    before = path.read_bytes()
    with pytest.raises(NotAMentorDeskDatabase) as info:
        open_database(path)
    assert str(path) in info.value.message
    assert path.read_bytes() == before


def test_refuses_foreign_sqlite_database(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, blob BLOB)")
    conn.commit()
    conn.close()
    with pytest.raises(NotAMentorDeskDatabase, match="another program"):
        open_database(path)


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = 4096
    # Smash the interior of every page after the first two: the header stays valid.
    for offset in range(page * 2 + 100, len(data), page):
        data[offset:offset + 600] = os.urandom(600)
    path.write_bytes(bytes(data))


def test_refuses_corrupt_file_and_offers_backups(db_path: Path) -> None:
    from mentordesk.services.demo import generate_demo

    database = open_database(db_path)
    generate_demo(database, mentees=30)
    made = database.backup()
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    _corrupt(db_path)
    damaged = db_path.read_bytes()
    with pytest.raises(CorruptDatabase) as info:
        open_database(db_path)
    assert str(db_path) in info.value.message
    assert info.value.backups == [made]
    assert db_path.read_bytes() == damaged
    moved = backup.restore_backup(made, db_path)
    assert moved is not None and moved.read_bytes() == damaged
    restored = open_database(db_path)
    with restored.reader() as s:
        assert len(s.scalars(select(Mentee)).all()) == 30
    restored.close()


def test_backup_before_migration(db_path: Path) -> None:
    from mentordesk.storage.database import run_migrations

    db_path.parent.mkdir(parents=True)
    db_path.touch(mode=0o600)
    run_migrations(db_path, target=KNOWN_REVISIONS[0])
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO mentees (name, timezone, cadence_interval, cadence_unit, background, "
        "archived, created_at, updated_at) VALUES ('Before', 'UTC', 2, 'weeks', 'old', 0, "
        "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
    )
    conn.commit()
    conn.close()
    assert backup.list_backups(db_path) == []
    migrated = open_database(db_path)
    found = backup.list_backups(db_path)
    assert [b.reason for b in found] == ["pre-migration"]
    check = sqlite3.connect(found[0].path)
    assert check.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    assert check.execute("SELECT name FROM mentees").fetchall() == [("Before",)]
    check.close()
    with migrated.engine.connect() as conn2:
        assert conn2.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD
        hits = conn2.exec_driver_sql(
            "SELECT rowid FROM mentees_fts WHERE mentees_fts MATCH 'before'").all()
        assert len(hits) == 1  # existing rows were indexed by the migration
    migrated.close()


def test_fts_follows_edits(db: Database) -> None:
    with db.transaction() as s:
        m = Mentee(name="Ada")
        s.add(m)
        s.flush()
        s.add(Note(mentee_id=m.id, body="We discussed negotiating salaries"))
    with db.engine.connect() as conn:
        def hits(q: str) -> int:
            return len(conn.exec_driver_sql(
                "SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?", (q,)).all())

        assert hits("negotiate") == 1  # porter stemming
        conn.exec_driver_sql("UPDATE notes SET body='portfolio review'")
        assert hits("negotiate") == 0 and hits("portfolio") == 1
        conn.exec_driver_sql("DELETE FROM notes")
        assert hits("portfolio") == 0
        conn.commit()


def test_backups_rotate_and_are_verified(db: Database, db_path: Path) -> None:
    with db.transaction() as s:
        s.add(Mentee(name="A"))
    made = [db.backup() for _ in range(12)]
    kept = backup.list_backups(db_path)
    assert len(kept) == backup.KEEP_BACKUPS
    assert kept[0].path == made[-1]
    assert all(backup.check_file(b.path) == [] for b in kept)
    assert not backup.backup_due(db_path)


def test_backup_includes_wal_content(db: Database, db_path: Path) -> None:
    """A file copy would miss rows still in the -wal; the backup API must not."""
    with db.transaction() as s:
        for i in range(200):
            s.add(Mentee(name=f"M{i}"))
    assert Path(f"{db_path}-wal").stat().st_size > 0
    made = db.backup()
    conn = sqlite3.connect(made)
    assert conn.execute("SELECT count(*) FROM mentees").fetchone()[0] == 200
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
