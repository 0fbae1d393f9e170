"""Export every session as an RFC 5545 calendar file, for mentors without Google Calendar.

A series is one VEVENT with its RRULE in the series' own IANA zone (so DST never moves it);
a cancelled occurrence is an EXDATE on it; a moved or edited occurrence is an override
VEVENT with the series' UID and a RECURRENCE-ID, as RFC 5545 §3.8.4.4 describes.

Each zone's VTIMEZONE states the zone's yearly rule as RRULEs (``FREQ=YEARLY;BYMONTH=3;
BYDAY=-1SU``), the form every common reader follows; a long list of RDATEs, which some
readers cut to its first date, is never written.
"""

from __future__ import annotations

import calendar as gregorian
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vRecur,
)

from mentordesk.domain.recurrence import RecurrenceError, parse_rule
from mentordesk.services.atomic_file import write_atomically
from mentordesk.storage import sync_repo
from mentordesk.storage.database import Database
from mentordesk.storage.schema import Session as SessionRow
from mentordesk.storage.types import utcnow

log = logging.getLogger(__name__)

PRODID = "-//MentorDesk//MentorDesk sessions//EN"
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Years a VTIMEZONE covers beyond the last session (and this year): a yearly rule seen in
# every one of them is taken as the zone's current rule, written without an end.
_YEARS_AHEAD = 3
# VTIMEZONEs start no later than this: vobject takes a zone for UTC when its offsets match
# UTC's from 2000 to 2020, which a London or Dublin block starting later would.
_FIRST_YEAR = 2000


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _uid(row: SessionRow) -> str:
    # A session Google Calendar has (or will have) gets Google's own iCalUID for that
    # event, "<event id>@google.com", the UID Google gives events inserted with a chosen id
    # as MentorDesk does: a calendar app that shows both the Google calendar and this file,
    # or Google's own import of it, then sees one event, not two. Events that reached Google
    # from elsewhere (an invitation, an import) keep their original iCalUID, which MentorDesk
    # does not store: those will not match. Sessions never queued for Google get MentorDesk's
    # own UID from the session id; either way the UID is the same in every export.
    if row.google_event_id:
        return f"{row.google_event_id}@google.com"
    return f"session-{row.id}@mentordesk"


def _verbatim_rrule(text: str) -> Any:
    """The RRULE exactly as stored: icalendar would reorder its parts (WKST last, COUNT
    before BYDAY), and a rule that came from Google must leave as it came."""
    class VerbatimRecur(vRecur):
        def to_ical(self) -> bytes:
            return text.encode()

    return VerbatimRecur(vRecur.from_ical(text))


def _event(row: SessionRow, mentee: str | None, stamp: datetime) -> Event:
    zone = _zone(row.timezone)
    start = row.start_utc.astimezone(zone)
    event = Event()
    event.add("uid", _uid(row))
    event.add("dtstamp", stamp)
    event.add("summary", row.title or (f"Session with {mentee}" if mentee else "Session"))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=row.duration_minutes))
    if row.agenda:
        event.add("description", row.agenda)
    if row.meeting_link:
        event.add("url", row.meeting_link)
        event.add("location", row.meeting_link)
    event.add("status", "CANCELLED" if row.status == "cancelled" else "CONFIRMED")
    if row.rrule and row.series_id is None:
        try:
            text = parse_rule(row.rrule).to_rrule()
        except RecurrenceError as exc:
            # Not listed by the app either; one broken rule must not stop the export.
            log.warning("session %s: repeat rule %r left out of the export: %s",
                        row.id, row.rrule, exc)
        else:
            event.add("rrule", _verbatim_rrule(text))
    return event


def export_ics(db: Database, path: Path) -> int:
    """Write all sessions to ``path`` (atomically); returns how many sessions were written."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "MentorDesk")
    stamp = utcnow().replace(microsecond=0)
    count = 0
    with db.reader() as s:
        rows = sync_repo.all_sessions(s)
        names = sync_repo.mentee_names(s)
        by_id = {r.id: r for r in rows}
        events: dict[int, Event] = {}
        for row in rows:
            if row.series_id is not None:
                continue
            events[row.id] = _event(row, names.get(row.mentee_id or -1), stamp)
            count += 1
        for row in rows:
            master = by_id.get(row.series_id) if row.series_id is not None else None
            if master is None or master.id not in events or row.original_start_utc is None:
                if row.series_id is not None and master is None:
                    events[row.id] = _event(row, names.get(row.mentee_id or -1), stamp)
                    count += 1
                continue
            original = row.original_start_utc.astimezone(_zone(master.timezone))
            if row.status == "cancelled":
                events[master.id].add("exdate", original)
                continue
            override = _event(row, names.get(row.mentee_id or -1), stamp)
            override.pop("uid")
            override.add("uid", _uid(master))
            override.add("recurrence-id", original)
            events[row.id] = override
            count += 1
    # Every TZID needs its VTIMEZONE (RFC 5545 §3.6.5), placed before the events using it.
    for name, years in sorted(_zone_years(events.values()).items()):
        calendar.add_component(vtimezone(name, min(min(years) - 1, _FIRST_YEAR),
                                         max(*years, stamp.year) + _YEARS_AHEAD))
    for event in events.values():
        calendar.add_component(event)
    data = calendar.to_ical()
    # Whole or not at all, with a one-line error (temporary file, fsync, rename).
    write_atomically(Path(path), data)
    return count


def _zone_years(events: Iterable[Event]) -> dict[str, set[int]]:
    """The years each zone is used in by the events' dates and times (UTC is written with a
    Z and needs no VTIMEZONE)."""
    years: dict[str, set[int]] = defaultdict(set)
    for event in events:
        for name in ("DTSTART", "DTEND", "EXDATE", "RECURRENCE-ID"):
            values = event.get(name)
            for value in values if isinstance(values, list) else [values]:
                if value is None:
                    continue
                for when in getattr(value, "dts", None) or [value]:
                    dt = when.dt
                    key = getattr(dt.tzinfo, "key", None)
                    if isinstance(dt, datetime) and key and key != "UTC":
                        years[key].add(dt.year)
    return years


@dataclass(frozen=True)
class _Change:
    """One change of a zone's UTC offset."""

    at: datetime  # the first second (UTC) on the new offset
    before: timedelta
    after: timedelta
    name: str  # the abbreviation from then on
    dst: timedelta  # zoneinfo's dst() from then on; negative in Dublin's winter

    @property
    def wall(self) -> datetime:
        """When it happens on the clock before it, as a VTIMEZONE's DTSTART is written."""
        return (self.at + self.before).replace(tzinfo=None)


def _offset(instant: datetime, tz: ZoneInfo) -> timedelta:
    return instant.astimezone(tz).utcoffset() or timedelta(0)


def _changes(tz: ZoneInfo, start: datetime, end: datetime) -> list[_Change]:
    """Every offset change in [start, end): sampled daily (no zone changes twice in a
    day), each found to the second by halving."""
    found: list[_Change] = []
    current = _offset(start, tz)
    day = timedelta(days=1)
    t = start
    while t < end:
        following = _offset(t + day, tz)
        if following != current:
            low, high = t, t + day
            while high - low > timedelta(seconds=1):
                middle = low + timedelta(seconds=(high - low) // timedelta(seconds=2))
                if _offset(middle, tz) == current:
                    low = middle
                else:
                    high = middle
            local = high.astimezone(tz)
            found.append(_Change(high, current, following, local.tzname() or "",
                                 local.dst() or timedelta(0)))
            current = following
        t += day
    return found


# How a change's day may be stated as a yearly rule: ("last", 0, weekday), ("after", day,
# weekday) for the weekday on or after that day of the month, ("day", day, -1).
_DayRule = tuple[str, int, int]


def _day_rules(wall: datetime) -> set[_DayRule]:
    day, weekday = wall.day, wall.weekday()
    rules: set[_DayRule] = {("day", day, -1)}
    rules |= {("after", first, weekday) for first in range(max(1, day - 6), day + 1)}
    if day + 7 > gregorian.monthrange(wall.year, wall.month)[1]:
        rules.add(("last", 0, weekday))
    return rules


def _by_day(rules: set[_DayRule]) -> dict[str, Any]:
    """The RRULE parts for the plainest of ``rules`` (all hold for every year seen)."""

    def plainness(rule: _DayRule) -> tuple[int, int]:
        kind, day, _weekday = rule
        if kind == "last":
            return 0, 0
        if kind == "after":
            return (1 if day in (1, 8, 15, 22) else 2), day
        return 3, day

    kind, day, weekday = min(rules, key=plainness)
    if kind == "last":
        return {"BYDAY": f"-1{_WEEKDAYS[weekday]}"}
    if kind == "after" and day in (1, 8, 15, 22):
        return {"BYDAY": f"{(day - 1) // 7 + 1}{_WEEKDAYS[weekday]}"}
    if kind == "after":  # such as Chile's "first Sunday on or after the 2nd"
        return {"BYDAY": _WEEKDAYS[weekday], "BYMONTHDAY": list(range(day, day + 7))}
    return {"BYMONTHDAY": day}


def vtimezone(name: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for ``name`` that is right from ``first_year`` through ``last_year``,
    and on from then by the zone's current yearly rule.

    The zone's offset changes in those years (from zoneinfo) are grouped by their place in
    the year; a group that recurs every year up to the last one is the current rule and
    becomes a STANDARD or DAYLIGHT sub-component with an open-ended RRULE. Changes of an
    earlier rule, or of zones whose dates follow no weekday rule, are written one
    sub-component each (DTSTART and the same RDATE), not as an RRULE with UNTIL: one of
    the common readers (python's ical) refuses a VTIMEZONE RRULE ending at a UTC UNTIL.
    A zone without changes gets a single STANDARD (or DAYLIGHT) sub-component.
    """
    tz = _zone(name)
    first_year, last_year = max(first_year, 1900), min(last_year, 9990)
    start = datetime(first_year, 1, 1, tzinfo=tz).astimezone(UTC)  # local midnight
    changes = _changes(tz, start, datetime(last_year + 1, 1, 1, tzinfo=UTC))
    component = Timezone()
    component.add("tzid", name)
    pieces: list[tuple[datetime, Any]] = []
    # Summer time is DAYLIGHT; where tzdata counts winter as a negative DST (Dublin,
    # Casablanca), the time it counts as standard is the summer one.
    negative = any(c.dst < timedelta(0) for c in changes)

    def daylight(change: _Change) -> bool:
        return change.dst > timedelta(0) or (negative and change.dst == timedelta(0))

    if not changes or changes[0].at.year > first_year:
        # What holds before the first change (or always): one onset at the start.
        local = start.astimezone(tz)
        offset = local.utcoffset() or timedelta(0)
        initial = _Change(start, offset, offset, local.tzname() or "",
                          local.dst() or timedelta(0))
        pieces.append((initial.wall, _observance(initial, daylight(initial))))
    groups: dict[tuple[Any, ...], list[_Change]] = defaultdict(list)
    for change in changes:
        wall = change.wall
        groups[(change.dst, wall.month, wall.time(), change.before, change.after,
                change.name)].append(change)
    for group in groups.values():
        for run, rules in _yearly_runs(group):
            current = len(run) > 1 and run[-1].wall.year == last_year
            if current:
                rrule = {"FREQ": "YEARLY", "BYMONTH": run[0].wall.month, **_by_day(rules)}
                pieces.append((run[0].wall, _observance(run[0], daylight(run[0]), rrule)))
            else:
                pieces.extend((c.wall, _observance(c, daylight(c))) for c in run)
    for _wall, piece in sorted(pieces, key=lambda p: p[0]):
        component.add_component(piece)
    return component


def _yearly_runs(group: list[_Change]) -> list[tuple[list[_Change], set[_DayRule]]]:
    """``group`` cut into runs of consecutive years that one day rule describes."""
    runs: list[tuple[list[_Change], set[_DayRule]]] = []
    run: list[_Change] = []
    rules: set[_DayRule] = set()
    for change in group:
        these = _day_rules(change.wall)
        if run and change.wall.year == run[-1].wall.year + 1 and rules & these:
            run.append(change)
            rules &= these
            continue
        if run:
            runs.append((run, rules))
        run, rules = [change], these
    if run:
        runs.append((run, rules))
    return runs


def _observance(change: _Change, daylight: bool, rrule: dict[str, Any] | None = None) -> Any:
    piece = TimezoneDaylight() if daylight else TimezoneStandard()
    piece.add("dtstart", change.wall)
    if rrule is not None:
        piece.add("rrule", rrule)
    else:
        # The onset again as an RDATE: some readers (python's ical) take onsets only from
        # RRULE and RDATE, never from DTSTART alone.
        piece.add("rdate", change.wall)
    if change.name:
        piece.add("tzname", change.name)
    piece.add("tzoffsetfrom", change.before)
    piece.add("tzoffsetto", change.after)
    return piece
