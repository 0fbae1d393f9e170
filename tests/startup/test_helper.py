"""The start-up helper process that computes the mentee list (startup/helper.py and
startup/snapshot.py): a real child process on real database files."""

from __future__ import annotations

import marshal
import os
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentordesk.domain.cadence import UNITS, Cadence
from mentordesk.domain.health import Health, Level
from mentordesk.services.demo import generate_demo
from mentordesk.services.mentee_rows import MenteeRow, list_rows
from mentordesk.services.mentees import MenteeService
from mentordesk.startup import snapshot as mentee_snapshot
from mentordesk.startup.helper import SWITCH_ENV, SnapshotHelper
from mentordesk.storage.database import Database, open_database


def _gone(pid: int) -> bool:
    """Whether the child has been reaped (no zombie left behind)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.fixture
def big_db(tmp_path: Path) -> Database:
    database = open_database(tmp_path / "big.sqlite3")
    generate_demo(database, mentees=150, seed=11)
    service = MenteeService(database)
    some = [r.id for r in service.list_rows()[:5]]
    service.archive(some[0])
    service.snooze(some[1], datetime.now(UTC) + timedelta(days=3))
    service.mark_notified([some[2]], date(2026, 1, 2))
    return database


def test_the_helper_hands_over_exactly_the_rows_of_the_service(big_db: Database) -> None:
    helper = SnapshotHelper.start(big_db.path)
    assert helper is not None
    loaded = helper.result()
    assert helper.outcome == "rows"
    assert loaded is not None
    rows, now = loaded
    assert now.tzinfo is UTC
    expected = list_rows(big_db, include_archived=True, now=now)
    assert rows == expected
    assert any(r.archived for r in rows) and any(r.health.snoozed for r in rows)
    assert any(r.health_notified_on is not None for r in rows)
    # Same types all the way down, not just equal values.
    assert all(type(r) is MenteeRow and type(r.health) is Health for r in rows)
    assert all(type(r.health.level) is Level and type(r.cadence) is Cadence for r in rows)
    assert all(r.last_held is None or r.last_held.tzinfo is UTC for r in rows)
    assert _gone(helper.pid)
    assert helper.result() is None  # only the first call gets the rows


def test_an_empty_database_gives_an_empty_list(db: Database) -> None:
    helper = SnapshotHelper.start(db.path)
    assert helper is not None
    loaded = helper.result()
    assert helper.outcome == "rows"
    assert loaded is not None and loaded[0] == []
    assert abs(loaded[1] - datetime.now(UTC)) < timedelta(minutes=1)


def test_a_file_not_yet_migrated_is_left_to_the_app(db: Database) -> None:
    with sqlite3.connect(db.path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0002'")
    helper = SnapshotHelper.start(db.path)
    assert helper is not None
    assert helper.result() is None
    assert helper.outcome == "stale: 0002"
    assert _gone(helper.pid)


def test_a_file_that_is_not_a_database_is_left_to_the_app(tmp_path: Path) -> None:
    path = tmp_path / "not-a-database.sqlite3"
    path.write_bytes(b"these are not the bytes of a SQLite file " * 200)
    helper = SnapshotHelper.start(path)
    assert helper is not None
    assert helper.result() is None
    assert helper.outcome.startswith("error: DatabaseError")
    assert _gone(helper.pid)


def test_no_file_no_helper(tmp_path: Path) -> None:
    assert SnapshotHelper.start(tmp_path / "missing.sqlite3") is None


def test_the_switch_turns_it_off(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SWITCH_ENV, "0")
    assert SnapshotHelper.start(db.path) is None


def test_no_posix_spawn_no_helper(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has neither posix_spawn nor select.poll: the app reads the list itself."""
    running = SnapshotHelper.start(db.path)
    assert running is not None  # here it runs
    running.discard()
    monkeypatch.delattr(os, "posix_spawn")
    assert SnapshotHelper.start(db.path) is None


def test_no_poll_no_helper(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    import select

    monkeypatch.delattr(select, "poll")
    assert SnapshotHelper.start(db.path) is None


def test_a_frozen_app_starts_no_helper(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a bundle sys.executable is the app itself, not an interpreter for ``-c``."""
    import sys

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert SnapshotHelper.start(db.path) is None


def test_a_helper_that_takes_too_long_is_stopped(big_db: Database) -> None:
    helper = SnapshotHelper.start(big_db.path)
    assert helper is not None
    assert helper.result(timeout=0.000_1) is None  # no Python starts that fast
    assert helper.outcome == "timed out"
    assert _gone(helper.pid)


def test_an_unused_helper_is_stopped_and_reaped(big_db: Database) -> None:
    helper = SnapshotHelper.start(big_db.path)
    assert helper is not None
    helper.discard()
    assert helper.outcome == "discarded"
    assert _gone(helper.pid)
    assert helper.result() is None
    helper.discard()  # twice is harmless


@pytest.mark.parametrize(("blob", "outcome"), [
    (b"", "unreadable (EOFError)"),
    (b"\x00garbage", "unreadable (ValueError)"),
    (marshal.dumps((mentee_snapshot.FORMAT + 1, "rows", "", [])),
     f"format {mentee_snapshot.FORMAT + 1}"),
    (marshal.dumps((mentee_snapshot.FORMAT, "rows", "not a time", [])),
     "unreadable (ValueError)"),
])
def test_a_broken_message_is_not_a_shortcut(blob: bytes, outcome: str) -> None:
    assert mentee_snapshot.read_message(blob) == (outcome, None)


_instants = st.none() | st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1),
    timezones=st.just(UTC))
_text = st.text(max_size=30)


@st.composite
def _rows(draw: st.DrawFn) -> MenteeRow:
    tags = tuple(draw(st.lists(_text, max_size=4)))
    return MenteeRow(
        draw(st.integers(1, 2**40)), draw(_text), draw(_text), draw(_text), tags,
        draw(st.booleans()),
        Cadence(draw(st.integers(1, 12)), draw(st.sampled_from(sorted(UNITS)))),
        draw(st.integers(1, 400)), draw(st.integers(1, 800)), draw(_instants),
        draw(_instants),
        Health(draw(st.sampled_from(list(Level))), draw(st.integers(0, 10**5)),
               draw(st.booleans()), draw(st.booleans()), draw(st.booleans()),
               draw(st.floats(allow_nan=False))),
        draw(st.none() | _text), draw(_instants),
        draw(st.none() | st.dates(min_value=date(1, 1, 1))), draw(_text))


@settings(max_examples=200, deadline=None)
@given(st.lists(_rows(), max_size=8))
def test_the_wire_format_gives_back_every_row_exactly(rows: list[MenteeRow]) -> None:
    wire = marshal.loads(marshal.dumps(mentee_snapshot.encode(rows)))
    back = mentee_snapshot.decode(wire)
    assert back == rows
    assert [type(r.health.level) for r in back] == [Level] * len(rows)
    assert all(r.last_held is None or r.last_held.tzinfo is UTC for r in back)
