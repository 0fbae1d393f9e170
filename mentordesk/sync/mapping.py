"""Sessions ⇄ Google events, and the three-way merge of the fields MentorDesk owns.

MentorDesk owns title, time, recurrence, description and whether the session happens;
Google owns attendee replies, reminders, colour and conference details. Only owned fields
are ever written by a PATCH, so Google's side survives every push untouched.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mentordesk.domain.recurrence import RecurrenceError, iter_occurrences, parse_rule
from mentordesk.domain.timezones import is_valid_zone

Json = dict[str, Any]

PRIVATE_KEY = "mentordeskSessionId"
# Which database file an event belongs to: session ids are only unique within one file, so
# a marker is ours only when this matches (events from before it existed count as ours).
FILE_KEY = "mentordeskFile"
# The session's global id (team mode): the same session on every desk of a team, so the
# event one desk made is recognised by the others instead of made again.
UID_KEY = "mentordeskUid"
# sendUpdates values Google accepts; "none" also means no attendee is added.
INVITE_CHOICES: tuple[str, ...] = ("none", "all", "externalOnly")
OWNED_FIELDS: tuple[str, ...] = (
    "title", "description", "start", "minutes", "timezone", "recurrence", "status",
)
FIELD_LABELS: dict[str, str] = {
    "title": "title",
    "description": "agenda",
    "start": "start time",
    "minutes": "duration",
    "timezone": "time zone",
    "recurrence": "recurrence",
    "status": "cancellation",
    "attendees": "mentee's email",
}
MAX_TITLE = 1024
# How a refusal by MentorDesk's own check (nothing was sent) starts; status.py reads it.
LOCAL_REFUSAL = "Not sent to Google Calendar (the "


@dataclass(frozen=True)
class SessionData:
    """What the push needs from one session row, read in a short transaction."""

    id: int
    google_event_id: str
    title: str
    agenda: str
    start_utc: datetime
    timezone: str
    duration_minutes: int
    rrule: str | None
    status: str
    want_meet: bool
    meeting_link: str | None
    mentee_email: str | None
    series_id: int | None
    original_start_utc: datetime | None
    # Original starts of cancelled occurrences kept as EXDATE lines on this series (those
    # pulled from Google's EXDATEs and those pushed before occurrences became instances).
    exdates: tuple[datetime, ...] = field(default=())
    # For one occurrence of a series: the series' Google event id, once it has one.
    master_event_id: str | None = None
    uid: str | None = None


def instance_id(master_event_id: str, original_start: datetime) -> str:
    """Google's id for one occurrence of a series: ``<seriesId>_<start in UTC basic>``."""
    return f"{master_event_id}_{original_start.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def is_instance_of(event_id: str | None, master_event_id: str | None) -> bool:
    return bool(event_id and master_event_id and event_id.startswith(master_event_id + "_"))


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def exdate_line(when: datetime, tz: str) -> str:
    local = when.astimezone(ZoneInfo(tz))
    return f"EXDATE;TZID={tz}:{local:%Y%m%dT%H%M%S}"


def parse_exdates(lines: Sequence[str], default_tz: str) -> list[datetime]:
    """The instants of every EXDATE line (RFC 5545 §3.8.5.1: a TZID, UTC or date values)."""
    out: list[datetime] = []
    for line in lines:
        if not line.upper().startswith("EXDATE"):
            continue
        head, _, values = line.partition(":")
        params = dict(p.split("=", 1) for p in head.split(";")[1:] if "=" in p)
        zone = _zone(params.get("TZID", default_tz))
        for value in values.split(","):
            value = value.strip()
            try:
                if len(value) == 8:
                    dt = datetime.strptime(value, "%Y%m%d").replace(tzinfo=zone)
                elif value.endswith("Z"):
                    dt = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
                else:
                    dt = datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=zone)
            except ValueError:
                continue
            out.append(dt.astimezone(UTC))
    return out


def normalise_recurrence(lines: Sequence[str], tz: str) -> list[str]:
    """Google's recurrence lines with EXDATEs in the one form MentorDesk writes, so that the
    same exclusions written differently (UTC, several per line) never count as a change."""
    kept = [line for line in lines if not line.upper().startswith("EXDATE")]
    kept.extend(exdate_line(d, tz) for d in parse_exdates(lines, tz))
    return sorted(set(kept))


def owned_from_session(s: SessionData) -> Json:
    recurrence: list[str] = []
    if s.rrule and s.series_id is None:
        recurrence.append(f"RRULE:{s.rrule.removeprefix('RRULE:')}")
        recurrence.extend(exdate_line(d, s.timezone) for d in s.exdates)
        recurrence = sorted(set(recurrence))
    return {
        "title": s.title,
        "description": s.agenda,
        "start": _iso(s.start_utc),
        "minutes": s.duration_minutes,
        "timezone": s.timezone,
        "recurrence": sorted(recurrence),
        "status": "cancelled" if s.status == "cancelled" else "confirmed",
    }


def _parse_when(value: Json, tz: str) -> tuple[datetime, bool]:
    if value.get("date"):
        day = date.fromisoformat(str(value["date"]))
        return datetime(day.year, day.month, day.day, tzinfo=_zone(tz)).astimezone(UTC), True
    raw = str(value.get("dateTime", ""))
    dt = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=_zone(value.get("timeZone") or tz))
    return dt.astimezone(UTC), False


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def owned_from_event(event: Json, default_tz: str) -> Json:
    start_raw: Json = event.get("start") or {}
    end_raw: Json = event.get("end") or {}
    tz = str(start_raw.get("timeZone") or default_tz)
    recurrence = normalise_recurrence([str(r) for r in event.get("recurrence") or []], tz)
    if not start_raw:
        # Without showDeleted Google guarantees a deleted event only its id and status:
        # every other field is absent, and absent is not a change.
        return {"status": "cancelled" if event.get("status") == "cancelled" else "confirmed"}
    start, _ = _parse_when(start_raw, tz)
    end, _ = _parse_when(end_raw or start_raw, tz)
    return {
        "title": str(event.get("summary") or ""),
        "description": str(event.get("description") or ""),
        "start": _iso(start),
        "minutes": max(1, int((end - start).total_seconds() // 60)),
        "timezone": tz,
        "recurrence": recurrence,
        "status": "cancelled" if event.get("status") == "cancelled" else "confirmed",
    }


def original_start(event: Json, default_tz: str) -> datetime | None:
    """Which occurrence of its series an exception event replaces (UTC)."""
    raw = event.get("originalStartTime")
    if not isinstance(raw, dict) or not (raw.get("dateTime") or raw.get("date")):
        return None
    try:
        when, _ = _parse_when(raw, str(raw.get("timeZone") or default_tz))
    except ValueError:
        return None
    return when


def meet_link(event: Json) -> str | None:
    if event.get("hangoutLink"):
        return str(event["hangoutLink"])
    for entry in (event.get("conferenceData") or {}).get("entryPoints") or []:
        if entry.get("entryPointType") == "video" and entry.get("uri"):
            return str(entry["uri"])
    return None


def session_marker(event: Json) -> str | None:
    private = (event.get("extendedProperties") or {}).get("private") or {}
    value = private.get(PRIVATE_KEY)
    return str(value) if value is not None else None


def uid_marker(event: Json) -> str | None:
    private = (event.get("extendedProperties") or {}).get("private") or {}
    value = private.get(UID_KEY)
    return str(value) if value else None


def file_marker(event: Json) -> str | None:
    private = (event.get("extendedProperties") or {}).get("private") or {}
    value = private.get(FILE_KEY)
    return str(value) if value is not None else None


def instance_fields(owned: Json) -> Json:
    """The PATCH that turns one occurrence of a series into this session's version of it."""
    body = event_fields(owned, {"title", "description", "start", "minutes", "timezone",
                                "status"})
    return body


def conference_request(s: SessionData) -> Json:
    # Google ignores a requestId it has seen before, so each request needs a new one; a
    # retried write cannot make a second meeting because the engine asks only while the
    # event has no conference at all (a pending one is read again, never re-requested).
    return {"createRequest": {"requestId": uuid.uuid4().hex,
                              "conferenceSolutionKey": {"type": "hangoutsMeet"}}}


def conference_status(event: Json) -> str | None:
    """"pending", "success" or "failure" for a conference Google is making; None without one."""
    conf = event.get("conferenceData") or {}
    status = ((conf.get("createRequest") or {}).get("status") or {}).get("statusCode")
    if status:
        return str(status)
    return "success" if meet_link(event) else None


def _when(owned: Json) -> tuple[Json, Json]:
    zone = ZoneInfo(owned["timezone"])
    start = datetime.fromisoformat(owned["start"].replace("Z", "+00:00"))
    end = start + timedelta(minutes=int(owned["minutes"]))
    return ({"dateTime": start.astimezone(zone).isoformat(), "timeZone": owned["timezone"]},
            {"dateTime": end.astimezone(zone).isoformat(), "timeZone": owned["timezone"]})


def event_fields(owned: Json, only: set[str] | None = None) -> Json:
    """The Google fields for ``owned`` (restricted to the keys in ``only``, if given)."""
    keys = set(OWNED_FIELDS) if only is None else only
    body: Json = {}
    if "title" in keys:
        body["summary"] = owned["title"]
    if "description" in keys:
        body["description"] = owned["description"]
    if keys & {"start", "minutes", "timezone", "recurrence"}:
        # Google needs the zone on both ends whenever a recurrence is involved.
        body["start"], body["end"] = _when(owned)
    if "recurrence" in keys:
        body["recurrence"] = list(owned["recurrence"])
    if "status" in keys:
        body["status"] = owned["status"]
    return body


def marker(session_id: int, file_id: str, uid: str | None = None) -> Json:
    private = {PRIVATE_KEY: str(session_id), FILE_KEY: file_id}
    if uid:
        private[UID_KEY] = uid
    return {"private": private}


def insert_body(s: SessionData, owned: Json, file_id: str, invite: str = "none") -> Json:
    body = event_fields(owned)
    body["id"] = s.google_event_id
    body["status"] = "confirmed"
    body["extendedProperties"] = marker(s.id, file_id, s.uid)
    if s.mentee_email and invite != "none":
        body["attendees"] = [{"email": s.mentee_email}]
    if s.want_meet and not s.meeting_link:
        body["conferenceData"] = conference_request(s)
    return body


def changed_fields(base: Json | None, current: Json) -> set[str]:
    if base is None:
        return set(OWNED_FIELDS)
    return {k for k in OWNED_FIELDS if base.get(k) != current.get(k)}


@dataclass(frozen=True)
class MergeResult:
    merged: Json
    conflicts: tuple[str, ...]


def merge(base: Json | None, mine: Json, theirs: Json) -> MergeResult:
    """Three-way merge per owned field against the last-synced snapshot ``base``."""
    base = base or {}
    merged: Json = {}
    conflicts: list[str] = []
    for key in OWNED_FIELDS:
        b, m = base.get(key), mine.get(key)
        t = theirs.get(key, m)
        if m == t or t == b:
            merged[key] = m
        elif m == b:
            merged[key] = t
        else:
            merged[key] = m
            conflicts.append(key)
    return MergeResult(merged, tuple(conflicts))


def validate(s: SessionData) -> tuple[str, str] | None:
    """A (field, message) for a session MentorDesk will not send, checked before anything
    is sent: data Google would refuse, or a repeat rule MentorDesk cannot read.

    The refusal is MentorDesk's, not Google's: each message says so and why, whole on its
    own ("MentorDesk cannot send this <what>: <why>"), to be shown as it is.
    """
    if len(s.title) > MAX_TITLE:
        return "title", (f"MentorDesk cannot send this title: it is longer than {MAX_TITLE} "
                         "characters, the most Google Calendar takes.")
    if not is_valid_zone(s.timezone):
        return "time zone", (f"MentorDesk cannot send this time zone: “{s.timezone}” is not "
                             "a known time zone.")
    if s.duration_minutes <= 0:
        return "duration", ("MentorDesk cannot send this duration: a session lasts at least "
                            "one minute.")
    if s.rrule and s.series_id is None:
        try:
            # Read and expanded the way the app itself does, in the session's own zone: an
            # UNTIL in UTC (what Google writes) is then compared with real instants, where a
            # zone-less reading refused every such rule.
            next(iter_occurrences(s.start_utc, s.timezone, parse_rule(s.rrule)), None)
        except RecurrenceError as exc:
            return "recurrence", f"MentorDesk cannot send this repeat rule (“{s.rrule}”): {exc}"
        except (ValueError, OverflowError):
            return "recurrence", (f"MentorDesk cannot send this repeat rule (“{s.rrule}”): it "
                                  "cannot be worked out from this session's start.")
    return None


def field_from_error(message: str) -> str:
    """Which session field a Google 400 message is about."""
    text = message.lower()
    for needle, name in (("time zone", "time zone"), ("recurrence", "recurrence"),
                         ("rrule", "recurrence"), ("time range", "duration"),
                         ("end time", "duration"), ("start time", "start time"),
                         ("summary", "title"), ("description", "agenda"),
                         ("attendee", "mentee's email"), ("email", "mentee's email")):
        if needle in text:
            return name
    return "session"


def dumps(owned: Json) -> str:
    return json.dumps(owned, sort_keys=True, separators=(",", ":"))


def loads(text: str | None) -> Json | None:
    if not text:
        return None
    value = json.loads(text)
    return value if isinstance(value, dict) else None


def apply_owned(row: Any, owned: Json) -> None:
    """Write Google's version of the owned fields onto a session row (ORM object)."""
    if "title" in owned:
        row.title = owned["title"]
        row.agenda = owned["description"]
        row.start_utc = datetime.fromisoformat(owned["start"].replace("Z", "+00:00"))
        row.duration_minutes = int(owned["minutes"])
        row.timezone = owned["timezone"]
        if row.series_id is None:
            rrules = [r for r in owned["recurrence"] if r.startswith("RRULE:")]
            row.rrule = rrules[0].removeprefix("RRULE:") if rrules else None
    if owned.get("status") == "cancelled":
        row.status = "cancelled"
    elif row.status == "cancelled":
        row.status = "scheduled"
