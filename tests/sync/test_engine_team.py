"""Calendar sync in a team: two desks of one mentor (two real SQLite
files replicating through a real PostgreSQL) both sync with the mentor's Google Calendar
(the local stand-in, driven by the real client library). A session's event is made once,
whichever desk gets there first, and both desks then know it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mentordesk.services.sessions import SessionDraft, SessionService
from mentordesk.storage import sync_repo
from mentordesk.storage.database import Database
from mentordesk.storage.schema import Mentee
from mentordesk.storage.schema import Session as SessionRow
from mentordesk.sync.credentials import (
    SCOPE_APP_CALENDAR,
    StoredSignIn,
    google_credentials,
    load_client_config,
)
from mentordesk.sync.engine import CalendarSource, SyncEngine
from mentordesk.sync.retry import RetryPolicy
from tests.support.calendar_standin import CalendarStandIn
from tests.support.team_helpers import settle
from tests.support.team_server import Team, joined

START = datetime.now(UTC).replace(microsecond=0, second=0, minute=0) + timedelta(days=3)


@pytest.fixture
def google(tmp_path: Path) -> Iterator[tuple[CalendarStandIn, Any]]:
    standin = CalendarStandIn()
    standin.start()
    secrets_file = tmp_path / "client_secret.json"
    secrets_file.write_text(json.dumps(standin.client_secrets()))
    client = load_client_config(secrets_file)
    # One mentor, one Google account: both desks sign in to it.
    token = standin.issue_refresh_token([SCOPE_APP_CALENDAR])
    creds = StoredSignIn(token, (SCOPE_APP_CALENDAR,))
    try:
        yield standin, (creds, client)
    finally:
        standin.stop()


def _engine(db: Database, standin: CalendarStandIn, auth: Any,
            calendar: CalendarSource) -> SyncEngine:
    signin, client = auth
    return SyncEngine(db, google_credentials(signin, client), endpoint=standin.api_endpoint,
                      policy=RetryPolicy(base=0.001, cap=0.01), timeout=5.0,
                      calendar=calendar)


@pytest.fixture
def two_desks(team: Team, desk_factory: Any) -> tuple[Database, Database]:
    code = team.invite("mentor")
    a = joined(desk_factory("laptop"), code)
    b = joined(desk_factory("desktop"), code)
    with a.transaction() as s:
        mentee = Mentee(name="Ada", email="ada@example.com")
        s.add(mentee)
        s.flush()
        mentee_id = mentee.id
    SessionService(a).schedule(SessionDraft(mentee_id=mentee_id, start_utc=START,
                                            duration_minutes=45, timezone="Europe/Berlin",
                                            title="Weekly check-in", rrule="FREQ=WEEKLY"))
    SessionService(a).schedule(SessionDraft(mentee_id=mentee_id,
                                            start_utc=START + timedelta(hours=26),
                                            duration_minutes=30, timezone="Europe/Berlin",
                                            title="Portfolio review"))
    settle(a, b)
    return a, b


def _titles(standin: CalendarStandIn) -> list[str]:
    [cal] = [c for c in standin.calendars.values() if c.summary == "MentorDesk"]
    return sorted(e["summary"] for e in standin.events(cal.id))


def _calendar(db: Database) -> str:
    with db.reader() as s:
        value = sync_repo.get_state(s, "calendar_id")
    assert value
    return value


@pytest.mark.parametrize("first", ["laptop", "desktop"])
def test_a_session_becomes_one_event_whichever_desk_syncs_first(
        two_desks: tuple[Database, Database], google: tuple[CalendarStandIn, Any],
        first: str) -> None:
    laptop, desktop = two_desks
    standin, auth = google
    one, other = (laptop, desktop) if first == "laptop" else (desktop, laptop)
    _engine(one, standin, auth, CalendarSource(create=True)).run()
    cal = _calendar(one)
    _engine(other, standin, auth, CalendarSource(chosen=cal)).run()
    assert _titles(standin) == ["Portfolio review", "Weekly check-in"]
    # Both desks know the events now: nothing more goes out from either.
    for desk in (laptop, desktop):
        with desk.reader() as s:
            assert sync_repo.pending_count(s) == 0
            assert all(r.google_etag for r in s.query(SessionRow).all())
    standin.reset_log()
    _engine(one, standin, auth, CalendarSource()).run()
    _engine(other, standin, auth, CalendarSource()).run()
    assert sum(r.inner for r in standin.log if r.path == "/batch/calendar/v3") == 0
    assert _titles(standin) == ["Portfolio review", "Weekly check-in"]


def test_both_desks_pushing_the_same_session_at_once_make_one_event(
        two_desks: tuple[Database, Database], google: tuple[CalendarStandIn, Any]) -> None:
    laptop, desktop = two_desks
    standin, auth = google
    _engine(laptop, standin, auth, CalendarSource(create=True)).run()
    cal = _calendar(laptop)
    # The desktop queues the same sessions for sending before it has seen the events
    # (as after a restore): its inserts meet the laptop's events (409) and adopt them.
    with desktop.transaction() as s:
        sync_repo.set_state(s, "calendar_id", cal)
        for row in s.query(SessionRow).all():
            row.google_etag = None
        sync_repo.queue_unsent(s, START - timedelta(days=30))
    engine = _engine(desktop, standin, auth, CalendarSource())
    engine._pull = lambda allow_mass_delete: None  # type: ignore[method-assign]
    engine.run()
    assert _titles(standin) == ["Portfolio review", "Weekly check-in"]
    with desktop.reader() as s:
        assert sync_repo.pending_count(s) == 0
