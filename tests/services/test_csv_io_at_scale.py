"""CSV import at scale: matching through indexes, the same outcome as
importing row by row, cancelling, and mentees changed by someone else while an import is
prepared. The two-process tests (a note saved during an import, a killed import) are in
tests/hostile/test_big_import.py."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

import mentordesk.services.csv_io as csv_io
from mentordesk.services.csv_io import ImportCancelled, ImportReport, import_mentees_csv
from mentordesk.services.mentees import MenteeService, ResourceInput, apply_input, current_input
from mentordesk.storage import mentee_import
from mentordesk.storage import mentees_repo as repo
from mentordesk.storage.database import Database, open_database
from mentordesk.storage.schema import Mentee, MenteeTag, Tag

HEADER = "name,email,timezone,cadence,meeting_link,tags,notes\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def rows(n: int, start: int = 0) -> str:
    return "".join(f"Mentee {i},m{i}@example.org,UTC,weekly,,t{i % 7},notes {i}\n"
                   for i in range(start, start + n))


State = tuple[tuple[Any, ...], ...]


def state(db: Database) -> tuple[State, State]:
    """Every mentee's imported fields and tags, and the tag table: what an import changes."""
    with db.reader() as s:
        tags: dict[int, list[str]] = {}
        for mentee_id, name in s.execute(select(MenteeTag.mentee_id, Tag.name)
                                         .join(Tag, Tag.id == MenteeTag.tag_id)):
            tags.setdefault(mentee_id, []).append(name)
        mentees = tuple(
            (m.id, m.name, m.email, m.timezone, m.cadence_interval, m.cadence_unit,
             m.meeting_link, m.background, tuple(sorted(tags.get(m.id, []))))
            for m in s.scalars(select(Mentee).order_by(Mentee.id)))
        names = tuple((t.name,) for t in s.scalars(select(Tag).order_by(Tag.name)))
    return mentees, names


# -- the indexes ---------------------------------------------------------------------------

def test_matching_probes_the_key_indexes_instead_of_scanning(db: Database) -> None:
    with db.own_connection() as conn:
        mentee_import.ImportStaging(conn)
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {mentee_import._MATCHED}"))
    assert "ix_mentees_name_key" in plan and "ix_mentees_email_key" in plan, plan
    assert "SCAN mentees" not in plan, plan
    with db.reader() as s:
        for column in (Mentee.email_key, Mentee.name_key):
            sql = str(select(Mentee.id).where(column == "x").order_by(Mentee.id).limit(1)
                      .compile(compile_kwargs={"literal_binds": True}))
            detail = " ".join(str(r[-1]) for r in s.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            assert f"USING INDEX ix_mentees_{column.key}" in detail, detail


def test_the_keys_fold_exactly_as_sqlite_lower_does(db: Database) -> None:
    with db.transaction() as s:
        s.add(Mentee(name="ÜBER Ölmann", email="Ada@Example.ORG"))
    with db.reader() as s:
        row = s.execute(select(Mentee.name_key, Mentee.email_key)).one()
        assert tuple(row) == (repo.match_key("ÜBER Ölmann"), repo.match_key("Ada@Example.ORG"))
        assert repo.find_by_email(s, " ada@example.org ") is not None
        assert repo.find_by_name(s, "über ölmann") is None  # lower() folds ASCII only
        assert repo.find_by_name(s, "Über ölmann".replace("ö", "Ö")) is not None


def test_a_non_ascii_name_reimports_without_a_duplicate(db: Database, tmp_path: Path) -> None:
    # Matching used to compare SQLite's lower() (ASCII only) with Python's lower(): a name
    # starting with Ü never matched itself, so each import added the mentee again.
    path = write(tmp_path / "u.csv", "name,tags\nÜber Ölmann,a\nZoë,b\n")
    assert import_mentees_csv(db, path).created == 2
    again = import_mentees_csv(db, path)
    assert (again.created, again.updated) == (0, 2)
    with db.reader() as s:
        assert len(list(s.scalars(select(Mentee)))) == 2


# -- the same outcome as importing row by row ----------------------------------------------

def _reference_write(db: Database, path: Path, parsed: list[Any], report: ImportReport,
                     step: Any) -> None:
    """The import as it was before it was staged in batches: one ORM row at a time, each
    row seeing what the rows above it did. Kept here as the definition of what an import
    does."""
    with db.transaction() as s:
        for item in parsed:
            data = item.data
            found: Mentee | None
            if data.email:
                found = repo.find_by_email(s, data.email)
                if found is None:
                    named = repo.find_by_name(s, data.name)
                    found = named if named is not None and not named.email else None
            else:
                found = repo.find_by_name(s, data.name)
            if found is None:
                mentee = Mentee(name=data.name)
                s.add(mentee)
                apply_input(s, mentee, data, fields=set(csv_io.IMPORTED_FIELDS))
                s.flush()
                report.created += 1
                report.created_ids.append(mentee.id)
            else:
                report.updated_before.setdefault(found.id, current_input(s, found))
                apply_input(s, found, data, fields=item.fields)
                report.updated += 1
        s.flush()
        repo.delete_orphan_tags(s)


_NAMES = ["Ada", "ADA", "ada", "Über", "über", "Bo", "Zoë", "ZOË"]
_EMAILS = ["", "", "ada@x.org", "ADA@x.org", "bo@x.org", "zoë@x.org"]
_TAGS = ["", "design", "Design", "data; design", "Straße", "STRASSE", "über"]
_ZONES = ["", "UTC", "Europe/Berlin"]


@st.composite
def desks_and_files(draw: st.DrawFn) -> tuple[list[tuple[str, str, str]], str]:
    existing = draw(st.lists(st.tuples(st.sampled_from(_NAMES), st.sampled_from(_EMAILS),
                                       st.sampled_from(_TAGS)), max_size=5))
    columns = ["name", *draw(st.lists(st.sampled_from(["email", "tags", "timezone", "notes"]),
                                      unique=True))]
    lines = [",".join(columns)]
    for _ in range(draw(st.integers(0, 8))):
        cells = {"name": draw(st.sampled_from(_NAMES)), "email": draw(st.sampled_from(_EMAILS)),
                 "tags": draw(st.sampled_from(_TAGS)), "timezone": draw(st.sampled_from(_ZONES)),
                 "notes": draw(st.sampled_from(["", "hello", "bye"]))}
        lines.append(",".join(f'"{cells[c]}"' for c in columns))
    return existing, "\n".join(lines) + "\n"


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=desks_and_files())
def test_the_outcome_is_that_of_importing_row_by_row(
        case: tuple[list[tuple[str, str, str]], str], tmp_path_factory: pytest.TempPathFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    existing, text = case
    folder = tmp_path_factory.mktemp("same")
    base = open_database(folder / "base.sqlite3")
    service = MenteeService(base)
    for name, email, tags in existing:
        from mentordesk.services.mentees import MenteeInput, split_tags

        service.create(MenteeInput(name=name, email=email, tags=split_tags(tags)))
    base.close()
    csv_path = write(folder / "in.csv", text)
    shutil.copy(folder / "base.sqlite3", folder / "ref.sqlite3")
    shutil.copy(folder / "base.sqlite3", folder / "new.sqlite3")
    new, ref = open_database(folder / "new.sqlite3"), open_database(folder / "ref.sqlite3")
    try:
        got = import_mentees_csv(new, csv_path, skip_invalid=True, default_zone="UTC")
        with monkeypatch.context() as m:
            m.setattr(csv_io, "_write", _reference_write)
            want = import_mentees_csv(ref, csv_path, skip_invalid=True, default_zone="UTC")
        assert state(new) == state(ref)
        assert (got.created, got.updated, got.created_ids) == (
            want.created, want.updated, want.created_ids)
        # Undo needs the mentees the import changed, as they were.
        for mentee_id, before in got.updated_before.items():
            assert want.updated_before[mentee_id] == before
    finally:
        new.close()
        ref.close()


# -- cancelling ------------------------------------------------------------------------------

@pytest.mark.parametrize("phase", ["Reading", "Matching", "Preparing"])
def test_cancelling_in_any_phase_imports_nothing(db: Database, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 phase: str) -> None:
    monkeypatch.setattr(csv_io, "BATCH_ROWS", 50)
    import_mentees_csv(db, write(tmp_path / "first.csv", HEADER + rows(30)))
    before = state(db)
    seen: list[str] = []
    path = write(tmp_path / "big.csv", HEADER + rows(500, start=20))
    with pytest.raises(ImportCancelled, match="nothing was imported"):
        import_mentees_csv(db, path, progress=lambda d, t, what: seen.append(what),
                           cancelled=lambda: any(w.startswith(phase) for w in seen))
    assert state(db) == before
    assert db.quick_check() == []
    # The file is not left locked or changed: the same import then goes through.
    report = import_mentees_csv(db, path)
    assert (report.created, report.updated) == (490, 10)


def test_once_saving_has_begun_the_import_finishes(db: Database, tmp_path: Path) -> None:
    # The last step is one short transaction: it is not interrupted half way.
    seen: list[str] = []
    report = import_mentees_csv(db, write(tmp_path / "in.csv", HEADER + rows(20)),
                                progress=lambda d, t, what: seen.append(what),
                                cancelled=lambda: any(w.startswith("Saving") for w in seen))
    assert report.created == 20 and seen[-1].startswith("Saving")


def test_progress_covers_each_phase_in_order(db: Database, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_io, "BATCH_ROWS", 100)
    seen: list[tuple[int, int, str]] = []
    import_mentees_csv(db, write(tmp_path / "p.csv", HEADER + rows(450)),
                       progress=lambda d, t, w: seen.append((d, t, w)))
    phases = [w.split()[0] for _d, _t, w in seen]
    assert [p for i, p in enumerate(phases) if i == 0 or phases[i - 1] != p] == [
        "Reading", "Matching", "Preparing", "Saving"]
    assert [d for d, _t, w in seen if w.startswith("Preparing")] == [0, 100, 200, 300, 400]
    assert all(0 <= d <= t for d, t, _w in seen)


# -- someone else changes the mentees meanwhile --------------------------------------------

def _other_writer(db: Database) -> sqlite3.Connection:
    conn = sqlite3.connect(db.path, isolation_level=None, timeout=0)
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def _when_preparing(action: Any) -> Any:
    """A progress callback that runs ``action`` once, the first time staging starts."""
    done: list[bool] = []

    def progress(_d: int, _t: int, what: str) -> None:
        if what.startswith("Preparing") and not done:
            done.append(True)
            action()
    return progress


@pytest.mark.parametrize("change", ["delete", "rename", "add same email", "retag", "edit"])
def test_mentees_changed_while_the_import_was_prepared_are_matched_again(
        db: Database, tmp_path: Path, change: str) -> None:
    service = MenteeService(db)
    from mentordesk.services.mentees import MenteeInput

    ada = service.create(MenteeInput(name="Ada", email="ada@x.org", tags=("old",),
                                     background="kept"))
    path = write(tmp_path / "in.csv", "name,email,tags\nAda,ada@x.org,new\nBo,,b\n")
    other = _other_writer(db)
    sql = {"delete": "DELETE FROM mentees WHERE id = ?",
           "rename": "UPDATE mentees SET email = 'someone@else.org' WHERE id = ?",
           "add same email": "INSERT INTO mentees (name, email, timezone, cadence_interval, "
                             "cadence_unit, background, archived, created_at, updated_at) "
                             "SELECT 'Ada Two', 'ADA@x.org', 'UTC', 1, 'weeks', '', 0, "
                             "created_at, updated_at FROM mentees WHERE id = ?",
           "retag": "DELETE FROM mentee_tags WHERE mentee_id = ?",
           "edit": "UPDATE mentees SET timezone = 'Asia/Tokyo' WHERE id = ?"}[change]
    report = import_mentees_csv(db, path, default_zone="UTC",
                                progress=_when_preparing(lambda: other.execute(sql, (ada.id,))))
    other.close()
    after = state(db)
    by_email = {m[2]: m for m in after[0]}
    if change in ("delete", "rename"):
        # The file's Ada is someone new now (had the first plan been kept, her row would
        # have updated a mentee that is gone, or someone with another address).
        assert report.created == 2 and report.updated == 0
        assert report.updated_before == {}
        if change == "rename":
            assert by_email["someone@else.org"][0] == ada.id != by_email["ada@x.org"][0]
    else:
        assert report.created == 1 and report.updated == 1
        assert by_email["ada@x.org"][0] == ada.id
    assert by_email["ada@x.org"][8] == ("new",)
    if change == "retag":
        assert report.updated_before[ada.id].tags == ()  # as it was when overwritten
    if change == "edit":
        # The undo record holds the mentee as it was when the import wrote over it.
        assert report.updated_before[ada.id].timezone == "Asia/Tokyo"
        assert by_email["ada@x.org"][3] == "Asia/Tokyo"  # the file has no zone column


def test_an_import_whose_mentees_keep_changing_still_finishes(
        db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mentordesk.services.mentees import MenteeInput

    ada = MenteeService(db).create(MenteeInput(name="Ada", email="ada@x.org"))
    other = _other_writer(db)
    attempts: list[str] = []

    def progress(_d: int, _t: int, what: str) -> None:
        if what.startswith("Preparing"):
            attempts.append(what)
            try:  # while the import holds the lock (its last try) this cannot get in
                other.execute("UPDATE mentees SET background = background || 'x' "
                              "WHERE id = ?", (ada.id,))
            except sqlite3.OperationalError:
                attempts.append("locked out")

    report = import_mentees_csv(db, write(tmp_path / "in.csv", "name,email,notes\n"
                                          "Ada,ada@x.org,from the file\n"), progress=progress)
    other.close()
    assert report.updated == 1
    assert attempts.count("locked out") == 1 and len(attempts) == 4
    assert MenteeService(db).get(ada.id).data.background == "from the file"


# -- undo ------------------------------------------------------------------------------------

def test_undoing_an_import_puts_back_what_it_changed_and_nothing_else(
        db: Database, tmp_path: Path) -> None:
    from mentordesk.services.mentees import MenteeInput

    service = MenteeService(db)
    ada = service.create(MenteeInput(name="Ada", email="ada@x.org", tags=("old",),
                                     resources=(ResourceInput("CV", "https://x.org/cv"),)))
    before = service.get(ada.id).data
    report = import_mentees_csv(db, write(tmp_path / "in.csv", "name,email,tags\n"
                                          "Ada,ada@x.org,new\nBo,bo@x.org,\n"))
    assert list(report.updated_before) == [ada.id] and len(report.created_ids) == 1
    service.delete_many(report.created_ids)
    service.update_many(report.updated_before, fields=csv_io.IMPORTED_FIELDS)
    assert service.get(ada.id).data == before
    # An unchanged re-import changes nothing, so it has nothing to undo.
    again = import_mentees_csv(db, write(tmp_path / "same.csv", "name,email,tags\n"
                                         "Ada,ada@x.org,old\n"))
    assert again.updated == 1 and again.updated_before == {}


def test_undoing_a_big_import_takes_a_few_statements_not_ten_per_mentee(
        db: Database, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import event

    from mentordesk.storage.schema import BoardColumn, Goal, Note, Session, SessionGoal

    report = import_mentees_csv(db, write(tmp_path / "big.csv", HEADER + rows(3000)))
    first, second = report.created_ids[:2]
    with db.transaction() as s:  # rows of other tables, and a link across two mentees
        column = s.scalars(select(BoardColumn)).first()
        assert column is not None
        goal = Goal(mentee_id=second, column_id=column.id, title="Portfolio")
        session = Session(mentee_id=first, start_utc=datetime.now(UTC), status="held")
        s.add_all([goal, session])
        s.flush()
        s.add_all([Note(mentee_id=first, session_id=session.id, body="kept"),
                   SessionGoal(session_id=session.id, goal_id=goal.id)])
    before = state(db)
    with db.reader() as s:
        links = list(s.execute(select(SessionGoal.session_id, SessionGoal.goal_id)))
    statements: list[str] = []
    event.listen(db.engine, "before_cursor_execute",
                 lambda *args: statements.append(str(args[2])))
    service = MenteeService(db)
    deleted = service.delete_many(report.created_ids)
    assert len(deleted) == 3000 and len(statements) < 60, len(statements)
    assert state(db)[0] == ()
    statements.clear()
    assert service.undelete_many(deleted) == report.created_ids
    assert len(statements) < 60, len(statements)
    assert state(db) == before
    with db.reader() as s:
        assert list(s.execute(select(SessionGoal.session_id, SessionGoal.goal_id))) == links
        assert [n.body for n in s.scalars(select(Note))] == ["kept"]
