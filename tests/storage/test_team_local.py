"""Global ids on replicated rows (migration 0004) and the team outbox written by triggers in
the same transaction as each edit. Real SQLite files; no server needed."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from mentordesk.storage import team_local as local
from mentordesk.storage.database import Database, open_database, run_migrations
from mentordesk.storage.schema import (
    BoardColumn,
    Goal,
    Mentee,
    Milestone,
    Note,
    SessionGoal,
    Tag,
)
from mentordesk.storage.schema import Session as SessionRow
from mentordesk.storage.team_tables import TABLES, builtin_column_uid


def _queue(db: Database) -> dict[tuple[str, str], str]:
    with db.reader() as s:
        return {(p.table_name, p.uid): p.op for p in local.pending(s)}


def test_migration_gives_existing_rows_their_uids(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    path.touch(mode=0o600)
    run_migrations(path, "0003")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("INSERT INTO mentees (name, timezone, cadence_interval, cadence_unit, "
                 "background, archived, created_at, updated_at) VALUES "
                 "('Ada', 'UTC', 2, 'weeks', '', 0, '2026-01-01', '2026-01-01'), "
                 "('Bo', 'UTC', 2, 'weeks', '', 0, '2026-01-01', '2026-01-01')")
    conn.execute("INSERT INTO notes (mentee_id, body, private, created_at, updated_at) "
                 "VALUES (1, 'kept', 0, '2026-01-01', '2026-01-01')")
    conn.commit()
    conn.close()
    db = open_database(path)  # migrates to the head, 0004 included
    try:
        with db.reader() as s:
            uids = list(s.scalars(select(Mentee.uid)))
            note_uid, body = s.execute(select(Note.uid, Note.body)).one()
            columns = {c.status_key: c.uid for c in s.scalars(select(BoardColumn))
                       if c.status_key is not None}
        assert len(set(uids)) == 2 and all(u and len(u) == 32 for u in uids)
        assert note_uid and body == "kept"
        # The built-in columns have the same ids on every desk.
        assert columns == {k: builtin_column_uid(k) for k in columns}
        assert _queue(db) == {}  # not in a team: nothing is queued
    finally:
        db.close()


def test_new_rows_get_uids_from_the_orm_and_from_raw_sql(db: Database) -> None:
    with db.transaction() as s:
        s.add(Mentee(name="Ada"))
    conn = sqlite3.connect(db.path)
    conn.execute("INSERT INTO mentees (name, timezone, cadence_interval, cadence_unit, "
                 "background, archived, created_at, updated_at) VALUES "
                 "('Raw', 'UTC', 2, 'weeks', '', 0, '2026-01-01', '2026-01-01')")
    conn.commit()
    conn.close()
    with db.reader() as s:
        uids = list(s.scalars(select(Mentee.uid)))
    assert len(uids) == 2 and all(u and len(u) == 32 for u in uids)
    assert len(set(uids)) == 2


def test_every_replicated_table_has_a_uid(db: Database) -> None:
    conn = sqlite3.connect(db.path)
    for spec in TABLES:
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({spec.name})")}
        assert "uid" in columns, spec.name
        assert set(spec.local_columns) <= columns, spec.name
    conn.close()


def test_edits_queue_themselves_in_the_same_transaction(db: Database) -> None:
    with db.transaction() as s:
        local.start_capture(s)
    with db.transaction() as s:
        m = Mentee(name="Ada")
        s.add(m)
        s.flush()
        goal = Goal(mentee_id=m.id, column_id=1, title="Ship")
        s.add(goal)
        s.flush()
        s.add(Milestone(goal_id=goal.id, title="first"))
        s.add(Note(mentee_id=m.id, body="hello"))
    queued = _queue(db)
    assert sorted(t for t, _u in queued) == ["goals", "mentees", "milestones", "notes"]
    # A rolled-back edit queues nothing.
    try:
        with db.transaction() as s:
            s.scalars(select(Note)).one().body = "never saved"
            raise RuntimeError("abandoned")
    except RuntimeError:
        pass
    with db.transaction() as s:
        local.clear_pending(s, local.pending(s))
    assert _queue(db) == {}
    # Local-only columns (kept by triggers or the calendar sync) are not team changes.
    with db.transaction() as s:
        s.scalars(select(Mentee)).one().health_notified_on = None
        s.scalars(select(Mentee)).one().last_held_utc = None
    assert _queue(db) == {}


def test_cascades_tags_and_session_goals_are_seen(db: Database) -> None:
    with db.transaction() as s:
        m = Mentee(name="Ada")
        s.add(m)
        s.flush()
        goal = Goal(mentee_id=m.id, column_id=1, title="Ship")
        session = SessionRow(mentee_id=m.id, start_utc=datetime(2026, 3, 2, 9, tzinfo=UTC))
        s.add_all([goal, session])
        s.flush()
        s.add(Note(mentee_id=m.id, session_id=session.id, body="x"))
        mentee_uid, goal_uid, session_uid = m.uid, goal.uid, session.uid
        m_id, goal_id, session_id = m.id, goal.id, session.id
    with db.transaction() as s:
        local.start_capture(s)
    with db.transaction() as s:
        tag = Tag(name="python")
        s.add(tag)
        s.flush()
        mentee = s.get(Mentee, m_id)
        assert mentee is not None
        mentee.tags.append(tag)
        s.add(SessionGoal(session_id=session_id, goal_id=goal_id))
    assert _queue(db) == {("mentees", mentee_uid): "upsert", ("sessions", session_uid): "upsert"}
    with db.transaction() as s:
        s.delete(s.get(Mentee, m_id))
    queued = {(t, str(u)): op for (t, u), op in _queue(db).items()}
    assert queued[("mentees", str(mentee_uid))] == "delete"
    assert queued[("goals", str(goal_uid))] == "delete"
    assert queued[("sessions", str(session_uid))] == "delete"
    assert sum(1 for (t, _u), op in queued.items() if t == "notes" and op == "delete") == 1
