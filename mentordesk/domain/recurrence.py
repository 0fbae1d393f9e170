"""Recurring sessions: RFC 5545 RRULEs (python-dateutil) expanded in the zone they were
planned in.

A weekly 09:00 check-in planned in Berlin stays at 09:00 Berlin time across DST changes:
the rule is expanded on naive wall-clock times in that zone and only then turned into UTC
instants. A wall time that does not exist (spring forward gap) is read with the offset from
before the gap, as RFC 5545 says; an ambiguous one (fall back) takes the first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dateutil.rrule import rrule, rrulestr

from mentordesk.domain.timezones import zone

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
UNTIL_YEARS = (1900, 9998)
_FREQS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}


class RecurrenceError(ValueError):
    """A rule MentorDesk cannot use; the message says why, for the user."""


@dataclass(frozen=True)
class Rule:
    freq: str  # DAILY | WEEKLY | MONTHLY
    interval: int = 1
    # MONTHLY on the Nth weekday: (n, weekday index), n in 1..4 or -1 for last.
    nth_weekday: tuple[int, int] | None = None
    count: int | None = None
    until: datetime | None = None  # aware UTC

    def to_rrule(self) -> str:
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.nth_weekday is not None:
            n, wd = self.nth_weekday
            parts.append(f"BYDAY={n:+d}{WEEKDAYS[wd]}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            parts.append(f"UNTIL={self.until.astimezone(UTC):%Y%m%dT%H%M%SZ}")
        return ";".join(parts)


def parse_rule(text: str) -> Rule:
    """Parse and validate an RRULE body such as 'FREQ=WEEKLY;INTERVAL=2'."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    if not body:
        raise RecurrenceError("The repeat rule is empty.")
    fields: dict[str, str] = {}
    for part in body.split(";"):
        if "=" not in part:
            raise RecurrenceError(f"'{part}' is not a KEY=VALUE part of a repeat rule.")
        key, _, value = part.partition("=")
        fields[key.strip().upper()] = value.strip().upper()
    freq = fields.pop("FREQ", "")
    if freq not in ("DAILY", "WEEKLY", "MONTHLY"):
        raise RecurrenceError("Sessions repeat daily, weekly or monthly (FREQ=…).")
    try:
        interval = int(fields.pop("INTERVAL", "1"))
    except ValueError as exc:
        raise RecurrenceError("INTERVAL must be a whole number.") from exc
    if not 1 <= interval <= 52:
        raise RecurrenceError("INTERVAL must be between 1 and 52.")
    nth: tuple[int, int] | None = None
    byday = fields.pop("BYDAY", None)
    if byday is not None:
        day = byday[-2:]
        number = byday[:-2] or "1"
        if day not in WEEKDAYS:
            raise RecurrenceError(f"'{byday}' is not a weekday such as 2TU.")
        try:
            n = int(number)
        except ValueError as exc:
            raise RecurrenceError(f"'{byday}' is not a weekday such as 2TU.") from exc
        if freq == "MONTHLY" and n not in (1, 2, 3, 4, -1):
            raise RecurrenceError("A monthly rule takes the 1st–4th or last weekday.")
        if freq == "MONTHLY":
            nth = (n, WEEKDAYS.index(day))
    count: int | None = None
    if "COUNT" in fields:
        try:
            count = int(fields.pop("COUNT"))
        except ValueError as exc:
            raise RecurrenceError("COUNT must be a whole number.") from exc
        if count < 1:
            raise RecurrenceError("COUNT must be at least 1.")
    until: datetime | None = None
    if "UNTIL" in fields:
        raw = fields.pop("UNTIL")
        try:
            if len(raw) == 8:
                until = datetime.strptime(raw, "%Y%m%d").replace(hour=23, minute=59,
                                                                 tzinfo=UTC)
            else:
                until = datetime.strptime(raw.rstrip("Z"), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        except ValueError as exc:
            raise RecurrenceError(f"UNTIL '{raw}' is not a date like 20270131.") from exc
        # Far-off years cannot be shifted into every zone (datetime overflows at year 1 and
        # 9999) nor written back as four digits: no series of meetings needs them.
        if not UNTIL_YEARS[0] <= until.year <= UNTIL_YEARS[1]:
            raise RecurrenceError(f"UNTIL '{raw}' must be a date between {UNTIL_YEARS[0]} and "
                                  f"{UNTIL_YEARS[1]}.")
    if count is not None and until is not None:
        # RFC 5545 forbids both; dateutil warns now and will refuse such rules later.
        raise RecurrenceError("A repeat rule ends after a number of times (COUNT) or on a "
                              "date (UNTIL), not both.")
    fields.pop("WKST", None)
    if fields:
        raise RecurrenceError(f"Unsupported repeat option: {', '.join(sorted(fields))}.")
    return Rule(freq, interval, nth, count, until)


def cadence_rule(interval: int, unit: str, first_start_local: datetime) -> Rule:
    """The rule for a mentee's cadence; monthly cadences repeat on the same Nth weekday
    (the 2nd Tuesday), which is how people actually book monthly calls."""
    if unit == "days":
        return Rule("DAILY", interval)
    if unit == "weeks":
        return Rule("WEEKLY", interval)
    if unit == "months":
        nth = (first_start_local.day - 1) // 7 + 1
        if nth > 4:
            nth = -1
        return Rule("MONTHLY", interval, (nth, first_start_local.weekday()))
    raise RecurrenceError(f"Unknown cadence unit '{unit}'.")


def describe(rule: Rule | str) -> str:
    """'Every 2 weeks', 'Monthly on the second Tuesday', 'Weekly, 6 times'."""
    r = parse_rule(rule) if isinstance(rule, str) else rule
    unit = _FREQS[r.freq]
    if r.interval == 1:
        text = {"day": "Daily", "week": "Weekly", "month": "Monthly", "year": "Yearly"}[unit]
    else:
        text = f"Every {r.interval} {unit}s"
    if r.nth_weekday is not None:
        n, wd = r.nth_weekday
        text += f" on the {ORDINALS[n]} {WEEKDAY_NAMES[wd]}"
    if r.count is not None:
        text += f", {r.count} times"
    elif r.until is not None:
        text += f", until {r.until:%Y-%m-%d}"
    return text


def _local_rule(start_utc: datetime, zone_name: str, rule: Rule | str) -> rrule:
    r = parse_rule(rule) if isinstance(rule, str) else rule
    tz = zone(zone_name)
    dtstart = start_utc.astimezone(tz).replace(tzinfo=None)
    body = r.to_rrule()
    if r.until is not None:
        # dateutil compares UNTIL with naive dtstart values: give it local wall time too.
        local_until = r.until.astimezone(tz).replace(tzinfo=None)
        body = body.replace(f"UNTIL={r.until.astimezone(UTC):%Y%m%dT%H%M%SZ}",
                            f"UNTIL={local_until:%Y%m%dT%H%M%S}")
    result = rrulestr(body, dtstart=dtstart)
    assert isinstance(result, rrule)
    return result


def _to_utc(local_naive: datetime, zone_name: str) -> datetime:
    return local_naive.replace(tzinfo=zone(zone_name), fold=0).astimezone(UTC)


def iter_occurrences(start_utc: datetime, zone_name: str, rule: Rule | str) -> Iterator[datetime]:
    """All occurrences (UTC, aware) from the first on; may be infinite."""
    for local in _local_rule(start_utc, zone_name, rule):
        yield _to_utc(local, zone_name)


def occurrences(
    start_utc: datetime,
    zone_name: str,
    rule: Rule | str,
    *,
    after: datetime,
    before: datetime,
    exclude: Iterable[datetime] = (),
    limit: int = 10_000,
) -> list[datetime]:
    """Occurrences with ``after <= start < before`` (UTC, aware), minus ``exclude``."""
    excluded = {e.astimezone(UTC) for e in exclude}
    # Seek close to the window first so long-running series stay cheap to expand.
    tz = zone(zone_name)
    compiled = _local_rule(start_utc, zone_name, rule)
    seek = (after - timedelta(days=2)).astimezone(tz).replace(tzinfo=None)
    found: list[datetime] = []
    first = start_utc.astimezone(tz).replace(tzinfo=None)
    source = compiled.xafter(seek, inc=True) if seek > first else iter(compiled)
    for local in source:
        instant = _to_utc(local, zone_name)
        if instant >= before or len(found) >= limit:
            break
        if instant >= after and instant not in excluded:
            found.append(instant)
    return found


def next_occurrence(start_utc: datetime, zone_name: str, rule: Rule | str, *,
                    after: datetime, exclude: Iterable[datetime] = ()) -> datetime | None:
    hits = occurrences(start_utc, zone_name, rule, after=after,
                       before=after + timedelta(days=800), exclude=exclude, limit=1)
    return hits[0] if hits else None
