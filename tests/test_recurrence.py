"""Recurrence across DST changes in both zones (hypothesis) and the rule parser."""

from __future__ import annotations

import contextlib
import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentordesk.domain.recurrence import (
    RecurrenceError,
    Rule,
    cadence_rule,
    describe,
    next_occurrence,
    occurrences,
    parse_rule,
)

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Adelaide", "Asia/Kolkata",
         "Asia/Kathmandu", "America/St_Johns", "Pacific/Auckland", "America/Sao_Paulo",
         "Europe/London", "UTC", "Asia/Tehran", "America/Santiago"]


def local(dt: datetime, name: str) -> datetime:
    return dt.astimezone(ZoneInfo(name))


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    other=st.sampled_from(ZONES),
    day=st.dates(min_value=datetime(2024, 1, 1).date(), max_value=datetime(2030, 12, 31).date()),
    hour=st.integers(min_value=6, max_value=20),
    minute=st.sampled_from([0, 15, 30, 45]),
    interval=st.integers(min_value=1, max_value=4),
)
def test_weekly_keeps_wall_clock_in_planning_zone(zone: str, other: str, day, hour: int,
                                                  minute: int, interval: int) -> None:
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(hour, minute), tz).astimezone(UTC)
    rule = Rule("WEEKLY", interval)
    hits = occurrences(start, zone, rule, after=start, before=start + timedelta(days=400))
    assert hits[0] == start
    first_local = local(start, zone)
    for prev, cur in itertools.pairwise(hits):
        a, b = local(prev, zone), local(cur, zone)
        assert (b.date() - a.date()).days == 7 * interval
        # Same wall-clock time, unless that time does not exist that day (spring gap).
        round_trip = datetime.combine(b.date(), first_local.time(), tz)
        if round_trip.astimezone(UTC).astimezone(tz).time() == first_local.time():
            assert b.time() == first_local.time()
        # The instant is consistent whatever zone the other person looks from.
        assert local(cur, other).astimezone(UTC) == cur


@settings(max_examples=100, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    day=st.dates(min_value=datetime(2025, 1, 1).date(), max_value=datetime(2029, 12, 31).date()),
    hour=st.integers(min_value=7, max_value=19),
)
def test_monthly_nth_weekday(zone: str, day, hour: int) -> None:
    tz = ZoneInfo(zone)
    start_local = datetime.combine(day, time(hour), tz)
    rule = cadence_rule(1, "months", start_local)
    assert rule.nth_weekday is not None
    n, weekday = rule.nth_weekday
    hits = occurrences(start_local.astimezone(UTC), zone, rule, after=start_local,
                       before=start_local + timedelta(days=370))
    assert 12 <= len(hits) <= 13
    for hit in hits:
        loc = local(hit, zone)
        assert loc.weekday() == weekday
        if n > 0:
            assert (loc.day - 1) // 7 + 1 == n
        else:
            assert (loc + timedelta(days=7)).month != loc.month


def test_dst_does_not_move_berlin_session() -> None:
    tz = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 3, 16, 9, 0, tzinfo=tz).astimezone(UTC)  # before DST
    hits = occurrences(start, "Europe/Berlin", "FREQ=WEEKLY", after=start,
                       before=start + timedelta(days=20))
    assert [local(h, "Europe/Berlin").hour for h in hits] == [9, 9, 9]
    assert hits[1] - hits[0] == timedelta(days=7)
    assert hits[2] - hits[1] == timedelta(days=7, hours=-1)  # clocks went forward on 29 March


def test_exclusions_and_window() -> None:
    start = datetime(2026, 1, 5, 15, tzinfo=UTC)
    skip = start + timedelta(days=7)
    hits = occurrences(start, "UTC", "FREQ=WEEKLY", after=start, before=start + timedelta(days=22),
                       exclude=[skip])
    assert hits == [start, start + timedelta(days=14), start + timedelta(days=21)]
    later = occurrences(start, "UTC", "FREQ=WEEKLY", after=start + timedelta(days=3000),
                        before=start + timedelta(days=3008))
    assert len(later) == 1
    assert next_occurrence(start, "UTC", "FREQ=WEEKLY;COUNT=2",
                           after=start + timedelta(days=8)) is None


@pytest.mark.parametrize("text,expected", [
    ("FREQ=WEEKLY", "Weekly"),
    ("FREQ=WEEKLY;INTERVAL=2", "Every 2 weeks"),
    ("FREQ=MONTHLY;BYDAY=+2TU", "Monthly on the second Tuesday"),
    ("FREQ=MONTHLY;BYDAY=-1FR", "Monthly on the last Friday"),
    ("RRULE:FREQ=DAILY;INTERVAL=10;COUNT=3", "Every 10 days, 3 times"),
])
def test_describe(text: str, expected: str) -> None:
    assert describe(text) == expected
    assert parse_rule(parse_rule(text).to_rrule()) == parse_rule(text)


@pytest.mark.parametrize("bad", ["", "FREQ=HOURLY", "FREQ=WEEKLY;INTERVAL=0", "FREQ=WEEKLY;X=1",
                                 "FREQ=MONTHLY;BYDAY=5TU", "nonsense", "FREQ=WEEKLY;COUNT=-1",
                                 "FREQ=WEEKLY;UNTIL=tomorrow"])
def test_bad_rules_are_explained(bad: str) -> None:
    with pytest.raises(RecurrenceError):
        parse_rule(bad)


@given(st.text(max_size=60))
def test_parser_never_crashes(text: str) -> None:
    with contextlib.suppress(RecurrenceError):
        parse_rule(text)
