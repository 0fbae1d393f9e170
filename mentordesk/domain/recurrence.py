"""Recurring sessions: RFC 5545 RRULEs (python-dateutil) expanded in the zone they were
planned in.

A weekly 09:00 check-in planned in Berlin stays at 09:00 Berlin time across DST changes:
the rule is expanded on naive wall-clock times in that zone and only then turned into UTC
instants. A wall time that does not exist (spring forward gap) is read with the offset from
before the gap, as RFC 5545 says; an ambiguous one (fall back) takes the first occurrence.

Two kinds of rule share one type. MentorDesk's own (daily, weekly, monthly on the Nth
weekday, every N, a count or an end) are edited in the plan dialog. Any other RFC 5545 rule,
most often one Google Calendar's UI wrote (``FREQ=WEEKLY;WKST=SU;BYDAY=MO,WE``,
``FREQ=MONTHLY;BYMONTHDAY=15``, ``FREQ=YEARLY``), is a *custom* rule: expanded by dateutil
from all its parts, described where it can be, and never rewritten. Either kind keeps the
text it was read from, so saving, exporting or syncing a rule nobody changed writes back
exactly the bytes that were stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, weekday

from mentordesk.domain.timezones import zone

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last",
            -2: "second to last", -3: "third to last", -4: "fourth to last"}
UNTIL_YEARS = (1900, 9998)
MAX_INTERVAL = 1000
CUSTOM_TEXT = "Custom rule (from Google Calendar)"
_FREQS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}
_DATEUTIL_FREQS: dict[str, Literal[0, 1, 2, 3]] = {
    "DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY, "YEARLY": YEARLY}
# The Nth weekday MentorDesk's own monthly rules use (cadence_rule makes 1-4 and last).
_OWN_NTH = (1, 2, 3, 4, -1)
# Rule parts in the order RFC 5545's grammar lists them, for rules written from fields.
_PART_ORDER = ("BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY", "BYYEARDAY",
               "BYWEEKNO", "BYMONTH", "BYSETPOS")
# Inclusive ranges of the numeric BYxxx parts (RFC 5545 §3.3.10); negatives count from the
# end. BYSECOND stops at 59: dateutil cannot make a leap second's time.
_RANGES: dict[str, tuple[int, int, bool]] = {  # part: (low, high, negatives allowed)
    "BYSECOND": (0, 59, False), "BYMINUTE": (0, 59, False), "BYHOUR": (0, 23, False),
    "BYMONTHDAY": (1, 31, True), "BYYEARDAY": (1, 366, True), "BYWEEKNO": (1, 53, True),
    "BYMONTH": (1, 12, False), "BYSETPOS": (1, 366, True),
}
_NUMBER = re.compile(r"[+-]?[0-9]{1,3}")
_WHOLE = re.compile(r"[0-9]{1,9}")
_BYDAY = re.compile(r"([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_UNTIL = re.compile(r"([0-9]{8})(?:T([0-9]{6})(Z?))?")

UntilForm = Literal["utc", "date", "local"]


class RecurrenceError(ValueError):
    """A rule MentorDesk cannot use; the message says why, for the user."""


@dataclass(frozen=True)
class ByParts:
    """The RFC 5545 rule parts of a custom rule, each a sorted tuple (empty: not given).

    ``byday`` holds (n, weekday index) pairs; n is 0 for every such weekday of the period,
    else the nth (negative: from the end) in the month or year.
    """

    byday: tuple[tuple[int, int], ...] = ()
    bymonthday: tuple[int, ...] = ()
    byyearday: tuple[int, ...] = ()
    byweekno: tuple[int, ...] = ()
    bymonth: tuple[int, ...] = ()
    bysetpos: tuple[int, ...] = ()
    byhour: tuple[int, ...] = ()
    byminute: tuple[int, ...] = ()
    bysecond: tuple[int, ...] = ()
    wkst: int = 0  # weekday index; RFC 5545's default is Monday


@dataclass(frozen=True)
class Rule:
    freq: str  # DAILY | WEEKLY | MONTHLY, or YEARLY in a custom rule
    interval: int = 1
    # MONTHLY on the Nth weekday: (n, weekday index), n in 1..4 or -1 for last.
    nth_weekday: tuple[int, int] | None = None
    count: int | None = None
    until: datetime | None = None  # aware; UTC unless until_form says otherwise
    # Set for a rule the plan dialog cannot edit; it holds every part beyond the fields
    # above (nth_weekday is then None: its weekdays are in by.byday).
    by: ByParts | None = None
    # How UNTIL was written: "utc" (…Z, what MentorDesk writes and RFC 5545 asks for),
    # "date" (that whole day) or "local" (a floating time). The last two are read as wall
    # clock in the planning zone; ``until`` then carries those digits labelled UTC.
    until_form: UntilForm = "utc"
    # The text this rule was read from, written back by to_rrule() while the rule still
    # says the same: saving a rule nobody changed must not reorder or rewrite its parts,
    # or every save would look like an edit to Google and to the mentor's other calendars.
    text: str | None = field(default=None, compare=False, repr=False)

    @property
    def custom(self) -> bool:
        """True for a rule the plan dialog cannot edit (it shows and keeps it)."""
        return self.by is not None

    def to_rrule(self) -> str:
        if self.text is not None:
            try:
                if _parse(self.text) == self:
                    return self.text
            except RecurrenceError:
                pass  # a Rule built by hand with a broken text: write it from the fields
        return self._written()

    def _written(self) -> str:
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.nth_weekday is not None:
            n, wd = self.nth_weekday
            parts.append(f"BYDAY={n:+d}{WEEKDAYS[wd]}")
        if self.by is not None:
            values: dict[str, tuple[Any, ...]] = {
                "BYSECOND": self.by.bysecond, "BYMINUTE": self.by.byminute,
                "BYHOUR": self.by.byhour,
                "BYDAY": tuple(f"{n:+d}{WEEKDAYS[wd]}" if n else WEEKDAYS[wd]
                               for n, wd in self.by.byday),
                "BYMONTHDAY": self.by.bymonthday, "BYYEARDAY": self.by.byyearday,
                "BYWEEKNO": self.by.byweekno, "BYMONTH": self.by.bymonth,
                "BYSETPOS": self.by.bysetpos,
            }
            parts.extend(f"{name}={','.join(str(v) for v in values[name])}"
                         for name in _PART_ORDER if values[name])
            if self.by.wkst:
                parts.append(f"WKST={WEEKDAYS[self.by.wkst]}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            fmt = {"utc": "%Y%m%dT%H%M%SZ", "date": "%Y%m%d", "local": "%Y%m%dT%H%M%S"}
            parts.append(f"UNTIL={self.until.astimezone(UTC).strftime(fmt[self.until_form])}")
        return ";".join(parts)


def parse_rule(text: str) -> Rule:
    """Parse and validate an RRULE body such as 'FREQ=WEEKLY;INTERVAL=2'.

    Any RFC 5545 rule that repeats daily or less often is accepted; one MentorDesk cannot
    edit comes back with ``custom`` set. Refused (RecurrenceError, with a message for the
    user): broken syntax, sub-daily repeats, parts RFC 5545 forbids together, and rules
    that never happen.
    """
    return _parse(text)


@lru_cache(maxsize=4096)
def _parse(text: str) -> Rule:
    # Cached: rules are few and immutable, and lists and to_rrule() ask for them often.
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    if not body:
        raise RecurrenceError("The repeat rule is empty.")
    if any(c.isspace() or not c.isprintable() for c in body):
        # The text is kept and written back as it is (to Google, into .ics lines): a line
        # break in it would end the line early. RFC 5545's grammar has no spaces.
        raise RecurrenceError("A repeat rule has no spaces or line breaks "
                              "(such as FREQ=WEEKLY;BYDAY=MO).")
    fields: dict[str, str] = {}
    for part in body.split(";"):
        if "=" not in part:
            raise RecurrenceError(f"'{part}' is not a KEY=VALUE part of a repeat rule.")
        key, _, value = part.partition("=")
        key = key.strip().upper()
        if key in fields:
            raise RecurrenceError(f"{key} appears twice in the repeat rule.")
        fields[key] = value.strip().upper()
    freq = fields.pop("FREQ", "")
    if freq not in _FREQS:
        raise RecurrenceError("Sessions repeat daily, weekly, monthly or yearly (FREQ=…).")
    interval = 1
    if "INTERVAL" in fields:
        raw = fields.pop("INTERVAL")
        if not _WHOLE.fullmatch(raw):
            raise RecurrenceError("INTERVAL must be a whole number.")
        interval = int(raw)
        if not 1 <= interval <= MAX_INTERVAL:
            raise RecurrenceError(f"INTERVAL must be between 1 and {MAX_INTERVAL}.")
    count: int | None = None
    if "COUNT" in fields:
        raw = fields.pop("COUNT")
        if not _WHOLE.fullmatch(raw):
            raise RecurrenceError("COUNT must be a whole number.")
        count = int(raw)
        if count < 1:
            raise RecurrenceError("COUNT must be at least 1.")
    until: datetime | None = None
    until_form: UntilForm = "utc"
    if "UNTIL" in fields:
        until, until_form = _parse_until(fields.pop("UNTIL"))
    if count is not None and until is not None:
        # RFC 5545 forbids both; dateutil warns now and will refuse such rules later.
        raise RecurrenceError("A repeat rule ends after a number of times (COUNT) or on a "
                              "date (UNTIL), not both.")
    wkst = 0
    if "WKST" in fields:
        raw = fields.pop("WKST")
        if raw not in WEEKDAYS:
            raise RecurrenceError(f"WKST '{raw}' is not a weekday such as MO.")
        wkst = WEEKDAYS.index(raw)
    byday = _parse_byday(fields.pop("BYDAY"), freq, "BYWEEKNO" in fields) \
        if "BYDAY" in fields else ()
    numbers = {name: _parse_numbers(name, fields.pop(name))
               for name in _RANGES if name in fields}
    if fields:
        raise RecurrenceError(f"Unsupported repeat option: {', '.join(sorted(fields))}.")
    _check_combinations(freq, byday, numbers)
    if not numbers and freq != "YEARLY" and (
            not byday or (freq == "MONTHLY" and len(byday) == 1 and byday[0][0] in _OWN_NTH)):
        nth = byday[0] if byday else None
        return Rule(freq, interval, nth, count, until, None, until_form, body)
    by = ByParts(
        byday=byday, bymonthday=numbers.get("BYMONTHDAY", ()),
        byyearday=numbers.get("BYYEARDAY", ()), byweekno=numbers.get("BYWEEKNO", ()),
        bymonth=numbers.get("BYMONTH", ()), bysetpos=numbers.get("BYSETPOS", ()),
        byhour=numbers.get("BYHOUR", ()), byminute=numbers.get("BYMINUTE", ()),
        bysecond=numbers.get("BYSECOND", ()), wkst=wkst)
    rule = Rule(freq, interval, None, count, until, by, until_form, body)
    if _never_happens(rule):
        raise RecurrenceError("This repeat rule never happens (it asks for a day such as "
                              "30 February).")
    return rule


def _parse_until(raw: str) -> tuple[datetime, UntilForm]:
    match = _UNTIL.fullmatch(raw)
    if match is None:
        raise RecurrenceError(f"UNTIL '{raw}' is not a date like 20270131.")
    day, clock, zulu = match.groups()
    form: UntilForm = "date" if clock is None else ("utc" if zulu else "local")
    try:
        # A date ends with its last second: the whole day is included.
        until = datetime.strptime(day + (clock or "235959"), "%Y%m%d%H%M%S").replace(
            tzinfo=UTC)
    except ValueError as exc:
        raise RecurrenceError(f"UNTIL '{raw}' is not a date like 20270131.") from exc
    # Far-off years cannot be shifted into every zone (datetime overflows at year 1 and
    # 9999) nor written back as four digits: no series of meetings needs them.
    if not UNTIL_YEARS[0] <= until.year <= UNTIL_YEARS[1]:
        raise RecurrenceError(f"UNTIL '{raw}' must be a date between {UNTIL_YEARS[0]} and "
                              f"{UNTIL_YEARS[1]}.")
    return until, form


def _parse_byday(raw: str, freq: str, with_weekno: bool) -> tuple[tuple[int, int], ...]:
    days: set[tuple[int, int]] = set()
    for item in raw.split(","):
        match = _BYDAY.fullmatch(item)
        if match is None:
            raise RecurrenceError(f"'{item}' is not a weekday such as TU or 2TU.")
        n = int(match.group(1) or "0")
        if match.group(1) and n == 0:
            raise RecurrenceError(f"'{item}' is not a weekday such as TU or 2TU.")
        if n and (freq not in ("MONTHLY", "YEARLY") or with_weekno):
            raise RecurrenceError("A numbered weekday such as 2TU needs a monthly or yearly "
                                  "rule without week numbers.")
        if freq == "MONTHLY" and not -4 <= n <= 4:
            raise RecurrenceError("A monthly rule takes the 1st–4th or last weekday (a 5th "
                                  "one is missing from most months).")
        if not -53 <= n <= 53:
            raise RecurrenceError(f"'{item}' is not a weekday such as TU or 2TU.")
        days.add((n, WEEKDAYS.index(match.group(2))))
    return tuple(sorted(days, key=lambda d: (d[1], d[0])))


def _parse_numbers(name: str, raw: str) -> tuple[int, ...]:
    low, high, negative = _RANGES[name]
    values: set[int] = set()
    for item in raw.split(","):
        if not _NUMBER.fullmatch(item):
            raise RecurrenceError(f"{name} takes whole numbers ('{item}' is not one).")
        value = int(item)
        if not (low <= value <= high or (negative and low <= -value <= high)):
            span = f"{low} to {high}" + (f" or -{high} to -{low}" if negative else "")
            raise RecurrenceError(f"{name} takes {span} ('{item}' is not).")
        values.add(value)
    return tuple(sorted(values))


def _check_combinations(freq: str, byday: tuple[tuple[int, int], ...],
                        numbers: dict[str, tuple[int, ...]]) -> None:
    # The MUST NOTs of RFC 5545 §3.3.10.
    if "BYMONTHDAY" in numbers and freq == "WEEKLY":
        raise RecurrenceError("A weekly rule cannot name days of the month (BYMONTHDAY).")
    if "BYYEARDAY" in numbers and freq != "YEARLY":
        raise RecurrenceError("Only a yearly rule can name days of the year (BYYEARDAY).")
    if "BYWEEKNO" in numbers and freq != "YEARLY":
        raise RecurrenceError("Only a yearly rule can name week numbers (BYWEEKNO).")
    if "BYSETPOS" in numbers and not byday and len(numbers) == 1:
        raise RecurrenceError("BYSETPOS picks among the days other BY… parts give; "
                              "the rule has none.")


def _never_happens(rule: Rule) -> bool:
    """Whether the rule's day filters exclude every day (30 February, a 9th of 8 days).

    dateutil looks for the next match until year 9999 before giving up, which takes
    seconds; started 40 years before that (every weekday/leap-year pairing occurs in 28
    years), the search is short. INTERVAL is left out: it only skips periods.
    """
    probe = Rule(rule.freq, 1, rule.nth_weekday, None, None, rule.by)
    return next(iter(_compile(probe, datetime(9960, 1, 1), None)), None) is None


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


def describe(rule: Rule | str, zone_name: str | None = None) -> str:
    """'Every 2 weeks', 'Monthly on the second Tuesday', 'Weekly on Monday and Wednesday,
    6 times'; CUSTOM_TEXT for a rule too intricate to put in a few words.

    ``zone_name`` is the planning zone: an end given as a UTC time is shown as that zone's
    date (Google ends a series at the last second of the local day, written in UTC).
    """
    r = parse_rule(rule) if isinstance(rule, str) else rule
    text = _describe_repeat(r)
    if text is None:
        return CUSTOM_TEXT
    if r.count is not None:
        text += ", once" if r.count == 1 else f", {r.count} times"
    elif r.until is not None:
        end = r.until
        if r.until_form == "utc" and zone_name:
            end = end.astimezone(zone(zone_name))
        text += f", until {end:%Y-%m-%d}"
    return text


def _describe_repeat(r: Rule) -> str | None:
    unit = _FREQS[r.freq]
    if r.interval == 1:
        text = {"day": "Daily", "week": "Weekly", "month": "Monthly", "year": "Yearly"}[unit]
    else:
        text = f"Every {r.interval} {unit}s"
    by = r.by
    if by is None:
        if r.nth_weekday is not None:
            n, wd = r.nth_weekday
            text += f" on the {ORDINALS[n]} {WEEKDAY_NAMES[wd]}"
        return text
    if by.bysetpos or by.byhour or by.byminute or by.bysecond or by.byyearday \
            or by.byweekno or (by.bymonth and r.freq != "YEARLY"):
        return None
    if r.freq in ("DAILY", "WEEKLY"):
        # BYDAY only (RFC 5545 allows neither numbered weekdays nor, weekly, month days).
        if by.bymonthday:
            return None
        days = [wd for _n, wd in by.byday]
        if not days:
            return text
        if days == [0, 1, 2, 3, 4] and r.interval == 1:
            return "Every weekday"
        return f"{text} on {_join([WEEKDAY_NAMES[wd] for wd in days])}"
    if r.freq == "MONTHLY":
        if len(by.byday) == 1 and not by.bymonthday and by.byday[0][0] in ORDINALS:
            n, wd = by.byday[0]
            return f"{text} on the {ORDINALS[n]} {WEEKDAY_NAMES[wd]}"
        if by.bymonthday and not by.byday:
            return f"{text} on {_month_days(by.bymonthday)}"
        return None
    # YEARLY
    if by.byday:
        return None
    if not by.bymonth and not by.bymonthday:
        return text
    if len(by.bymonth) == 1 and len(by.bymonthday) == 1 and by.bymonthday[0] > 0:
        return f"{text} on {by.bymonthday[0]} {MONTH_NAMES[by.bymonth[0] - 1]}"
    return None


def _month_days(days: tuple[int, ...]) -> str:
    if days == (-1,):
        return "the last day"
    if all(d > 0 for d in days):
        return ("day " if len(days) == 1 else "days ") + _join([str(d) for d in days])
    # Counted from the start first, then from the end: "day 1 and the last day".
    ordered = [d for d in days if d > 0] + sorted((d for d in days if d < 0), reverse=True)
    return _join([f"day {d}" if d > 0 else f"the {ORDINALS.get(d, f'{-d}th to last')} day"
                  for d in ordered])


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _compile(r: Rule, dtstart: datetime, until: datetime | None) -> rrule:
    """dateutil's rrule for ``r`` from a naive local ``dtstart``; ``until`` naive local."""
    kwargs: dict[str, Any] = {"dtstart": dtstart, "interval": r.interval, "count": r.count,
                              "until": until, "wkst": 0}
    if r.nth_weekday is not None:
        n, wd = r.nth_weekday
        kwargs["byweekday"] = [weekday(wd, n)]
    by = r.by
    if by is not None:
        kwargs["wkst"] = by.wkst
        if by.byday:
            kwargs["byweekday"] = [weekday(wd, n or None) for n, wd in by.byday]
        for name, values in (("bymonthday", by.bymonthday), ("byyearday", by.byyearday),
                             ("byweekno", by.byweekno), ("bymonth", by.bymonth),
                             ("bysetpos", by.bysetpos), ("byhour", by.byhour),
                             ("byminute", by.byminute), ("bysecond", by.bysecond)):
            if values:
                kwargs[name] = list(values)
    return rrule(_DATEUTIL_FREQS[r.freq], **kwargs)


def _to_utc(local_naive: datetime, zone_name: str) -> datetime:
    return local_naive.replace(tzinfo=zone(zone_name), fold=0).astimezone(UTC)


def _expand(start_utc: datetime, zone_name: str, rule: Rule | str,
            seek_local: datetime | None = None) -> Iterator[datetime]:
    """UTC occurrences, from ``seek_local`` (naive local wall time) on when given."""
    r = parse_rule(rule) if isinstance(rule, str) else rule
    tz = zone(zone_name)
    start_local = start_utc.astimezone(tz)
    dtstart = start_local.replace(tzinfo=None)
    end: datetime | None = None  # the exact end, an instant
    loose: datetime | None = None  # dateutil's end, in wall time, just past the exact one
    if r.until is not None:
        if r.until_form == "utc":
            end = r.until
            # Wall-clock times are not monotonic across a DST change: let dateutil run a
            # little past the end and stop on the instant, as dateutil does with aware times.
            loose = r.until.astimezone(tz).replace(tzinfo=None) + timedelta(hours=3)
        else:
            loose = r.until.replace(tzinfo=None)
    compiled = _compile(r, dtstart, loose)
    source = compiled.xafter(seek_local, inc=True) \
        if seek_local is not None and seek_local > dtstart else iter(compiled)
    for local in source:
        # The first occurrence is the stored start itself, even when its wall time is the
        # second of two (fall back), which the wall-clock reading would put an hour early.
        instant = start_utc if local == dtstart else _to_utc(local, zone_name)
        if end is not None and instant > end:
            return
        yield instant


def iter_occurrences(start_utc: datetime, zone_name: str, rule: Rule | str) -> Iterator[datetime]:
    """All occurrences (UTC, aware) from the first on; may be infinite."""
    return _expand(start_utc, zone_name, rule)


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
    seek = (after - timedelta(days=2)).astimezone(zone(zone_name)).replace(tzinfo=None)
    found: list[datetime] = []
    for instant in _expand(start_utc, zone_name, rule, seek):
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
