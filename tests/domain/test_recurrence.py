"""Recurrence across DST changes in both zones (hypothesis) and the rule parser, with the
rules Google Calendar writes checked against dateutil's own expansion, and any rule text at
all: the parser accepts only rules it can expand."""

from __future__ import annotations

import contextlib
import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from mentordesk.domain.recurrence import (
    CUSTOM_TEXT,
    RecurrenceError,
    Rule,
    cadence_rule,
    describe,
    iter_occurrences,
    next_occurrence,
    occurrences,
    parse_rule,
)
from tests.support.fuzz import FUZZ, rule_texts

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


# -- rules written by Google Calendar: expanded as dateutil does, kept byte for byte ---------

GOOGLE_ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
                "America/Sao_Paulo", "Pacific/Chatham", "Europe/London", "America/St_Johns",
                "Australia/Lord_Howe"]


@st.composite
def google_series(draw: st.DrawFn) -> tuple[str, datetime, str]:
    """(rule, start, zone) shaped like what Google Calendar's UI writes: the event's own
    weekday or day in the rule, WKST sometimes, an end as the last second of a local day
    in UTC or a count, parts in any order after FREQ."""
    zone_name = draw(st.sampled_from(GOOGLE_ZONES))
    tz = ZoneInfo(zone_name)
    day = draw(st.dates(min_value=datetime(2024, 1, 1).date(),
                        max_value=datetime(2030, 12, 31).date()))
    wall = datetime.combine(day, time(draw(st.integers(0, 23)),
                                      draw(st.sampled_from([0, 15, 30, 45]))))
    local = wall.replace(tzinfo=tz)
    # A start is an instant someone picked on a clock: one that exists, and only once.
    assume(local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall)
    assume(local.replace(fold=1).utcoffset() == local.utcoffset())
    freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]))
    parts: list[str] = []
    if freq == "WEEKLY":
        others = draw(st.sets(st.integers(0, 6)))
        days = sorted(others | {day.weekday()})
        parts.append("BYDAY=" + ",".join(("MO", "TU", "WE", "TH", "FR", "SA", "SU")[d]
                                         for d in days))
        if draw(st.booleans()):
            parts.append("WKST=" + draw(st.sampled_from(["SU", "MO"])))
    elif freq == "MONTHLY":
        name = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[day.weekday()]
        nth = (day.day - 1) // 7 + 1
        last = (day + timedelta(days=7)).month != day.month
        parts.append(draw(st.sampled_from(
            [f"BYMONTHDAY={day.day}", f"BYDAY={nth if nth <= 4 else -1}{name}"]
            + ([f"BYDAY=-1{name}"] if last else []))))
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.integers(2, 4))}")
    end = draw(st.sampled_from(["none", "count", "until"]))
    if end == "count":
        parts.append(f"COUNT={draw(st.integers(1, 30))}")
    elif end == "until":
        last_day = day + timedelta(days=draw(st.integers(0, 900)))
        end_of_day = datetime.combine(last_day, time(23, 59, 59), tz).astimezone(UTC)
        parts.append(f"UNTIL={end_of_day:%Y%m%dT%H%M%SZ}")
    order = draw(st.permutations(parts))
    return ";".join([f"FREQ={freq}", *order]), local.astimezone(UTC), zone_name


@settings(max_examples=300, deadline=None)
@given(series=google_series(), skip=st.integers(0, 700))
def test_google_rules_expand_as_dateutil_does_with_a_zoned_start(
        series: tuple[str, datetime, str], skip: int) -> None:
    text, start, zone_name = series
    reference = rrulestr(text, dtstart=start.astimezone(ZoneInfo(zone_name)))
    expected = [d.astimezone(UTC) for d in itertools.islice(reference, 80)]
    assert list(itertools.islice(iter_occurrences(start, zone_name, text), 80)) == expected
    # A window far into the series (the list's seek) agrees as well.
    after = start + timedelta(days=skip)
    before = after + timedelta(days=120)
    window = [d.astimezone(UTC) for d in reference.between(after, before, inc=True)
              if d < before]
    assert occurrences(start, zone_name, text, after=after, before=before) == window


@settings(max_examples=300, deadline=None)
@given(series=google_series())
def test_google_rules_round_trip_unchanged_and_read_as_words(
        series: tuple[str, datetime, str]) -> None:
    text, _start, zone_name = series
    rule = parse_rule(text)
    assert rule.to_rrule() == text
    assert parse_rule(rule.to_rrule()) == rule
    assert parse_rule("RRULE:" + text).to_rrule() == text
    words = describe(rule, zone_name)
    assert words != CUSTOM_TEXT
    assert words.split()[0].rstrip(",") in {"Daily", "Weekly", "Monthly", "Yearly", "Every"}


@pytest.mark.parametrize("text,expected", [
    ("FREQ=WEEKLY;WKST=SU;BYDAY=MO", "Weekly on Monday"),
    ("FREQ=WEEKLY;BYDAY=MO,WE", "Weekly on Monday and Wednesday"),
    ("FREQ=WEEKLY;WKST=SU;BYDAY=FR,MO,WE", "Weekly on Monday, Wednesday and Friday"),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "Every weekday"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH", "Every 2 weeks on Tuesday and Thursday"),
    ("FREQ=MONTHLY;BYDAY=2TU", "Monthly on the second Tuesday"),
    ("FREQ=MONTHLY;BYDAY=-1FR;COUNT=1", "Monthly on the last Friday, once"),
    ("FREQ=MONTHLY;BYMONTHDAY=15", "Monthly on day 15"),
    ("FREQ=MONTHLY;BYMONTHDAY=-1", "Monthly on the last day"),
    ("FREQ=YEARLY", "Yearly"),
    ("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=15", "Yearly on 15 March"),
    ("FREQ=WEEKLY;WKST=SU;COUNT=6;BYDAY=MO", "Weekly on Monday, 6 times"),
    ("FREQ=WEEKLY;WKST=SU;UNTIL=20270131T225959Z;BYDAY=MO,WE",
     "Weekly on Monday and Wednesday, until 2027-01-31"),
    ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-1", CUSTOM_TEXT),
    ("FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", CUSTOM_TEXT),
])
def test_describe_google_rules(text: str, expected: str) -> None:
    assert describe(text, "Europe/Berlin") == expected
    assert parse_rule(text).to_rrule() == text


def test_until_in_utc_is_shown_as_the_planning_zones_day() -> None:
    # Google ends a New York series on 31 January at 23:59:59 local: 04:59:59 UTC on 1 Feb.
    text = "FREQ=WEEKLY;UNTIL=20270201T045959Z"
    assert describe(text, "America/New_York") == "Weekly, until 2027-01-31"


def test_mentordesks_own_rules_still_edit_as_fields() -> None:
    rule = parse_rule("FREQ=MONTHLY;BYDAY=2TU")
    assert not rule.custom and rule == Rule("MONTHLY", 1, (2, 1))
    assert rule.to_rrule() == "FREQ=MONTHLY;BYDAY=2TU"  # the text it was read from
    assert Rule("MONTHLY", 1, (2, 1)).to_rrule() == "FREQ=MONTHLY;BYDAY=+2TU"
    assert parse_rule("FREQ=WEEKLY;BYDAY=MO").custom
    assert parse_rule("FREQ=YEARLY").custom
    # A rule changed after reading is written from its fields, not from the old text.
    from dataclasses import replace
    assert replace(rule, interval=3).to_rrule() == "FREQ=MONTHLY;INTERVAL=3;BYDAY=+2TU"


def test_until_date_covers_the_whole_local_day() -> None:
    # 18:00 in Los Angeles is 02:00 UTC the next day: a date-only UNTIL still includes it.
    tz = ZoneInfo("America/Los_Angeles")
    start = datetime(2026, 3, 2, 18, tzinfo=tz).astimezone(UTC)
    hits = occurrences(start, "America/Los_Angeles", "FREQ=DAILY;UNTIL=20260305",
                       after=start, before=start + timedelta(days=30))
    assert [local(h, "America/Los_Angeles").day for h in hits] == [2, 3, 4, 5]


def test_until_in_utc_is_exact_across_dst() -> None:
    # Berlin 09:00 daily; UNTIL at 08:00 UTC on 30 March is 10:00 CEST: the 30th is in.
    start = datetime(2026, 3, 27, 9, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)
    hits = occurrences(start, "Europe/Berlin", "FREQ=DAILY;UNTIL=20260330T070000Z",
                       after=start, before=start + timedelta(days=30))
    assert [local(h, "Europe/Berlin").day for h in hits] == [27, 28, 29, 30]
    hits = occurrences(start, "Europe/Berlin", "FREQ=DAILY;UNTIL=20260330T065959Z",
                       after=start, before=start + timedelta(days=30))
    assert [local(h, "Europe/Berlin").day for h in hits] == [27, 28, 29]


def test_a_start_in_the_repeated_hour_is_the_first_occurrence() -> None:
    # 02:30 on 25 October 2026 happens twice in Berlin; this series starts at the second.
    start = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert local(start, "Europe/Berlin").hour == 2
    hits = occurrences(start, "Europe/Berlin", "FREQ=DAILY;COUNT=2", after=start,
                       before=start + timedelta(days=5))
    assert hits == [start, start + timedelta(days=1)]


@pytest.mark.parametrize("bad", [
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",  # never happens
    "FREQ=WEEKLY;BYDAY=2MO",  # numbered weekdays are for monthly and yearly rules
    "FREQ=WEEKLY;BYMONTHDAY=3",
    "FREQ=MONTHLY;BYYEARDAY=3",
    "FREQ=MONTHLY;BYSETPOS=1",
    "FREQ=WEEKLY;BYDAY=MO;BYDAY=TU",
    "FREQ=DAILY;BYEASTER=0",  # dateutil's own, not RFC 5545
    "FREQ=WEEKLY;BYDAY=MO(+1)",
    "FREQ=WEEKLY;UNTIL=2027-01-31",
    "FREQ=MINUTELY;BYHOUR=9",
    "FREQ=DAILY;BYSECOND=60",
])
def test_invalid_rfc_rules_are_refused(bad: str) -> None:
    with pytest.raises(RecurrenceError) as info:
        parse_rule(bad)
    assert str(info.value)


@pytest.mark.parametrize("text", ["FREQ=WEEKLY\n;COUNT=2", "FREQ=WEEKLY; COUNT=2",
                                  "FREQ=WEEKLY;COUNT=2\r\nX-INJECTED:1", "FREQ=WEEKLY\x00"])
def test_kept_text_cannot_break_a_line(text: str) -> None:
    # The text is written back verbatim (Google, .ics): it must stay one clean line.
    with pytest.raises(RecurrenceError):
        parse_rule(text)


_zones = st.sampled_from(["UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu",
                          "Pacific/Chatham", "Pacific/Kiritimati", "America/Sao_Paulo",
                          "Australia/Lord_Howe"])
_starts = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1),
                       timezones=st.just(UTC))


@FUZZ
@given(text=rule_texts(), zone_name=_zones, start=_starts)
@example(text="FREQ=WEEKLY;UNTIL=00010101", zone_name="America/St_Johns",
         start=datetime(2026, 1, 5, 9, tzinfo=UTC))
@example(text="FREQ=DAILY;UNTIL=99991231T235959Z", zone_name="Pacific/Kiritimati",
         start=datetime(2026, 1, 5, 9, tzinfo=UTC))
@example(text="FREQ=DAILY;UNTIL=20000101;COUNT=1", zone_name="UTC",
         start=datetime(2000, 1, 1, tzinfo=UTC))
@example(text="FREQ=MONTHLY;BYDAY=-1SU;COUNT=3", zone_name="Europe/Berlin",
         start=datetime(2026, 3, 29, 1, 30, tzinfo=UTC))
@example(text="FREQ=WEEKLY;INTERVAL=" + "9" * 5000, zone_name="UTC",
         start=datetime(2026, 1, 5, tzinfo=UTC))
def test_rule_parser_accepts_only_rules_it_can_expand(text: str, zone_name: str,
                                                      start: datetime) -> None:
    try:
        rule = parse_rule(text)
    except RecurrenceError as exc:
        assert str(exc)
        return
    assert describe(rule)
    assert parse_rule(rule.to_rrule()) == rule
    # A rule the parser accepted must expand, in any zone, around its start and far later.
    for after in (start - timedelta(days=3), start + timedelta(days=3650)):
        found = occurrences(start, zone_name, rule, after=after,
                            before=after + timedelta(days=120), limit=50)
        assert found == sorted(found)
        assert all(after <= t < after + timedelta(days=120) for t in found)
        assert all(t.tzinfo is not None for t in found)
    next_occurrence(start, zone_name, rule, after=start)
