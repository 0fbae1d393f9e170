"""A local stand-in for the Google Calendar API v3 and Google's OAuth endpoints.

Written from the Calendar v3 discovery document (googleapiclient's
``discovery_cache/documents/calendar.v3.json``) and Google's guides on recurring events,
synchronization, errors and scopes, including their unpleasant parts: one occurrence of a
series changed in Google is an event of its own (``<seriesId>_<start UTC>``, with
``recurringEventId`` and ``originalStartTime``) and the series is untouched; deleted events in
an incremental list carry only id and status unless ``showDeleted``; ids stay taken after a
delete and after a purge (insert 409, GET 404); access tokens carry scopes and a call outside
them is 403 ``insufficientPermissions`` (``calendar.app.created`` cannot list calendars);
a new Meet conference starts ``pending`` and a repeated ``requestId`` is ignored; the
Calendar API can be switched off (403 ``accessNotConfigured``).

It follows the public API reference closely enough that the real google-api-python-client
can talk to it over HTTP: client-chosen base32hex event ids, 409 ``duplicate`` (also for
deleted ids), deleted events kept as ``status: cancelled``, etags that change on every
change, ``If-Match`` -> 412 ``conditionNotMet``, paging, sync tokens (410
``fullSyncRequired`` once invalidated), ``showDeleted``, conference creation only with
``conferenceDataVersion=1``, the multipart/mixed batch endpoint, and the OAuth token,
revoke and (auto-consenting) authorization endpoints.

Tests control it directly: fault injection (scripted or seeded random), a request log, and
"Google side" edits (move, cancel, add, attendee replies, colour).
"""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import itertools
import json
import random
import re
import secrets
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

API_PREFIX = "/calendar/v3"
BATCH_PATH = "/batch/calendar/v3"
EVENT_ID_RE = re.compile(r"^[a-v0-9]{5,1024}$")
MAX_BATCH = 1000
MAX_RESULTS_CAP = 2500
DEFAULT_MAX_RESULTS = 250
PRIVATE_KEY_MAX = 44
PRIVATE_VALUE_MAX = 1024

Json = dict[str, Any]


SCOPE_PREFIX = "https://www.googleapis.com/auth/"
SCOPE_FULL = SCOPE_PREFIX + "calendar"
SCOPE_READONLY = SCOPE_PREFIX + "calendar.readonly"
SCOPE_EVENTS = SCOPE_PREFIX + "calendar.events"
SCOPE_EVENTS_READONLY = SCOPE_PREFIX + "calendar.events.readonly"
SCOPE_APP_CREATED = SCOPE_PREFIX + "calendar.app.created"
SCOPE_CALENDARLIST = SCOPE_PREFIX + "calendar.calendarlist"
SCOPE_CALENDARLIST_READONLY = SCOPE_PREFIX + "calendar.calendarlist.readonly"
SCOPE_EMAIL = SCOPE_PREFIX + "userinfo.email"

# google.rpc.ErrorInfo reasons Google sends in error.details beside Calendar's own reasons.
_DETAIL_REASONS = {
    "insufficientPermissions": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
    "accessNotConfigured": "SERVICE_DISABLED",
    "rateLimitExceeded": "RATE_LIMIT_EXCEEDED",
}


class ApiError(Exception):
    def __init__(self, status: int, reason: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message
        self.headers = headers or {}

    def body(self) -> Json:
        error: Json = {
            "errors": [{"domain": "global", "reason": self.reason, "message": self.message}],
            "code": self.status,
            "message": self.message,
        }
        detail = _DETAIL_REASONS.get(self.reason)
        if detail is not None:
            # Google's newer envelope: the client library reads ``details`` first, and its
            # reasons differ from Calendar's ``errors[].reason``.
            error["status"] = "PERMISSION_DENIED" if self.status == 403 else "UNKNOWN"
            error["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                 "reason": detail, "domain": "googleapis.com",
                                 "metadata": {"service": "calendar-json.googleapis.com"}}]
        return {"error": error}


@dataclass
class Fault:
    """One injected failure. ``kind``: status | drop_before | drop_after | delay | portal
    (a hotel Wi-Fi login page answering 200 with HTML) | trickle (the answer comes a few
    bytes at a time, each within the socket timeout, for ``delay`` seconds in all)."""

    kind: str
    status: int = 503
    reason: str = "backendError"
    retry_after: float | None = None
    delay: float = 0.0
    # Only requests whose "METHOD path" contains this substring are hit.
    match: str = ""
    # outer: the HTTP request as a whole; inner: one call inside a batch (status faults only).
    scope: str = "outer"


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: str
    status: int
    fault: str = ""
    inner: int = 0


@dataclass
class Calendar:
    id: str
    summary: str
    time_zone: str
    deleted: bool = False
    events: dict[str, Json] = field(default_factory=dict)
    seq: dict[str, int] = field(default_factory=dict)
    # Made through calendars.insert by the OAuth client (what calendar.app.created covers).
    app_created: bool = False
    # Ids of events deleted and then purged: gone (GET 404) but never reusable (insert 409).
    purged: set[str] = field(default_factory=set)


@dataclass
class _PageState:
    calendar_id: str
    ids: list[str]
    next_sync_seq: int
    generation: int


class FaultPlan:
    """Scripted faults (consumed in order) plus optional seeded random faults."""

    RANDOM_KINDS: tuple[str, ...] = ("503", "500", "429", "403rate", "drop_before",
                                     "drop_after", "delay")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scripted: list[Fault] = []
        self._rng: random.Random | None = None
        self._rate = 0.0
        self._kinds: tuple[str, ...] = self.RANDOM_KINDS
        self._random_match: tuple[str, ...] = (API_PREFIX, BATCH_PATH)
        self.delay_seconds = 0.6
        self._hooks: list[tuple[str, Callable[[], object]]] = []

    def add(self, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._scripted.extend(copy.copy(fault) for _ in range(times))

    def set_random(self, rate: float, seed: int, kinds: tuple[str, ...] | None = None,
                   match: tuple[str, ...] = (API_PREFIX, BATCH_PATH)) -> None:
        with self._lock:
            self._rng = random.Random(seed)
            self._rate = rate
            self._kinds = kinds or self.RANDOM_KINDS
            self._random_match = match

    def clear(self) -> None:
        with self._lock:
            self._scripted.clear()
            self._rng = None
            self._rate = 0.0

    def pending(self) -> int:
        with self._lock:
            return len(self._scripted)

    def before(self, match: str, action: Callable[[], object]) -> None:
        """Run ``action`` once, just before the next request matching ``match`` is handled:
        an edit in Google that races with ours."""
        with self._lock:
            self._hooks.append((match, action))

    def run_hooks(self, method: str, path: str) -> None:
        target = f"{method} {path}"
        with self._lock:
            due = [h for h in self._hooks if h[0] in target]
            self._hooks = [h for h in self._hooks if h[0] not in target]
        for _, action in due:
            action()

    def take(self, method: str, path: str, scope: str) -> Fault | None:
        target = f"{method} {path}"
        with self._lock:
            for i, fault in enumerate(self._scripted):
                if fault.scope == scope and fault.match in target:
                    return self._scripted.pop(i)
            if self._rng is None or not any(m in path for m in self._random_match):
                return None
            if self._rng.random() >= self._rate:
                return None
            kinds = self._kinds if scope == "outer" else tuple(
                k for k in self._kinds if k in ("503", "500", "429", "403rate"))
            if not kinds:
                return None
            kind = self._rng.choice(kinds)
        return self._random_fault(kind, scope)

    def _random_fault(self, kind: str, scope: str) -> Fault:
        if kind == "503":
            return Fault("status", 503, "backendError", scope=scope)
        if kind == "500":
            return Fault("status", 500, "backendError", scope=scope)
        if kind == "429":
            return Fault("status", 429, "rateLimitExceeded", retry_after=0, scope=scope)
        if kind == "403rate":
            return Fault("status", 403, "userRateLimitExceeded", scope=scope)
        if kind == "delay":
            return Fault("delay", delay=self.delay_seconds, scope=scope)
        return Fault(kind, scope=scope)


def _now() -> datetime:
    return datetime.now(UTC)


def _rfc3339(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def _parse_when(value: Json, what: str) -> tuple[datetime, bool]:
    """Parse an EventDateTime; returns (instant, all_day)."""
    if value.get("date"):
        return datetime.fromisoformat(value["date"]).replace(tzinfo=UTC), True
    raw = value.get("dateTime")
    if not raw:
        raise ApiError(400, "required", f"Missing {what} time.")
    tz_name = value.get("timeZone")
    if tz_name:
        try:
            zone = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ApiError(400, "invalid", f"Invalid time zone definition for {what} time.") \
                from exc
    try:
        dt = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError as exc:
        raise ApiError(400, "invalid", f"Invalid {what} time.") from exc
    if dt.tzinfo is None:
        if not tz_name:
            raise ApiError(400, "required", f"Missing time zone definition for {what} time.")
        dt = dt.replace(tzinfo=zone)
    return dt, False


class CalendarStandIn:
    """The fake Google. ``start()`` binds 127.0.0.1 on a random port."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.faults = FaultPlan()
        self.log: list[LoggedRequest] = []
        self.calendars: dict[str, Calendar] = {}
        self._seq = itertools.count(1)
        self._last_seq = 0
        self._sync_generation = 0
        self._pages: dict[str, _PageState] = {}
        self.client_id = "standin-client.apps.googleusercontent.com"
        self.client_secret = "standin-secret"
        self.refresh_tokens: dict[str, dict[str, Any]] = {}
        self.access_tokens: dict[str, str] = {}
        self.issued_access_tokens: list[str] = []
        self.auth_codes: dict[str, dict[str, str]] = {}
        self.revoked_count = 0
        self.account = "mentor@example.com"
        self.primary = Calendar("primary-" + secrets.token_hex(4), self.account, "Europe/Berlin")
        self.calendars[self.primary.id] = self.primary
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        # Test switches for Google's unpleasant parts.
        self.api_enabled = True  # False: every API call is 403 accessNotConfigured
        self.enforce_scopes = True
        self.conference_reads_until_ready = 1  # GETs of an event before its Meet is ready
        self.conference_failures = 0  # the next N conference requests fail
        self.used_request_ids: set[str] = set()
        self.redirect_uris: list[str] = []
        # "METHOD path?query" of every call made inside a batch.
        self.inner_queries: list[str] = []

    # ---- lifecycle -----------------------------------------------------------------------

    def start(self, port: int = 0) -> None:
        standin = self

        class Handler(_Handler):
            owner = standin

        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        server.daemon_threads = True
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="calendar-standin", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_endpoint(self) -> str:
        return f"{self.base_url}{API_PREFIX}/"

    @property
    def token_uri(self) -> str:
        return f"{self.base_url}/token"

    def client_secrets(self) -> Json:
        return {
            "installed": {
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "auth_uri": f"{self.base_url}/o/oauth2/auth",
                "token_uri": self.token_uri,
                "redirect_uris": ["http://127.0.0.1"],
            }
        }

    # ---- test controls -------------------------------------------------------------------

    def issue_refresh_token(self, scopes: list[str]) -> str:
        token = "1//rt-" + secrets.token_urlsafe(24)
        with self.lock:
            self.refresh_tokens[token] = {"scopes": scopes, "revoked": False}
        return token

    def revoke_all(self) -> None:
        with self.lock:
            for info in self.refresh_tokens.values():
                info["revoked"] = True
            self.access_tokens.clear()

    def invalidate_sync_tokens(self) -> None:
        with self.lock:
            self._sync_generation += 1

    def request_count(self, prefix: str = "") -> int:
        with self.lock:
            return sum(1 for r in self.log if r.path.startswith(prefix))

    def reset_log(self) -> None:
        with self.lock:
            self.log.clear()
            self.inner_queries.clear()

    def calendar_by_summary(self, summary: str) -> Calendar | None:
        with self.lock:
            for cal in self.calendars.values():
                if cal.summary == summary and not cal.deleted:
                    return cal
        return None

    def events(self, calendar_id: str, include_cancelled: bool = False) -> list[Json]:
        with self.lock:
            cal = self.calendars[calendar_id]
            return [copy.deepcopy(e) for e in cal.events.values()
                    if include_cancelled or e["status"] != "cancelled"]

    def get_event(self, calendar_id: str, event_id: str) -> Json:
        with self.lock:
            return copy.deepcopy(self.calendars[calendar_id].events[event_id])

    def remote_patch(self, calendar_id: str, event_id: str, changes: Json) -> Json:
        """An edit made in Google Calendar's UI."""
        with self.lock:
            cal = self.calendars[calendar_id]
            event = cal.events[event_id]
            _merge_patch(event, changes)
            self._touch(cal, event)
            return copy.deepcopy(event)

    def remote_move(self, calendar_id: str, event_id: str, start: datetime,
                    end: datetime) -> Json:
        tz = self.get_event(calendar_id, event_id)["start"].get("timeZone", "UTC")
        zone = ZoneInfo(tz)
        return self.remote_patch(calendar_id, event_id, {
            "start": {"dateTime": start.astimezone(zone).isoformat(), "timeZone": tz},
            "end": {"dateTime": end.astimezone(zone).isoformat(), "timeZone": tz},
        })

    def remote_cancel(self, calendar_id: str, event_id: str) -> Json:
        return self.remote_patch(calendar_id, event_id, {"status": "cancelled"})

    def remote_set_color(self, calendar_id: str, event_id: str, color_id: str) -> Json:
        return self.remote_patch(calendar_id, event_id, {"colorId": color_id})

    def remote_reply(self, calendar_id: str, event_id: str, email: str, response: str) -> Json:
        with self.lock:
            cal = self.calendars[calendar_id]
            event = cal.events[event_id]
            for attendee in event.setdefault("attendees", []):
                if attendee.get("email", "").lower() == email.lower():
                    attendee["responseStatus"] = response
            self._touch(cal, event)
            return copy.deepcopy(event)

    def remote_add(self, calendar_id: str, summary: str, start: datetime, end: datetime,
                   attendees: tuple[str, ...] = (), tz: str = "UTC",
                   recurrence: list[str] | None = None, event_type: str = "default",
                   extra: Json | None = None) -> Json:
        body: Json = {
            "summary": summary,
            "start": {"dateTime": start.astimezone(ZoneInfo(tz)).isoformat(), "timeZone": tz},
            "end": {"dateTime": end.astimezone(ZoneInfo(tz)).isoformat(), "timeZone": tz},
            "attendees": [{"email": a, "responseStatus": "needsAction"} for a in attendees],
            "eventType": event_type,
        }
        if recurrence:
            body["recurrence"] = recurrence
        body.update(extra or {})
        with self.lock:
            return self._insert_event(self.calendars[calendar_id], body, {})

    def remote_cancel_occurrence(self, calendar_id: str, series_id: str,
                                 original_start: datetime) -> Json:
        """"Delete → This event" on one occurrence in Google Calendar: the series stays as
        it is; the occurrence becomes a cancelled exception event."""
        with self.lock:
            cal = self.calendars[calendar_id]
            event = self._materialize_instance(cal, instance_id(series_id, original_start))
            event["status"] = "cancelled"
            self._touch(cal, event)
            return self._public(event)

    def remote_move_occurrence(self, calendar_id: str, series_id: str,
                               original_start: datetime, start: datetime, end: datetime,
                               summary: str | None = None) -> Json:
        """Drag one occurrence to another time, "This event" only."""
        with self.lock:
            cal = self.calendars[calendar_id]
            event = self._materialize_instance(cal, instance_id(series_id, original_start))
            tz = event["start"].get("timeZone", "UTC")
            zone = ZoneInfo(tz)
            event["start"] = {"dateTime": start.astimezone(zone).isoformat(), "timeZone": tz}
            event["end"] = {"dateTime": end.astimezone(zone).isoformat(), "timeZone": tz}
            if summary is not None:
                event["summary"] = summary
            event["sequence"] = int(event.get("sequence", 0)) + 1
            self._touch(cal, event)
            return self._public(event)

    def purge_event(self, calendar_id: str, event_id: str) -> None:
        """An event deleted and then emptied from the trash: GET 404, its id still taken."""
        with self.lock:
            cal = self.calendars[calendar_id]
            cal.events.pop(event_id, None)
            cal.seq.pop(event_id, None)
            cal.purged.add(event_id)

    def delete_calendar(self, calendar_id: str) -> None:
        with self.lock:
            self.calendars[calendar_id].deleted = True

    # ---- state helpers -------------------------------------------------------------------

    def _next_seq(self) -> int:
        self._last_seq = next(self._seq)
        return self._last_seq

    def _touch(self, cal: Calendar, event: Json) -> None:
        seq = self._next_seq()
        cal.seq[event["id"]] = seq
        event["updated"] = _rfc3339(_now())
        event["etag"] = f'"{int(time.time() * 1000)}{seq:06d}"'
        event["sequence"] = int(event.get("sequence", 0))

    def _calendar(self, calendar_id: str) -> Calendar:
        cid = urllib.parse.unquote(calendar_id)
        if cid == "primary":
            return self.primary
        cal = self.calendars.get(cid)
        if cal is None or cal.deleted:
            raise ApiError(404, "notFound", "Not Found")
        return cal

    def _validate_event(self, event: Json) -> None:
        start, start_all_day = _parse_when(event.get("start") or {}, "start")
        end, end_all_day = _parse_when(event.get("end") or {}, "end")
        if start_all_day != end_all_day:
            raise ApiError(400, "invalid", "Start and end times must either both be date or both "
                                           "be dateTime.")
        if end <= start:
            raise ApiError(400, "timeRangeEmpty", "The specified time range is empty.")
        recurrence = event.get("recurrence") or []
        if recurrence:
            for when in ("start", "end"):
                if not start_all_day and not (event.get(when) or {}).get("timeZone"):
                    raise ApiError(400, "required",
                                   f"Missing time zone definition for {when} time.")
            for line in recurrence:
                if not re.match(r"^(RRULE|EXRULE|RDATE|EXDATE)[:;]", str(line)):
                    raise ApiError(400, "invalid", "Invalid recurrence rule.")
                if str(line).startswith("RRULE:") and "FREQ=" not in str(line):
                    raise ApiError(400, "invalid", "Invalid recurrence rule.")
        private = ((event.get("extendedProperties") or {}).get("private") or {})
        for key, value in private.items():
            if len(key) > PRIVATE_KEY_MAX or len(str(value)) > PRIVATE_VALUE_MAX:
                raise ApiError(400, "invalid", "Invalid extended property value.")
        if len(event.get("summary") or "") > 1024:
            raise ApiError(400, "invalid", "Invalid summary value.")

    def _apply_conference(self, event: Json, body: Json, params: dict[str, str]) -> None:
        conf = body.get("conferenceData")
        if conf is None:
            return
        if params.get("conferenceDataVersion", "0") != "1":
            # Google silently ignores conference data without conferenceDataVersion=1.
            event.pop("conferenceData", None)
            if "_conference" in event:
                event["conferenceData"] = event["_conference"]
            return
        request = conf.get("createRequest")
        request_id = str((request or {}).get("requestId", ""))
        # A requestId Google has seen before is ignored: no new conference.
        if request and request_id not in self.used_request_ids and \
                self._conference_state(event) in (None, "failure"):
            self.used_request_ids.add(request_id)
            failed = self.conference_failures > 0
            if failed:
                self.conference_failures -= 1
            event["_conference"] = {
                "createRequest": {
                    "requestId": request_id,
                    "conferenceSolutionKey": {"type": "hangoutsMeet"},
                    "status": {"statusCode": "failure" if failed else "pending"},
                },
            }
            event["_conference_reads"] = 0
            event.pop("hangoutLink", None)
        event.pop("conferenceData", None)
        if "_conference" in event:
            event["conferenceData"] = event["_conference"]

    @staticmethod
    def _conference_state(event: Json) -> str | None:
        conf = event.get("_conference")
        if not conf:
            return None
        return str(conf["createRequest"]["status"]["statusCode"])

    def _advance_conference(self, cal: Calendar, event: Json) -> None:
        """A pending conference becomes ready after a few reads of its event."""
        if self._conference_state(event) != "pending":
            return
        event["_conference_reads"] = int(event.get("_conference_reads", 0)) + 1
        if event["_conference_reads"] < self.conference_reads_until_ready:
            return
        conf = event["_conference"]
        request_id = conf["createRequest"]["requestId"]
        digest = hashlib.sha256(f"{event['id']}/{request_id}".encode()).hexdigest()
        letters = "".join(chr(ord("a") + int(c, 16) % 26) for c in digest[:10])
        code = f"{letters[:3]}-{letters[3:7]}-{letters[7:10]}"
        conf["createRequest"]["status"] = {"statusCode": "success"}
        conf["entryPoints"] = [{"entryPointType": "video",
                                "uri": f"https://meet.google.com/{code}",
                                "label": f"meet.google.com/{code}"}]
        conf["conferenceSolution"] = {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"}
        conf["conferenceId"] = code
        event["conferenceData"] = conf
        event["hangoutLink"] = f"https://meet.google.com/{code}"
        self._touch(cal, event)

    # ---- recurring series ----------------------------------------------------------------

    def _occurs(self, series: Json, original: datetime) -> bool:
        from dateutil.rrule import rrulestr

        tz = (series.get("start") or {}).get("timeZone") or "UTC"
        zone = ZoneInfo(tz)
        start, _ = _parse_when(series["start"], "start")
        dtstart = start.astimezone(zone)
        lines = [str(x) for x in series.get("recurrence") or []]
        try:
            ruleset = rrulestr("\n".join(lines), dtstart=dtstart, forceset=True,
                               tzids=lambda name: ZoneInfo(name))
        except (ValueError, TypeError):
            return False
        local = original.astimezone(zone)
        return bool(ruleset.between(local, local, inc=True))

    def _materialize_instance(self, cal: Calendar, event_id: str) -> Json:
        """The stored exception for ``<seriesId>_<start>``, made from its series on first
        use (404 when the series has no such occurrence)."""
        stored = cal.events.get(event_id)
        if stored is not None:
            return stored
        virtual = self._virtual_instance(cal, event_id)
        if virtual is None:
            raise ApiError(404, "notFound", "Not Found")
        cal.events[event_id] = virtual
        return virtual

    def _virtual_instance(self, cal: Calendar, event_id: str) -> Json | None:
        series_id, sep, stamp = event_id.rpartition("_")
        series = cal.events.get(series_id) if sep else None
        if series is None or not series.get("recurrence") or series["status"] == "cancelled":
            return None
        try:
            original = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return None
        if not self._occurs(series, original):
            return None
        tz = (series.get("start") or {}).get("timeZone") or "UTC"
        zone = ZoneInfo(tz)
        start, _ = _parse_when(series["start"], "start")
        end, _ = _parse_when(series["end"], "end")
        local = original.astimezone(zone)
        instance = {k: copy.deepcopy(v) for k, v in series.items()
                    if k not in ("recurrence", "id", "_conference", "_conference_reads")}
        instance.update({
            "id": event_id,
            "recurringEventId": series_id,
            "originalStartTime": {"dateTime": local.isoformat(), "timeZone": tz},
            "start": {"dateTime": local.isoformat(), "timeZone": tz},
            "end": {"dateTime": (local + (end - start)).isoformat(), "timeZone": tz},
            "iCalUID": series.get("iCalUID"),
        })
        return instance

    # ---- scopes --------------------------------------------------------------------------

    def _require(self, scopes: set[str], any_of: set[str], app_cal: Calendar | None = None
                 ) -> None:
        """403 insufficientPermissions unless the token has one of ``any_of`` (or
        calendar.app.created, for a calendar this app made)."""
        if not self.enforce_scopes or scopes & any_of:
            return
        if app_cal is not None and app_cal.app_created and SCOPE_APP_CREATED in scopes:
            return
        raise ApiError(403, "insufficientPermissions",
                       "Request had insufficient authentication scopes.")

    def _insert_event(self, cal: Calendar, body: Json, params: dict[str, str]) -> Json:
        event_id = body.get("id")
        if event_id is None:
            event_id = secrets.token_hex(13)
            while event_id in cal.events:
                event_id = secrets.token_hex(13)
        elif not EVENT_ID_RE.match(str(event_id)):
            raise ApiError(400, "invalid", "Invalid resource id value.")
        elif event_id in cal.events or event_id in cal.purged:
            raise ApiError(409, "duplicate", "The requested identifier already exists.")
        event: Json = {k: copy.deepcopy(v) for k, v in body.items()
                       if k not in ("etag", "created", "updated", "htmlLink", "hangoutLink",
                                    "kind", "creator", "organizer", "iCalUID")}
        event["id"] = event_id
        event["kind"] = "calendar#event"
        event.setdefault("status", "confirmed")
        self._validate_event(event)
        event["created"] = _rfc3339(_now())
        event["htmlLink"] = f"https://www.google.com/calendar/event?eid={event_id}"
        event["iCalUID"] = f"{event_id}@google.com"
        event["creator"] = {"email": self.account}
        event["organizer"] = {"email": cal.id, "displayName": cal.summary, "self": True}
        event.setdefault("reminders", {"useDefault": True})
        event.setdefault("eventType", "default")
        event["sequence"] = 0
        self._apply_conference(event, body, params)
        cal.events[event_id] = event
        self._touch(cal, event)
        return self._public(event)

    @staticmethod
    def _live_series_of(cal: Calendar, event: Json) -> bool:
        series = cal.events.get(str(event.get("recurringEventId", "")))
        return series is not None and series["status"] != "cancelled"

    def _listed(self, event: Json, minimal: bool) -> Json:
        if minimal and event["status"] == "cancelled":
            # Deleted events are guaranteed only id and status (and, for an occurrence of a
            # series, which series and which occurrence).
            keep = ("kind", "etag", "id", "status", "recurringEventId", "originalStartTime")
            return {k: copy.deepcopy(event[k]) for k in keep if k in event}
        return self._public(event)

    @staticmethod
    def _public(event: Json) -> Json:
        return {k: copy.deepcopy(v) for k, v in event.items() if not k.startswith("_")}

    def _patch_event(self, cal: Calendar, event_id: str, body: Json, params: dict[str, str],
                     if_match: str | None, replace: bool) -> Json:
        event = cal.events.get(event_id)
        if event is None:
            # Patching one occurrence of a series turns it into an exception event.
            virtual = self._virtual_instance(cal, event_id)
            if virtual is None:
                raise ApiError(404, "notFound", "Not Found")
            virtual["etag"] = '"virtual"'
            cal.events[event_id] = virtual
            try:
                return self._patch_event(cal, event_id, body, params, if_match, replace)
            except ApiError:
                del cal.events[event_id]
                raise
        if if_match is not None and if_match != "*" and if_match != event["etag"]:
            raise ApiError(412, "conditionNotMet", "Precondition Failed")
        updated = copy.deepcopy(event)
        if replace:
            keep: Json = {k: updated[k] for k in ("id", "kind", "created", "htmlLink", "iCalUID",
                                            "creator", "organizer", "etag", "updated",
                                            "sequence", "eventType", "_conference",
                                            "_conference_reads", "hangoutLink",
                                            "recurringEventId", "originalStartTime")
                          if k in updated}
            updated = {**keep, **{k: copy.deepcopy(v) for k, v in body.items()}}
            updated.setdefault("status", "confirmed")
            if "conferenceData" in body and params.get("conferenceDataVersion") != "1":
                updated.pop("conferenceData", None)
        else:
            conf = body.get("conferenceData")
            _merge_patch(updated, {k: v for k, v in body.items()
                                   if k not in ("id", "etag", "conferenceData")})
            if conf is not None:
                updated["conferenceData"] = conf
        self._validate_event(updated)
        self._apply_conference(updated, body, params)
        for time_field in ("start", "end"):
            if updated.get(time_field) != event.get(time_field):
                updated["sequence"] = int(event.get("sequence", 0)) + 1
        cal.events[event_id] = updated
        self._touch(cal, updated)
        return self._public(updated)

    def _list_events(self, cal: Calendar, params: dict[str, str]) -> Json:
        max_results = min(int(params.get("maxResults", DEFAULT_MAX_RESULTS)), MAX_RESULTS_CAP)
        if max_results < 1:
            raise ApiError(400, "invalid", "Invalid value for: maxResults")
        page_token = params.get("pageToken")
        sync_token = params.get("syncToken")
        if sync_token:
            forbidden = {"timeMin", "timeMax", "q", "orderBy", "updatedMin", "iCalUID",
                         "privateExtendedProperty", "sharedExtendedProperty"} & params.keys()
            if forbidden:
                raise ApiError(400, "invalid",
                               f"Sync token cannot be combined with {sorted(forbidden)[0]}.")
        if page_token:
            state = self._pages.get(page_token)
            if state is None or state.calendar_id != cal.id:
                raise ApiError(400, "invalid", "Invalid page token value.")
            if state.generation != self._sync_generation and sync_token:
                raise ApiError(410, "fullSyncRequired", "Sync token is no longer valid, a full "
                                                        "sync is required.")
        else:
            if sync_token:
                match = re.fullmatch(r"st-(\d+)-(\d+)-([\w.@-]+)", sync_token)
                if match is None:
                    raise ApiError(400, "invalid", "Invalid sync token value.")
                generation, since = int(match.group(1)), int(match.group(2))
                if generation != self._sync_generation or match.group(3) != cal.id:
                    raise ApiError(410, "fullSyncRequired", "Sync token is no longer valid, a "
                                                            "full sync is required.")
                ids = [eid for eid, seq in cal.seq.items() if seq > since]
            else:
                show_deleted = params.get("showDeleted", "false") == "true"
                # Cancelled occurrences of a live series are listed even without
                # showDeleted (the discovery document's showDeleted description).
                ids = [eid for eid, ev in cal.events.items()
                       if show_deleted or ev["status"] != "cancelled"
                       or self._live_series_of(cal, ev)]
                private = params.get("privateExtendedProperty")
                if private:
                    key, _, value = private.partition("=")
                    ids = [eid for eid in ids if ((cal.events[eid].get("extendedProperties")
                                                   or {}).get("private") or {}).get(key) == value]
            ids.sort(key=lambda eid: cal.seq.get(eid, 0))
            state = _PageState(cal.id, ids, self._last_seq, self._sync_generation)
        offset = 0
        if page_token:
            offset = int(page_token.split(".")[-1])
        chunk = state.ids[offset:offset + max_results]
        minimal = params.get("showDeleted", "false") != "true"
        items = [self._listed(cal.events[eid], minimal) for eid in chunk if eid in cal.events]
        result: Json = {
            "kind": "calendar#events",
            "etag": f'"{state.next_sync_seq}"',
            "summary": cal.summary,
            "timeZone": cal.time_zone,
            "accessRole": "owner",
            "updated": _rfc3339(_now()),
            "items": items,
        }
        if offset + max_results < len(state.ids):
            token = f"pt{secrets.token_hex(8)}.{offset + max_results}"
            self._pages[token] = state
            result["nextPageToken"] = token
        else:
            result["nextSyncToken"] = f"st-{state.generation}-{state.next_sync_seq}-{cal.id}"
        return result

    # ---- routing -------------------------------------------------------------------------

    def handle_api(self, method: str, path: str, params: dict[str, str], headers: dict[str, str],
                   body: bytes) -> tuple[int, Json | None, dict[str, str]]:
        """Handle one (non-batch) API call; returns (status, json body, extra headers)."""
        scopes = self._check_auth(headers)
        if not self.api_enabled:
            raise ApiError(403, "accessNotConfigured",
                           "Google Calendar API has not been used in project 1234567890 "
                           "before or it is disabled. Enable it by visiting https://console."
                           "developers.google.com/apis/api/calendar-json.googleapis.com/"
                           "overview?project=1234567890 then retry.")
        payload: Json = {}
        if body:
            try:
                payload = json.loads(body)
            except ValueError as exc:
                raise ApiError(400, "parseError", "Parse Error") from exc
        rest = path[len(API_PREFIX):]
        parts = [p for p in rest.split("/") if p]
        read_events = {SCOPE_FULL, SCOPE_READONLY, SCOPE_EVENTS, SCOPE_EVENTS_READONLY}
        write_events = {SCOPE_FULL, SCOPE_EVENTS}
        list_calendars = {SCOPE_FULL, SCOPE_READONLY, SCOPE_CALENDARLIST,
                          SCOPE_CALENDARLIST_READONLY}
        with self.lock:
            if parts == ["calendars"] and method == "POST":
                self._require(scopes, {SCOPE_FULL, SCOPE_APP_CREATED})
                if not payload.get("summary"):
                    raise ApiError(400, "required", "Missing title.")
                cal_id = f"{secrets.token_hex(16)}@group.calendar.google.com"
                cal = Calendar(cal_id, payload["summary"], payload.get("timeZone", "UTC"),
                               app_created=True)
                self.calendars[cal_id] = cal
                return 200, self._calendar_json(cal), {}
            if parts == ["users", "me", "calendarList"] and method == "GET":
                # calendar.app.created may not list calendars (Google's scope table).
                self._require(scopes, list_calendars)
                items = [{**self._calendar_json(c), "kind": "calendar#calendarListEntry",
                          "accessRole": "owner", "primary": c is self.primary}
                         for c in self.calendars.values() if not c.deleted]
                return 200, {"kind": "calendar#calendarList", "items": items}, {}
            if parts[:3] == ["users", "me", "calendarList"] and len(parts) == 4 \
                    and method == "GET":
                cal = self._calendar(parts[3])
                self._require(scopes, list_calendars, cal)
                return 200, {**self._calendar_json(cal), "kind": "calendar#calendarListEntry",
                             "accessRole": "owner", "primary": cal is self.primary}, {}
            if len(parts) == 2 and parts[0] == "calendars":
                cal = self._calendar(parts[1])
                if method == "GET":
                    self._require(scopes, {SCOPE_FULL, SCOPE_READONLY}, cal)
                    return 200, self._calendar_json(cal), {}
                if method == "DELETE":
                    self._require(scopes, {SCOPE_FULL}, cal)
                    if cal is self.primary:
                        raise ApiError(400, "cannotDeletePrimaryCalendar",
                                       "Cannot delete primary calendar.")
                    cal.deleted = True
                    return 204, None, {}
            if len(parts) >= 3 and parts[0] == "calendars" and parts[2] == "events":
                cal = self._calendar(parts[1])
                self._require(scopes, read_events if method == "GET" else write_events, cal)
                if len(parts) == 3:
                    if method == "GET":
                        return 200, self._list_events(cal, params), {}
                    if method == "POST":
                        event = self._insert_event(cal, payload, params)
                        return 200, event, {"ETag": event["etag"]}
                elif len(parts) == 4:
                    event_id = urllib.parse.unquote(parts[3])
                    if method == "GET":
                        stored = cal.events.get(event_id)
                        if stored is None:
                            virtual = self._virtual_instance(cal, event_id)
                            if virtual is None:
                                raise ApiError(404, "notFound", "Not Found")
                            series = cal.events[virtual["recurringEventId"]]
                            virtual["etag"] = series["etag"]
                            return 200, self._public(virtual), {"ETag": virtual["etag"]}
                        self._advance_conference(cal, stored)
                        return 200, self._public(stored), {"ETag": stored["etag"]}
                    if method in ("PATCH", "PUT"):
                        event = self._patch_event(cal, event_id, payload, params,
                                                  headers.get("if-match"), method == "PUT")
                        return 200, event, {"ETag": event["etag"]}
                    if method == "DELETE":
                        stored = cal.events.get(event_id)
                        if stored is None:
                            # Deleting one occurrence cancels it as an exception.
                            if self._virtual_instance(cal, event_id) is None:
                                raise ApiError(404, "notFound", "Not Found")
                            stored = self._materialize_instance(cal, event_id)
                        elif stored["status"] == "cancelled":
                            raise ApiError(410, "deleted", "Resource has been deleted")
                        if_match = headers.get("if-match")
                        if if_match not in (None, "*", stored.get("etag")):
                            raise ApiError(412, "conditionNotMet", "Precondition Failed")
                        stored["status"] = "cancelled"
                        self._touch(cal, stored)
                        return 204, None, {}
        raise ApiError(404, "notFound", "Not Found")

    @staticmethod
    def _calendar_json(cal: Calendar) -> Json:
        return {"kind": "calendar#calendar", "etag": f'"{abs(hash(cal.id))}"', "id": cal.id,
                "summary": cal.summary, "timeZone": cal.time_zone}

    def _check_auth(self, headers: dict[str, str]) -> set[str]:
        """The scopes the request's access token carries (401 without a valid one)."""
        auth = headers.get("authorization", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
        with self.lock:
            refresh = self.access_tokens.get(token)
            if refresh is None or self.refresh_tokens[refresh]["revoked"]:
                raise ApiError(401, "authError", "Invalid Credentials")
            return set(self.refresh_tokens[refresh]["scopes"])

    def handle_token(self, form: dict[str, str]) -> tuple[int, Json]:
        grant = form.get("grant_type")
        with self.lock:
            if form.get("client_id") != self.client_id or \
                    form.get("client_secret") != self.client_secret:
                return 401, {"error": "invalid_client", "error_description": "Unauthorized"}
            if grant == "refresh_token":
                info = self.refresh_tokens.get(form.get("refresh_token", ""))
                if info is None or info["revoked"]:
                    return 400, {"error": "invalid_grant",
                                 "error_description": "Token has been expired or revoked."}
                access = "ya29.at-" + secrets.token_urlsafe(24)
                self.access_tokens[access] = form["refresh_token"]
                self.issued_access_tokens.append(access)
                return 200, {"access_token": access, "expires_in": 3599,
                             "scope": " ".join(info["scopes"]), "token_type": "Bearer"}
            if grant == "authorization_code":
                code = self.auth_codes.pop(form.get("code", ""), None)
                if code is None or code["redirect_uri"] != form.get("redirect_uri"):
                    return 400, {"error": "invalid_grant", "error_description": "Bad Request"}
                verifier = form.get("code_verifier", "")
                challenge = base64.urlsafe_b64encode(
                    hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if code["challenge"] and challenge != code["challenge"]:
                    return 400, {"error": "invalid_grant",
                                 "error_description": "Invalid code verifier."}
                scopes = code["scope"].split()
                refresh = self.issue_refresh_token(scopes)
                access = "ya29.at-" + secrets.token_urlsafe(24)
                self.access_tokens[access] = refresh
                self.issued_access_tokens.append(access)
                answer: Json = {"access_token": access, "expires_in": 3599,
                                "refresh_token": refresh, "scope": code["scope"],
                                "token_type": "Bearer"}
                if "openid" in scopes:
                    answer["id_token"] = self._id_token(form.get("client_id", ""),
                                                       SCOPE_EMAIL in scopes)
                return 200, answer
        return 400, {"error": "unsupported_grant_type"}

    def handle_revoke(self, token: str) -> int:
        with self.lock:
            if token in self.refresh_tokens:
                self.refresh_tokens[token]["revoked"] = True
            elif token in self.access_tokens:
                self.refresh_tokens[self.access_tokens[token]]["revoked"] = True
            else:
                return 400
            self.revoked_count += 1
            for access, refresh in list(self.access_tokens.items()):
                if self.refresh_tokens[refresh]["revoked"]:
                    del self.access_tokens[access]
        return 200

    def _id_token(self, audience: str, with_email: bool) -> str:
        """An OpenID Connect id token as Google's token endpoint returns it (a JWT)."""
        def part(data: Json) -> str:
            raw = json.dumps(data, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        claims: Json = {"iss": "https://accounts.google.com", "aud": audience,
                        "sub": "1234567890", "iat": int(time.time()),
                        "exp": int(time.time()) + 3600}
        if with_email:
            claims.update(email=self.account, email_verified=True)
        signature = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
        return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.{signature}"

    def handle_authorize(self, params: dict[str, str]) -> str:
        """Auto-consent: returns the redirect location with a code, as Google would."""
        if params.get("client_id") != self.client_id:
            raise ApiError(400, "invalid_client", "The OAuth client was not found.")
        with self.lock:
            self.redirect_uris.append(params.get("redirect_uri", ""))
        code = "4/code-" + secrets.token_urlsafe(16)
        with self.lock:
            self.auth_codes[code] = {
                "redirect_uri": params["redirect_uri"],
                "challenge": params.get("code_challenge", ""),
                "scope": params.get("scope", ""),
            }
        query = urllib.parse.urlencode({"state": params.get("state", ""), "code": code,
                                        "scope": params.get("scope", "")})
        return f"{params['redirect_uri']}?{query}"


def instance_id(series_id: str, original_start: datetime) -> str:
    return f"{series_id}_{original_start.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _merge_patch(target: Json, changes: Json) -> None:
    for key, value in changes.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict) and key not in (
                "start", "end"):
            _merge_patch(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


class _Handler(BaseHTTPRequestHandler):
    owner: CalendarStandIn
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle_one_request(self) -> None:
        with contextlib.suppress(ConnectionError, TimeoutError, OSError):
            super().handle_one_request()

    def _dispatch(self) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, query = parsed.path, parsed.query
        params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.owner.faults.run_hooks(self.command, path)
        fault = self.owner.faults.take(self.command, path, "outer")
        entry = LoggedRequest(self.command, urllib.parse.unquote(path), query, 0,
                              fault.kind if fault else "")
        with self.owner.lock:
            self.owner.log.append(entry)
        if fault is not None and fault.kind == "drop_before":
            self._drop()
            return
        if fault is not None and fault.kind == "portal":
            page = (b"<!DOCTYPE html><html><head><title>Welcome to Hotel Wi-Fi</title></head>"
                    b"<body><form action='/login'>Room number <input name=room></form>"
                    b"</body></html>")
            entry.status = 200
            self._send_raw(200, page, {}, "text/html; charset=utf-8")
            return
        if fault is not None and fault.kind == "trickle":
            entry.status = 200
            self._trickle(fault.delay)
            return
        if fault is not None and fault.kind == "status":
            entry.status = fault.status
            err = ApiError(fault.status, fault.reason, _fault_message(fault.reason))
            extra = {}
            if fault.retry_after is not None:
                extra["Retry-After"] = str(int(fault.retry_after))
            self._send_json(fault.status, err.body(), extra)
            return
        status, payload, extra, content_type = self._route(path, params, headers, body, entry)
        entry.status = status
        if fault is not None and fault.kind == "drop_after":
            self._drop()
            return
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.delay)
        self._send_raw(status, payload, extra, content_type)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _dispatch

    def _route(self, path: str, params: dict[str, str], headers: dict[str, str], body: bytes,
               entry: LoggedRequest) -> tuple[int, bytes, dict[str, str], str]:
        owner = self.owner
        if path == "/token" and self.command == "POST":
            form = dict(urllib.parse.parse_qsl(body.decode()))
            auth = headers.get("authorization", "")
            if auth.startswith("Basic "):
                # RFC 6749 §2.3.1: client credentials may come as HTTP Basic auth instead.
                user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
                form.setdefault("client_id", urllib.parse.unquote_plus(user))
                form.setdefault("client_secret", urllib.parse.unquote_plus(password))
            status, data = owner.handle_token(form)
            return status, json.dumps(data).encode(), {}, "application/json"
        if path == "/revoke" and self.command == "POST":
            form = dict(urllib.parse.parse_qsl(body.decode()))
            token = form.get("token") or params.get("token", "")
            return owner.handle_revoke(token), b"{}", {}, "application/json"
        if path == "/o/oauth2/auth" and self.command == "GET":
            try:
                location = owner.handle_authorize(params)
            except ApiError as exc:
                return exc.status, json.dumps(exc.body()).encode(), {}, "application/json"
            return 302, b"", {"Location": location}, "text/html"
        if path == BATCH_PATH and self.command == "POST":
            return self._batch(headers, body, entry)
        if path.startswith(API_PREFIX):
            status, answer, extra = _call(owner, self.command, path, params, headers, body)
            payload_bytes = json.dumps(answer).encode() if answer is not None else b""
            return status, payload_bytes, extra, "application/json; charset=UTF-8"
        return 404, b"Not Found", {}, "text/plain"

    def _batch(self, headers: dict[str, str], body: bytes,
               entry: LoggedRequest) -> tuple[int, bytes, dict[str, str], str]:
        content_type = headers.get("content-type", "")
        message = BytesParser().parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        if not message.is_multipart():
            err = ApiError(400, "badRequest", "Batch request must be multipart/mixed.")
            return 400, json.dumps(err.body()).encode(), {}, "application/json"
        parts = message.get_payload()
        assert isinstance(parts, list)
        if len(parts) > MAX_BATCH:
            err = ApiError(400, "badRequest", f"Too many calls in one batch (max {MAX_BATCH}).")
            return 400, json.dumps(err.body()).encode(), {}, "application/json"
        entry.inner = len(parts)
        boundary = "batch_" + secrets.token_hex(12)
        out: list[str] = []
        for part in parts:
            assert not isinstance(part, str)
            content_id = str(part.get("Content-ID", "")).strip("<>")
            raw = part.get_payload(decode=False)
            assert isinstance(raw, str)
            head, _, inner_body = raw.replace("\r\n", "\n").partition("\n\n")
            lines = head.split("\n")
            method, target, _version = lines[0].split(" ", 2)
            inner_headers = dict(headers)
            inner_headers.pop("content-type", None)
            inner_headers.pop("content-length", None)
            for line in lines[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    inner_headers[k.strip().lower()] = v.strip()
            split = urllib.parse.urlsplit(target)
            params = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
            with self.owner.lock:
                self.owner.inner_queries.append(f"{method} {split.path}?{split.query}")
            fault = self.owner.faults.take(method, split.path, "inner")
            extra: dict[str, str] = {}
            data: Json | None
            if fault is not None and fault.kind == "status":
                err = ApiError(fault.status, fault.reason, _fault_message(fault.reason))
                status, data = fault.status, err.body()
                if fault.retry_after is not None:
                    extra["Retry-After"] = str(int(fault.retry_after))
            else:
                status, data, extra = _call(self.owner, method, split.path, params,
                                            inner_headers, inner_body.encode())
            payload = json.dumps(data) if data is not None else ""
            reason = _REASONS.get(status, "Error")
            header_lines = [f"HTTP/1.1 {status} {reason}",
                            "Content-Type: application/json; charset=UTF-8"]
            header_lines += [f"{k}: {v}" for k, v in extra.items()]
            header_lines.append(f"Content-Length: {len(payload.encode())}")
            out.append(
                f"--{boundary}\r\nContent-Type: application/http\r\n"
                f"Content-ID: <response-{content_id}>\r\n\r\n"
                + "\r\n".join(header_lines) + "\r\n\r\n" + payload + "\r\n")
        out.append(f"--{boundary}--\r\n")
        return 200, "".join(out).encode(), {}, f"multipart/mixed; boundary={boundary}"

    def _send_json(self, status: int, data: Json, extra: dict[str, str]) -> None:
        self._send_raw(status, json.dumps(data).encode(), extra, "application/json")

    def _send_raw(self, status: int, payload: bytes, extra: dict[str, str],
                  content_type: str) -> None:
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", content_type)
        for key, value in extra.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload) if status != 204 else 0))
        self.end_headers()
        if status != 204 and payload:
            self.wfile.write(payload)

    def _trickle(self, seconds: float) -> None:
        body = json.dumps({"kind": "calendar#events", "items": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body) + 10_000))
        self.end_headers()
        deadline = time.monotonic() + seconds
        with contextlib.suppress(OSError):
            while time.monotonic() < deadline:
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.05)
        self.close_connection = True

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


def _call(owner: CalendarStandIn, method: str, path: str, params: dict[str, str],
          headers: dict[str, str], body: bytes) -> tuple[int, Json | None, dict[str, str]]:
    try:
        return owner.handle_api(method, path, params, headers, body)
    except ApiError as exc:
        return exc.status, exc.body(), exc.headers


def _fault_message(reason: str) -> str:
    return {
        "rateLimitExceeded": "Rate Limit Exceeded",
        "userRateLimitExceeded": "User Rate Limit Exceeded",
        "quotaExceeded": "Calendar usage limits exceeded.",
        "backendError": "Backend Error",
    }.get(reason, reason)


_REASONS = {200: "OK", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
            403: "Forbidden", 404: "Not Found", 409: "Conflict", 410: "Gone",
            412: "Precondition Failed", 429: "Too Many Requests", 500: "Internal Server Error",
            503: "Service Unavailable"}


@contextlib.contextmanager
def running_standin() -> Iterator[CalendarStandIn]:
    standin = CalendarStandIn()
    standin.start()
    try:
        yield standin
    finally:
        standin.stop()


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


