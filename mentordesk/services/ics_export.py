"""Export every session as an RFC 5545 calendar file, for mentors without Google Calendar.

A series is one VEVENT with its RRULE in the series' own IANA zone (so DST never moves it);
a cancelled occurrence is an EXDATE on it; a moved or edited occurrence is an override
VEVENT with the series' UID and a RECURRENCE-ID, as RFC 5545 §3.8.4.4 describes.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mentordesk.storage import sync_repo
from mentordesk.storage.database import Database
from mentordesk.storage.schema import Session as SessionRow
from mentordesk.storage.types import utcnow

if TYPE_CHECKING:
    from icalendar import Event

PRODID = "-//MentorDesk//MentorDesk sessions//EN"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _uid(row: SessionRow) -> str:
    # The Google event id when there is one: re-importing next to a synced calendar then
    # matches instead of duplicating.
    return f"{row.google_event_id or f'session-{row.id}'}@mentordesk"


def _event(row: SessionRow, mentee: str | None, stamp: datetime) -> Event:
    from icalendar import Event, vRecur

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
        event.add("rrule", vRecur.from_ical(row.rrule.removeprefix("RRULE:")))
    return event


def export_ics(db: Database, path: Path) -> int:
    """Write all sessions to ``path`` (atomically); returns how many sessions were written."""
    from icalendar import Calendar

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
    for event in events.values():
        calendar.add_component(event)
    # add_missing_timezones writes the VTIMEZONE blocks every TZID needs (RFC 5545 §3.6.5).
    calendar.add_missing_timezones()
    data = calendar.to_ical()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count
