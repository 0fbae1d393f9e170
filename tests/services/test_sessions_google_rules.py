"""Repeat rules that Google Calendar's UI writes, from the file to each
place a mentor sees them: the upcoming list, the mentee's next session, and back again, the
stored text never rewritten (the plan dialog's part: tests/ui/notes/test_schedule_dialog.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mentordesk.services.mentee_rows import series_next
from mentordesk.services.sessions import Scope, SessionDraft, SessionRef, SessionService
from mentordesk.storage.database import Database, open_database
from mentordesk.storage.mentee_list import SeriesRow
from mentordesk.storage.schema import Session as SessionRow
from tests.services.test_sessions import add_mentee, at

BERLIN = ZoneInfo("Europe/Berlin")
# Google's "Weekly on Monday, Wednesday, until 31 January 2027", as its UI writes it.
GOOGLE = "FREQ=WEEKLY;WKST=SU;UNTIL=20270131T225959Z;BYDAY=MO,WE"
START = at(2026, 3, 2, 9)  # Monday 09:00 in Berlin


@pytest.fixture
def rules_db(tmp_path: Path) -> Iterator[Database]:
    db = open_database(tmp_path / "rules.sqlite3")
    try:
        yield db
    finally:
        db.close()


def store_series(db: Database, mentee_id: int, rrule: str, start: datetime = START) -> int:
    """A series as a pull from Google leaves it: the row, with the rule's text as sent."""
    with db.transaction() as s:
        row = SessionRow(mentee_id=mentee_id, title="From Google", start_utc=start,
                         timezone="Europe/Berlin", duration_minutes=30, rrule=rrule,
                         status="scheduled")
        s.add(row)
        s.flush()
        return row.id


def days(records: list[datetime]) -> list[str]:
    return [d.astimezone(BERLIN).strftime("%a %d %b %H:%M") for d in records]


def stored_rule(db: Database, session_id: int) -> str | None:
    with db.reader() as s:
        row = s.get(SessionRow, session_id)
        assert row is not None
        return row.rrule


def test_google_series_is_listed_with_its_days_and_its_end(rules_db: Database) -> None:
    mid = add_mentee(rules_db)
    store_series(rules_db, mid, GOOGLE)
    svc = SessionService(rules_db)
    first = svc.upcoming(START, START + timedelta(days=10))
    assert days([r.start_utc for r in first]) == [
        "Mon 02 Mar 09:00", "Wed 04 Mar 09:00", "Mon 09 Mar 09:00", "Wed 11 Mar 09:00"]
    assert first[0].repeat_text == "Weekly on Monday and Wednesday, until 2027-01-31"
    last = svc.upcoming(at(2027, 1, 24, 0), at(2027, 2, 15, 0))
    assert days([r.start_utc for r in last]) == ["Mon 25 Jan 09:00", "Wed 27 Jan 09:00"]


@pytest.mark.parametrize("rule,now,expected", [
    (GOOGLE, at(2026, 3, 3, 12), "Wed 04 Mar 09:00"),
    ("FREQ=MONTHLY;BYDAY=2TU", at(2026, 3, 3, 12), "Tue 10 Mar 09:00"),
    ("FREQ=MONTHLY;BYMONTHDAY=15", at(2026, 3, 3, 12), "Sun 15 Mar 09:00"),
    ("FREQ=YEARLY", at(2026, 3, 3, 12), "Tue 02 Mar 09:00"),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=3", at(2026, 3, 3, 12), "Wed 04 Mar 09:00"),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=3", at(2026, 3, 4, 12), None),
])
def test_mentee_list_finds_the_next_session_of_a_google_series(
        rule: str, now: datetime, expected: str | None) -> None:
    found = series_next([SeriesRow(1, 7, START, "Europe/Berlin", rule, ())], now)
    assert days(list(found.values())) == ([expected] if expected else [])


@pytest.mark.parametrize("rule", [GOOGLE, "FREQ=MONTHLY;BYDAY=2TU", "FREQ=YEARLY",
                                  "FREQ=WEEKLY;WKST=MO;COUNT=6;BYDAY=TU"])
def test_saving_keeps_the_rule_text_byte_for_byte(rules_db: Database, rule: str) -> None:
    mid = add_mentee(rules_db)
    svc = SessionService(rules_db)
    planned = svc.schedule(SessionDraft(mid, START, 30, "Europe/Berlin", "Series",
                                        rrule=rule))
    assert stored_rule(rules_db, planned.ref.session_id) == rule
    pulled = store_series(rules_db, mid, rule)
    # What the plan dialog hands back for a rule the mentor left alone: the same text.
    svc.update(SessionRef(pulled), scope=Scope.SERIES, title="Renamed", rrule=rule,
               start_utc=START + timedelta(hours=1))
    assert stored_rule(rules_db, pulled) == rule
