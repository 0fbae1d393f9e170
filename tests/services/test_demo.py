"""Demo data reads like a real practice: a goal's progress matches its board column, and
every session sits in the mentor's working hours on a weekday, inside the hours the mentor
and the mentee share whenever their zones share any. Made the way the command line's
``demo`` and the app's ``--demo`` make it, in a tmp folder, for mentors in two zones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mentordesk.cli import _ensure_demo_database, main
from mentordesk.domain.goals import ColumnKind
from mentordesk.domain.timezones import shared_working_hours
from mentordesk.paths import demo_db_path
from mentordesk.services.demo import generate_demo
from mentordesk.services.goals import load_board
from mentordesk.services.sessions import SessionRecord, SessionService
from mentordesk.storage.database import Database, open_database

MENTOR_ZONES = ["Europe/Berlin", "America/Los_Angeles"]
DAY_STARTS, DAY_ENDS = time(8, 0), time(19, 0)


def _by_command_line(tmp_path: Path) -> tuple[Path, datetime]:
    path = tmp_path / "cli.sqlite3"
    assert main(["--db", str(path), "demo"]) == 0
    return path, datetime.now(UTC)


def _by_the_apps_demo_switch(tmp_path: Path) -> tuple[Path, datetime]:
    _ensure_demo_database(demo_db_path())
    return demo_db_path(), datetime.now(UTC)


def _at(local: datetime) -> Callable[[Path], tuple[Path, datetime]]:
    """The demo made at a given moment in the mentor's zone (TZ is set before this runs)."""
    def make(tmp_path: Path) -> tuple[Path, datetime]:
        from mentordesk.domain.timezones import mentor_zone

        now = local.replace(tzinfo=ZoneInfo(mentor_zone())).astimezone(UTC)
        path = tmp_path / "at.sqlite3"
        db = open_database(path)
        try:
            generate_demo(db, mentees=60, seed=11, now=now)
        finally:
            db.close()
        return path, now
    return make


MAKERS = {
    "command line": _by_command_line,
    "--demo": _by_the_apps_demo_switch,
    # Made on a Sunday before dawn, and on a Monday before the working day begins: the
    # days around hold no working hours to fall back on.
    "sunday dawn": _at(datetime(2026, 3, 29, 3, 30)),
    "monday early": _at(datetime(2026, 11, 2, 7, 0)),
}


@pytest.fixture(params=MENTOR_ZONES)
def mentor(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    zone = str(request.param)
    monkeypatch.setenv("TZ", zone)
    return zone


@pytest.fixture(params=list(MAKERS))
def demo(request: pytest.FixtureRequest, mentor: str, tmp_path: Path,
         ) -> tuple[Database, datetime]:
    path, now = MAKERS[str(request.param)](tmp_path)
    db = open_database(path)
    request.addfinalizer(db.close)
    return db, now


def _sessions(db: Database, now: datetime) -> list[SessionRecord]:
    return SessionService(db).upcoming(now - timedelta(days=3 * 365), now + timedelta(days=365))


def test_goal_progress_matches_its_column(demo: tuple[Database, datetime]) -> None:
    db, _ = demo
    board = load_board(db)
    kind = {c.id: c.status_key for c in board.columns}
    seen: set[str | None] = set()
    for card in board.cards:
        percent = card.progress.percent
        assert percent is not None, card
        column = kind[card.column_id]
        seen.add(column)
        if column == ColumnKind.NOT_STARTED:
            assert percent == 0, card
        elif column == ColumnKind.DONE:
            assert percent == 100, card
            assert card.completed_at is not None, card
        else:
            assert 0 < percent < 100, card
    assert seen == set(ColumnKind)


def test_every_session_sits_in_the_mentors_working_hours(
        demo: tuple[Database, datetime], mentor: str) -> None:
    db, _ = demo
    sessions = _sessions(db, demo[1])
    assert len(sessions) > 100
    zone = ZoneInfo(mentor)
    for record in sessions:
        start = record.start_utc.astimezone(zone)
        end = record.end_utc.astimezone(zone)
        assert start.weekday() < 5, (record, start)
        assert start.date() == end.date(), (record, start)
        assert start.time() >= DAY_STARTS and end.time() <= DAY_ENDS, (record, start)


def _awake_for_the_mentee(record: SessionRecord) -> bool:
    zone = ZoneInfo(record.mentee_timezone)
    local, local_end = record.start_utc.astimezone(zone), record.end_utc.astimezone(zone)
    return local.date() == local_end.date() and (
        time(7, 0) <= local.time() and local_end.time() <= time(22, 0))


def test_sessions_fall_in_the_hours_mentor_and_mentee_share(
        demo: tuple[Database, datetime], mentor: str) -> None:
    db, now = demo
    sessions = _sessions(db, now)
    zone = ZoneInfo(mentor)
    first_of_series: dict[int, datetime] = {}
    for record in sessions:
        if record.series_id is not None:
            first_of_series.setdefault(record.series_id, record.start_utc)
    shared = 0
    for record in sessions:
        # Every meeting is at a waking hour for the mentee, a series' later ones too (they
        # keep the mentor's time of day, and daylight saving may move them an hour for the
        # mentee).
        assert _awake_for_the_mentee(record), record
        if record.series_id is not None and first_of_series[record.series_id] != (
                record.start_utc):
            continue
        day = record.start_utc.astimezone(zone).date()
        mentor_day_ends = datetime.combine(day, DAY_ENDS, zone).astimezone(UTC)
        spans = [(a, min(b, mentor_day_ends))
                 for a, b in shared_working_hours(mentor, record.mentee_timezone, day)]
        spans = [(a, b) for a, b in spans if b - a >= timedelta(minutes=record.duration_minutes)]
        if spans:
            shared += 1
            assert any(a <= record.start_utc and record.end_utc <= b for a, b in spans), (
                record, record.start_utc.astimezone(ZoneInfo(record.mentee_timezone)))
    assert shared > len(sessions) // 3
    assert first_of_series  # some series, whose later meetings are checked above


def test_held_sessions_are_over_and_booked_ones_ahead(demo: tuple[Database, datetime]) -> None:
    db, now = demo
    sessions = _sessions(db, now)
    held = [r for r in sessions if r.status == "held"]
    booked = [r for r in sessions if r.status == "scheduled"]
    assert held and booked
    assert all(r.end_utc <= now for r in held)
    assert all(r.start_utc > now for r in booked if r.series_id is None and r.rrule is None)
