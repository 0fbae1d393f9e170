"""The sync engine over real HTTP against the Calendar stand-in (real client library)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from mentordesk.storage import sync_repo
from mentordesk.storage.database import Database
from mentordesk.sync.engine import resolve_conflict
from mentordesk.sync.errors import (
    AuthRevoked,
    CalendarMissing,
    MassDeleteBlocked,
    Offline,
)
from mentordesk.sync.mapping import PRIVATE_KEY
from tests.calendar_standin import CalendarStandIn, Fault
from tests.sync.conftest import (
    START,
    EngineFactory,
    add_mentee,
    add_session,
    add_sessions,
    calendar_id,
    delete_session,
    edit_session,
    get_session,
)


def pending(db: Database) -> int:
    with db.reader() as s:
        return sync_repo.pending_count(s)


def by_session(standin: CalendarStandIn, cal: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for event in standin.events(cal):
        sid = event.get("extendedProperties", {}).get("private", {}).get(PRIVATE_KEY)
        out.setdefault(str(sid), []).append(event)
    return out


def test_first_sync_creates_calendar_and_events(db: Database, standin: CalendarStandIn,
                                                make_engine: EngineFactory) -> None:
    mentee = add_mentee(db, "Ada", "ada@example.com")
    one = add_session(db, title="Kick-off", mentee_id=mentee, agenda="Goals")
    series = add_session(db, title="Weekly", rrule="FREQ=WEEKLY;INTERVAL=2",
                         start=START + timedelta(days=1))
    summary = make_engine().run()
    assert summary.created == 2
    assert summary.errors == 0
    assert pending(db) == 0
    cal = calendar_id(db)
    assert standin.calendars[cal].summary == "MentorDesk"
    events = by_session(standin, cal)
    assert set(events) == {str(one), str(series)}
    kickoff = events[str(one)][0]
    assert kickoff["summary"] == "Kick-off"
    assert kickoff["description"] == "Goals"
    assert kickoff["attendees"] == [{"email": "ada@example.com"}]
    assert kickoff["id"] == get_session(db, one).google_event_id
    weekly = events[str(series)][0]
    assert weekly["recurrence"] == ["RRULE:FREQ=WEEKLY;INTERVAL=2"]
    assert weekly["start"]["timeZone"] == weekly["end"]["timeZone"] == "Europe/Berlin"
    row = get_session(db, one)
    assert row.google_etag == kickoff["etag"]
    # A second sync with nothing to do only lists changes (our own echoes are skipped).
    standin.reset_log()
    again = make_engine().run()
    assert (again.created, again.updated, again.pulled) == (0, 0, 0)
    assert [r.path for r in standin.log if r.path != "/token"] == [
        f"/calendar/v3/calendars/{cal}/events"]
