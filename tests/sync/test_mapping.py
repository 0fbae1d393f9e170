"""mapping.validate on repeat rules: series with an end (UNTIL in UTC, as
RFC 5545 asks when DTSTART has a zone, and as Google writes it) or a count must be sent, and
a rule MentorDesk refuses must say that MentorDesk refused it, and why."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mentordesk.sync.mapping import SessionData, owned_from_session, validate

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin


def session(rrule: str | None, *, tz: str = "Europe/Berlin", title: str = "Check-in",
            minutes: int = 60, start: datetime = START) -> SessionData:
    return SessionData(
        id=1, google_event_id="a1b2c3d4e5", title=title, agenda="", start_utc=start,
        timezone=tz, duration_minutes=minutes, rrule=rrule, status="scheduled",
        want_meet=False, meeting_link=None, mentee_email=None, series_id=None,
        original_start_utc=None)


@pytest.mark.parametrize("rule", [
    # What Google's UI writes for "ends on 31 January 2027" in Berlin: the last second of
    # that local day, in UTC.
    "FREQ=WEEKLY;UNTIL=20270131T225959Z",
    "FREQ=WEEKLY;WKST=SU;UNTIL=20270131T225959Z;BYDAY=MO,WE",
    "FREQ=WEEKLY;COUNT=6",
    "FREQ=WEEKLY;WKST=SU;BYDAY=MO,WE",
    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    "FREQ=MONTHLY;BYDAY=2TU",
    "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=3",
    "FREQ=YEARLY",
    "RRULE:FREQ=DAILY;INTERVAL=2;UNTIL=20260401T000000Z",
    "FREQ=WEEKLY;UNTIL=20270131",
])
@pytest.mark.parametrize("tz", ["Europe/Berlin", "America/New_York", "Australia/Sydney",
                                "Asia/Kolkata", "Pacific/Chatham"])
def test_series_with_an_end_or_google_parts_are_sent(rule: str, tz: str) -> None:
    data = session(rule, tz=tz)
    assert validate(data) is None
    # ... and they go to Google exactly as stored.
    assert owned_from_session(data)["recurrence"][0] == \
        "RRULE:" + rule.removeprefix("RRULE:")


@pytest.mark.parametrize("rule,why", [
    ("FREQ=HOURLY", "daily, weekly, monthly or yearly"),
    ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL"),
    ("FREQ=WEEKLY;COUNT=3;UNTIL=20270131T225959Z", "not both"),
    ("FREQ=WEEKLY;UNTIL=soon", "UNTIL"),
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "never happens"),
    ("FREQ=WEEKLY;X-NAME=1", "X-NAME"),
])
def test_a_rule_mentordesk_refuses_says_it_was_mentordesk(rule: str, why: str) -> None:
    problem = validate(session(rule))
    assert problem is not None
    field, message = problem
    assert field == "recurrence"
    assert message.startswith(f"MentorDesk cannot send this repeat rule (“{rule}”): ")
    assert why in message
    assert "Google refused" not in message


def test_other_refusals_name_mentordesk_too() -> None:
    cases = [session("FREQ=WEEKLY", title="x" * 1025), session(None, tz="Mars/Olympus"),
             session(None, tz="America"), session(None, minutes=0)]
    found = [validate(c) for c in cases]
    assert [p[0] for p in found if p] == ["title", "time zone", "time zone", "duration"]
    for problem in found:
        assert problem is not None
        assert problem[1].startswith(f"MentorDesk cannot send this {problem[0]}: ")


def test_occurrences_of_a_series_carry_no_rule_to_check() -> None:
    data = session("FREQ=HOURLY")
    occurrence = SessionData(**{**data.__dict__, "series_id": 7, "original_start_utc": START})
    assert validate(occurrence) is None
