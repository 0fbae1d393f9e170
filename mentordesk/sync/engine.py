"""The two-way Google Calendar sync: pull Google's changes, then drain the outbox.

Plain Python run in a worker thread (the service is built in the thread that uses it:
httplib2 is not thread-safe). Every write is idempotent, so any retry — ours, httplib2's or
the next sync's — converges instead of duplicating: inserts carry our own event id (409 →
GET and adopt), updates are PATCHes with If-Match (412 → re-read and three-way merge),
deletes treat 404/410 as done.
"""

from __future__ import annotations

import contextlib
import enum
import http.client
import json
import logging
import os
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session as OrmSession

# Google's client, its auth and httplib2 (with transport.py, which subclasses it) are
# imported where a sync uses them: the app imports this module on the GUI thread at every
# start (sync set-up, the session badges), and the client is loaded in a worker
# (sync/service.load_client_modules) so that start never waits for it.
from mentordesk.storage import sync_repo
from mentordesk.storage.database import Database
from mentordesk.storage.locks import sync_lock
from mentordesk.storage.outbox import enqueue_session_change, new_event_id
from mentordesk.storage.schema import Session as SessionRow
from mentordesk.sync import mapping
from mentordesk.sync.errors import (
    ApiNotEnabled,
    AuthRevoked,
    CalendarChoiceNeeded,
    CalendarMissing,
    CalendarNotFound,
    MassDeleteBlocked,
    NetworkLogin,
    Offline,
    PermissionMissing,
    RateLimited,
    ServiceTrouble,
    SyncCancelled,
    SyncError,
)
from mentordesk.sync.mapping import Json, SessionData
from mentordesk.sync.retry import RetryPolicy, parse_retry_after

log = logging.getLogger(__name__)

API_ENV = "MENTORDESK_CALENDAR_API"
DEFAULT_API_ENDPOINT = "https://www.googleapis.com/calendar/v3/"
CALENDAR_NAME = "MentorDesk"
CALENDAR_DESCRIPTION = "Mentoring sessions kept in sync by MentorDesk."
# Google allows 1,000 calls per batch; 100 keeps each batch well under rate limits while a
# 1,000-session first sync still takes about a dozen HTTP requests.
BATCH_SIZE = 100
PAGE_SIZE = 2500  # events.list maximum
MAX_ROUNDS = 6
MASS_DELETE_COUNT = 5
MASS_DELETE_SHARE = 0.2

STATE_CALENDAR_ID = "calendar_id"
STATE_CALENDAR_TZ = "calendar_tz"
STATE_SYNC_TOKEN = "sync_token"
STATE_LAST_SYNC = "last_sync_at"
STATE_QUOTA_UNTIL = "quota_paused_until"
STATE_MODE = "calendar_mode"
STATE_CLIENT_SECRETS = "client_secrets_path"
STATE_QUOTA_STRIKES = "quota_strikes"
STATE_INVITES = "send_invitations"
STATE_FILE_ID = "file_id"
STATE_CALENDAR_CHOICE = "calendar_choice"
# In a session's snapshot: the event was not made by MentorDesk (main-calendar mode).
FOREIGN_KEY = "foreign"
# In a session's snapshot: how Google's Meet link for it is coming along.
CONFERENCE_KEY = "conference"
# Pushed by a full reconcile: sessions still to come, and those of the last weeks (a mentor
# looks back at last week's call in the calendar); older history stays local.
RECONCILE_LOOKBACK = timedelta(days=30)
# A quota pause doubles with each hit in a row, from the policy's pause up to a day.
QUOTA_PAUSE_CAP = timedelta(hours=24)
# A sync that takes longer than this ends (what it sent is recorded; the rest stays queued).
SYNC_DEADLINE_SECONDS = 20 * 60
# A conference Google is still making is read again this many times within one sync.
CONFERENCE_READS = 3
MEET_FAILED = ("Google could not create a Meet link for this session. Turn “Google Meet” "
               "off and on again to retry, or paste another video link.")


def api_endpoint() -> str:
    return os.environ.get(API_ENV) or DEFAULT_API_ENDPOINT


def batch_uri_for(endpoint: str) -> str:
    """The batch URL belonging to ``endpoint``; the library's own ignores api_endpoint."""
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rstrip("/")
    prefix = path[: -len("/calendar/v3")] if path.endswith("/calendar/v3") else ""
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc,
                                    f"{prefix}/batch/calendar/v3", "", ""))


class SyncPhase(enum.StrEnum):
    CONNECT = "connect"
    PULL = "pull"
    PUSH = "push"


@dataclass(frozen=True)
class SyncProgress:
    phase: SyncPhase
    done: int
    total: int


@dataclass
class SyncSummary:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    pulled: int = 0
    conflicts: int = 0
    errors: int = 0
    deferred: int = 0
    full_resync: bool = False
    quota_paused_until: datetime | None = None
    requests: int = 0
    pending: int = 0
    finished_at: datetime | None = None

    def line(self) -> str:
        text = (f"created {self.created}, updated {self.updated}, deleted {self.deleted}, "
                f"pulled {self.pulled}, conflicts {self.conflicts}")
        if self.errors:
            text += f", errors {self.errors}"
        if self.pending:
            text += f", {self.pending} still queued"
        return text


class _QuotaHit(Exception):
    pass


class _FullSyncRequired(Exception):
    pass


@dataclass
class _Item:
    session_id: int
    entry: sync_repo.OutboxItem | None
    data: SessionData | None
    event_id: str
    etag: str | None
    snapshot: Json | None
    conflict: bool
    # Set for an occurrence that was pushed as an event of its own before occurrences
    # became instances of their series: it keeps being pushed that way.
    standalone: bool = False
    # For one occurrence: does its series exist in Google yet?
    master_synced: bool = False
    # An event MentorDesk did not make (main-calendar mode), or an occurrence of one.
    foreign: bool = False


@dataclass
class _Action:
    item: _Item
    # insert | patch | cancel | adopt | delete | get_adopt | get_merge | instance |
    # get_conference
    kind: str
    body: Json | None = None
    if_match: str | None = None
    # get_conference: how many times the event was read while its Meet link was pending.
    reads: int = 0
    # instance: sent again because the occurrence's own event was gone (404); another 404
    # then means the series has no occurrence at that time, not that it is still on its way.
    after_gone: bool = False


def _error_body(exc: Any) -> Json:
    content = getattr(exc, "content", b"")
    try:
        data = json.loads(content.decode("utf-8") if isinstance(content, bytes) else content)
    except (ValueError, AttributeError):
        return {}
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, dict) else {}


def _reasons(exc: Any) -> list[str]:
    """Every reason Google gave: Calendar's own ``error.errors[].reason`` (rateLimitExceeded,
    quotaExceeded, accessNotConfigured, insufficientPermissions, ...) first, then the newer
    ``error.details[].reason`` that the client library prefers (SERVICE_DISABLED, ...)."""
    found: list[str] = []
    body = _error_body(exc)
    for key in ("errors", "details"):
        entries = body.get(key)
        if isinstance(entries, list):
            found.extend(str(e["reason"]) for e in entries
                         if isinstance(e, dict) and e.get("reason"))
    details = getattr(exc, "error_details", None)
    if isinstance(details, list):
        found.extend(str(d["reason"]) for d in details if isinstance(d, dict) and d.get("reason"))
    return found


def _reason(exc: Any) -> str:
    reasons = _reasons(exc)
    return reasons[0] if reasons else ""


def _classify(exc: Any) -> str:
    status = int(getattr(exc, "status_code", 0) or 0)
    reasons = set(_reasons(exc))
    if reasons & {"quotaExceeded", "dailyLimitExceeded"}:
        return "quota"
    if status == 429 or reasons & {"rateLimitExceeded", "userRateLimitExceeded",
                                   "RATE_LIMIT_EXCEEDED"}:
        return "rate"
    if status >= 500:
        return "server"
    if reasons & {"accessNotConfigured", "SERVICE_DISABLED"}:
        return "disabled"
    if status == 403 and reasons & {"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                                    "forbidden", "forbiddenForNonOrganizer"}:
        return "forbidden"
    return "client"


def _raise_for_access(exc: Any, what: str) -> None:
    """A 403 that no retry fixes becomes one plain message instead of a traceback."""
    kind = _classify(exc)
    if kind == "disabled":
        raise ApiNotEnabled(_reason(exc)) from exc
    if kind == "forbidden":
        raise PermissionMissing(what) from exc


def _retry_after(exc: Any) -> float | None:
    resp = getattr(exc, "resp", None)
    value = resp.get("retry-after") if resp is not None else None
    return parse_retry_after(str(value)) if value is not None else None


def _is_network(exc: BaseException) -> bool:
    """Failures of the wire, not of the request: worth retrying as they are."""
    import httplib2
    from google.auth import exceptions as auth_exceptions
    from googleapiclient.errors import BatchError

    # BatchError: a proxy's error page instead of multipart; HTTPException: a cut-off body.
    return isinstance(exc, OSError | httplib2.HttpLib2Error | auth_exceptions.TransportError
                      | BatchError | http.client.HTTPException)


def _is_login_page(exc: BaseException) -> bool:
    from mentordesk.sync.transport import NotGoogle

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, NotGoogle):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _chunks(seq: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


def local_zone_name() -> str:
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        with contextlib.suppress(OSError):
            link = os.readlink("/etc/localtime")
            if "zoneinfo/" in link:
                name = link.split("zoneinfo/", 1)[1]
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name or "UTC"


def as_exdate(master: SessionRow, exception: SessionRow) -> bool:
    """Whether an occurrence shows on its series in Google as an EXDATE line rather than as
    an instance of the series: one never sent (read from Google's EXDATEs), and one sent as
    an event of its own by an earlier MentorDesk."""
    if exception.original_start_utc is None:
        return False
    if exception.google_event_id is None:
        return exception.status == "cancelled"
    return exception.google_etag is not None and not mapping.is_instance_of(
        exception.google_event_id, master.google_event_id)


def session_data(row: SessionRow, exceptions: Sequence[SessionRow],
                 email: str | None, master: SessionRow | None = None) -> SessionData:
    exdates = tuple(sorted(e.original_start_utc for e in exceptions
                           if e.original_start_utc is not None and as_exdate(row, e)))
    return SessionData(
        id=row.id, google_event_id=row.google_event_id or "", title=row.title or "",
        agenda=row.agenda or "", start_utc=row.start_utc, timezone=row.timezone or "UTC",
        duration_minutes=row.duration_minutes, rrule=row.rrule, status=row.status,
        want_meet=bool(row.want_meet), meeting_link=row.meeting_link, mentee_email=email,
        series_id=row.series_id, original_start_utc=row.original_start_utc, exdates=exdates,
        master_event_id=master.google_event_id if master is not None else None,
        uid=row.uid)


@dataclass(frozen=True)
class CalendarSource:
    """What the engine may know and do about which calendar is MentorDesk's, beyond the
    file's own record. ``calendar.app.created`` cannot list calendars, so a new file, a
    restored one or a second computer find it here, or the mentor is asked."""

    # The id kept with the sign-in in the keyring.
    remembered: str | None = None
    # The sign-in has a scope that may list calendars.
    can_list: bool = False
    # The mentor said: create a new MentorDesk calendar.
    create: bool = False
    # The mentor gave this id.
    chosen: str | None = None
    # Called with the calendar's id once known, to keep it with the sign-in.
    remember: Callable[[str], None] | None = None


class SyncEngine:
    """One sync run per ``run()`` call; build a new engine (or call ``run`` again) per sync."""

    def __init__(self, db: Database, credentials: Any, *, endpoint: str | None = None,
                 mode: str = "app", policy: RetryPolicy | None = None, timeout: float = 30.0,
                 batch_size: int = BATCH_SIZE,
                 progress: Callable[[SyncProgress], None] | None = None,
                 cancel: threading.Event | None = None,
                 calendar: CalendarSource | None = None,
                 request_deadline: float | None = None,
                 sync_deadline: float = SYNC_DEADLINE_SECONDS) -> None:
        self._db = db
        self._source = calendar or CalendarSource()
        self._creds = credentials
        self._endpoint = endpoint or api_endpoint()
        self._batch_uri = batch_uri_for(self._endpoint)
        self._mode = mode
        self._policy = policy or RetryPolicy()
        self._timeout = timeout
        # A whole request, however slowly its bytes arrive; and a whole sync.
        self._request_deadline = request_deadline or max(3 * timeout, 1.0)
        self._sync_deadline = sync_deadline
        self._deadline_at = float("inf")
        self._batch_size = batch_size
        self._progress = progress
        self._cancel = cancel or threading.Event()
        self._service: Any = None
        self._http: Any = None
        self._calendar_id = ""
        self._calendar_tz = "UTC"
        self._quota_hit = False
        self._finished: list[tuple[int, datetime]] = []
        self._events: Any = None
        self._file_id = ""
        self._invite = "none"
        self._was_paused = False
        self.summary = SyncSummary()

    # ---- plumbing ------------------------------------------------------------------------

    def _now(self) -> datetime:
        return datetime.now(UTC)

    def _report(self, phase: SyncPhase, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress(SyncProgress(phase, done, total))

    def _pause(self, seconds: float) -> None:
        """Wait before a retry; a cancel (quitting the app) ends the wait at once."""
        if self._policy.sleep is time.sleep:
            if self._cancel.wait(seconds):
                raise SyncCancelled()
        else:
            self._policy.sleep(seconds)  # a test's clock

    def _check_cancel(self) -> None:
        if self._cancel.is_set():
            raise SyncCancelled()

    def _pending(self) -> int:
        with self._db.reader() as s:
            return sync_repo.pending_count(s)

    def _build(self) -> None:
        import google_auth_httplib2  # type: ignore[import-untyped]
        from googleapiclient.discovery import build

        from mentordesk.sync.transport import GuardedHttp

        self._http = google_auth_httplib2.AuthorizedHttp(
            self._creds, http=GuardedHttp(timeout=self._timeout,
                                          deadline=self._request_deadline,
                                          cancel=self._cancel))
        self._service = build("calendar", "v3", http=self._http, cache_discovery=False,
                              client_options={"api_endpoint": self._endpoint})
        self._events = None

    def _close(self) -> None:
        # Idle keep-alive sockets would otherwise linger until garbage collection.
        if self._http is not None:
            self._http.http.close()

    def _send(self, request: Any, what: str = "use your Google Calendar") -> Any:
        """One HTTP request (single call or batch) under our retry policy."""
        from google.auth.exceptions import RefreshError
        from googleapiclient.errors import HttpError

        policy = self._policy
        attempt = 0
        while True:
            attempt += 1
            self._check_cancel()
            if time.monotonic() > self._deadline_at:
                raise Offline(self._pending(), "the sync ran out of time")
            self.summary.requests += 1
            try:
                if hasattr(request, "postproc"):
                    return request.execute(num_retries=0)
                self._fresh_credentials()
                return request.execute(http=self._http)
            except HttpError as exc:
                kind = _classify(exc)
                if kind == "quota":
                    raise _QuotaHit() from exc
                if exc.status_code == 401:
                    raise AuthRevoked(self._pending()) from exc
                _raise_for_access(exc, what)
                if kind not in ("rate", "server"):
                    raise
                retry_after = _retry_after(exc)
                if retry_after is not None and retry_after > policy.max_wait:
                    raise RateLimited(self._now() + timedelta(seconds=retry_after)) from exc
                if attempt >= policy.max_attempts:
                    if kind == "rate":
                        raise RateLimited(self._now() + timedelta(
                            seconds=policy.wait(attempt, retry_after))) from exc
                    raise ServiceTrouble(self._pending()) from exc
                self._pause(policy.wait(attempt, retry_after))
            except RefreshError as exc:
                if "invalid_grant" in str(exc) or "invalid_client" in str(exc):
                    raise AuthRevoked(self._pending()) from exc
                if attempt >= policy.max_attempts:
                    raise Offline(self._pending(), type(exc).__name__) from exc
                self._pause(policy.wait(attempt))
            except Exception as exc:
                if not _is_network(exc):
                    raise
                self._check_cancel()  # an abort for a cancel is not a network failure
                log.info("network error (%s), attempt %d", type(exc).__name__, attempt)
                if attempt >= policy.max_attempts:
                    if _is_login_page(exc):
                        raise NetworkLogin(self._pending()) from exc
                    raise Offline(self._pending(), type(exc).__name__) from exc
                self._pause(policy.wait(attempt))

    def _fresh_credentials(self) -> None:
        """Refresh an expired access token through our own HTTP client before a batch:
        the batch would otherwise refresh through a client of its own, one without our
        deadlines, whose socket nobody closes."""
        if not self._creds.valid:
            import google_auth_httplib2

            self._creds.refresh(google_auth_httplib2.Request(self._http.http))

    def _batch(self, calls: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
        """Run calls in batches; per-call rate limits and 5xx are retried with backoff."""
        from googleapiclient.http import BatchHttpRequest

        results: dict[str, tuple[Any, Any]] = {}
        todo = dict(calls)
        attempt = 0
        while todo:
            attempt += 1
            got: dict[str, tuple[Any, Any]] = {}
            keep = got.__setitem__
            keys = list(todo)
            for chunk in _chunks(keys, self._batch_size):
                batch = BatchHttpRequest(
                    callback=lambda rid, resp, exc, keep=keep: keep(rid, (resp, exc)),
                    batch_uri=self._batch_uri)
                for key in chunk:
                    batch.add(todo[key], request_id=key)
                self._send(batch)
            retry: dict[str, Any] = {}
            wait: float | None = None
            for key in keys:
                response, exc = got.get(key, (None, None))
                kind = _classify(exc) if exc is not None else ""
                if kind in ("rate", "server") and attempt < self._policy.max_attempts:
                    retry[key] = todo[key]
                    after = _retry_after(exc)
                    if after is not None:
                        wait = max(wait or 0.0, after)
                else:
                    results[key] = (response, exc)
            if retry:
                if wait is not None and wait > self._policy.max_wait:
                    for key in retry:
                        results[key] = got[key]
                    break
                self._check_cancel()
                self._pause(self._policy.wait(attempt, wait))
            todo = retry
        return results

    # ---- calendar ------------------------------------------------------------------------

    def _state(self, key: str) -> str | None:
        with self._db.reader() as s:
            return sync_repo.get_state(s, key)

    def _set_state(self, **values: str | None) -> None:
        with self._db.transaction() as s:
            for key, value in values.items():
                sync_repo.set_state(s, key, value)

    def _ensure_calendar(self) -> None:
        self._calendar_tz = self._state(STATE_CALENDAR_TZ) or local_zone_name()
        self._file_id = self._ensure_file_id()
        self._invite = self._state(STATE_INVITES) or "none"
        if self._mode == "primary":
            self._calendar_id = "primary"
            return
        source = self._source
        stored = self._state(STATE_CALENDAR_ID)
        if stored == "primary":
            stored = None
        if source.chosen and source.chosen != stored:
            self._use_calendar(self._fetch_calendar(source.chosen), reset=stored is not None)
            return
        if stored:
            self._calendar_id = stored
            if not source.remembered:
                self._remember(stored)
            return
        if source.remembered:
            # Found with the sign-in: verify it still exists rather than trust it blindly.
            try:
                entry = self._fetch_calendar(source.remembered)
            except CalendarNotFound as exc:
                raise CalendarMissing(source.remembered) from exc
            self._use_calendar(entry, reset=False)
            return
        if source.can_list:
            listing = self._send(self._service.calendarList().list(minAccessRole="owner"),
                                 "list your calendars")
            for entry in listing.get("items", []):
                if entry.get("summary") == CALENDAR_NAME and not entry.get("primary"):
                    self._use_calendar(entry, reset=False)
                    return
        elif not source.create:
            # This sign-in cannot see whether a MentorDesk calendar exists already: making
            # one now could make a second. The mentor knows.
            raise CalendarChoiceNeeded()
        self._use_calendar(self._create_calendar(), reset=False)

    def _ensure_file_id(self) -> str:
        file_id = self._state(STATE_FILE_ID)
        if not file_id:
            file_id = new_event_id()
            self._set_state(file_id=file_id)
        return file_id

    def _fetch_calendar(self, calendar_id: str) -> Json:
        from googleapiclient.errors import HttpError

        try:
            entry: Json = self._send(self._service.calendars().get(calendarId=calendar_id),
                                     "open that calendar")
        except HttpError as exc:
            if exc.status_code in (403, 404, 400):
                raise CalendarNotFound(calendar_id) from exc
            raise
        except PermissionMissing as exc:
            raise CalendarNotFound(calendar_id) from exc
        return entry

    def _create_calendar(self) -> Json:
        created: Json = self._send(self._service.calendars().insert(body={
            "summary": CALENDAR_NAME, "description": CALENDAR_DESCRIPTION,
            "timeZone": self._calendar_tz}), "create the MentorDesk calendar")
        return created

    def _use_calendar(self, entry: Json, *, reset: bool) -> None:
        self._calendar_id = str(entry["id"])
        self._calendar_tz = str(entry.get("timeZone") or self._calendar_tz)
        with self._db.transaction() as s:
            sync_repo.set_state(s, STATE_CALENDAR_ID, self._calendar_id)
            sync_repo.set_state(s, STATE_CALENDAR_TZ, self._calendar_tz)
            sync_repo.set_state(s, STATE_SYNC_TOKEN, None)
            # The mentor's answer is used up: a later "which calendar?" asks again.
            sync_repo.set_state(s, STATE_CALENDAR_CHOICE, None)
            if reset:
                sync_repo.reset_for_new_calendar(s)
        self._remember(self._calendar_id)

    def _remember(self, calendar_id: str) -> None:
        if self._source.remember is not None:
            try:
                self._source.remember(calendar_id)
            except SyncError as exc:
                # The file has it; the keyring copy only helps the next file.
                log.warning("could not keep the calendar id with the sign-in: %s", exc)

    def _calendar_exists(self) -> bool:
        try:
            self._fetch_calendar(self._calendar_id)
        except CalendarNotFound:
            return False
        return True

    # ---- run -----------------------------------------------------------------------------

    def run(self, *, allow_mass_delete: bool = False) -> SyncSummary:
        """One sync, within ``sync_deadline`` seconds. Only one runs per database file at a
        time, in this process or any other (the app and ``mentordesk sync`` alike): two at
        once could both make a calendar or send the same queued change twice."""
        with sync_lock(self._db.path):
            return self._run(allow_mass_delete)

    def _run(self, allow_mass_delete: bool) -> SyncSummary:
        self.summary = SyncSummary()
        self._deadline_at = time.monotonic() + self._sync_deadline
        self._report(SyncPhase.CONNECT, 0, 0)
        self._build()
        try:
            self._ensure_calendar()
            self._pull(allow_mass_delete)
            self._push()
        except _QuotaHit:
            self._pause_for_quota()
        finally:
            self._close()
        now = self._now()
        with self._db.transaction() as s:
            sync_repo.set_state(s, STATE_LAST_SYNC, now.isoformat())
            if (not self._quota_hit and not self._was_paused
                    and sync_repo.get_state(s, STATE_QUOTA_STRIKES)):
                sync_repo.set_state(s, STATE_QUOTA_STRIKES, None)
            self.summary.pending = sync_repo.pending_count(s)
        self.summary.finished_at = now
        log.info("sync finished: %s (%d requests)", self.summary.line(), self.summary.requests)
        return self.summary

    def _pause_for_quota(self) -> None:
        """Quota clears in hours, not seconds: pause, and pause twice as long each time
        it is hit again right after a pause (up to a day)."""
        if self._quota_hit:
            return
        strikes = int(self._state(STATE_QUOTA_STRIKES) or 0) + 1
        pause = min(QUOTA_PAUSE_CAP,
                    timedelta(seconds=self._policy.quota_pause_seconds * 2 ** (strikes - 1)))
        until = self._now() + pause
        self._quota_hit = True
        self.summary.quota_paused_until = until
        self._set_state(quota_paused_until=until.isoformat(), quota_strikes=str(strikes))
        log.warning("Google quota exceeded (%d in a row); writes paused until %s", strikes,
                    until.isoformat())

    def recreate_calendar(self) -> int:
        """After the calendar was deleted in Google: make a new one, queue every session."""
        with sync_lock(self._db.path):
            self._build()
            self._calendar_tz = self._state(STATE_CALENDAR_TZ) or local_zone_name()
            try:
                created = self._create_calendar()
            finally:
                self._close()
        with self._db.transaction() as s:
            sync_repo.set_state(s, STATE_SYNC_TOKEN, None)
            sync_repo.set_state(s, STATE_CALENDAR_ID, str(created["id"]))
            count = sync_repo.reset_for_new_calendar(s)
        self._remember(str(created["id"]))
        return count

    # ---- pull ----------------------------------------------------------------------------

    def _list_all(self, token: str | None) -> list[Json]:
        from googleapiclient.errors import HttpError

        pages: list[Json] = []
        page_token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"calendarId": self._calendar_id, "maxResults": PAGE_SIZE}
            if page_token:
                kwargs["pageToken"] = page_token
            if token:
                kwargs["syncToken"] = token
            else:
                kwargs["showDeleted"] = True
            try:
                page = self._send(self._service.events().list(**kwargs))
            except HttpError as exc:
                text = str(getattr(exc, "reason", "")).lower()
                if token and (exc.status_code == 410 or (exc.status_code == 400
                                                         and "sync token" in text)):
                    raise _FullSyncRequired() from exc
                if exc.status_code == 404:
                    raise CalendarMissing(self._calendar_id) from exc
                raise
            pages.append(page)
            self._report(SyncPhase.PULL, len(pages), 0)
            page_token = page.get("nextPageToken")
            if not page_token:
                return pages

    def _pull(self, allow_mass_delete: bool) -> None:
        token = self._state(STATE_SYNC_TOKEN)
        full = token is None
        try:
            pages = self._list_all(token)
        except _FullSyncRequired:
            log.info("sync token expired; relisting the whole calendar once")
            self.summary.full_resync = True
            full = True
            pages = self._list_all(None)
        if pages and pages[0].get("timeZone"):
            self._calendar_tz = str(pages[0]["timeZone"])
        # Series come before their exceptions (one occurrence moved or cancelled in Google,
        # an event of its own with recurringEventId), so an exception finds its series.
        page_items = [sorted(p.get("items", []), key=lambda e: bool(e.get("recurringEventId")))
                      for p in pages]
        with self._db.reader() as s:
            live = sync_repo.synced_live_events(s)
            pending_deletes = sync_repo.pending_delete_ids(s)
        cancelled = {e["id"] for items in page_items for e in items
                     if e.get("status") == "cancelled" and e["id"] in live}
        missing: set[str] = set()
        if full:
            listed = {e["id"] for p in pages for e in p.get("items", [])}
            missing = {eid for eid, sid in live.items()
                       if eid not in listed and sid not in pending_deletes}
        removals = len(cancelled | missing)
        if not allow_mass_delete and removals > 0 and (
                removals > MASS_DELETE_COUNT
                or (removals >= 2 and removals > MASS_DELETE_SHARE * len(live))):
            raise MassDeleteBlocked(removals, len(live))
        total = sum(len(items) for items in page_items)
        done = 0
        for items in page_items:
            self._check_cancel()
            with self._db.transaction() as s:
                self._apply_page(s, items)
            done += len(items)
            self._report(SyncPhase.PULL, done, total)
        if missing:
            with self._db.transaction() as s:
                for row in sync_repo.sessions_by_event_id(s, sorted(missing)).values():
                    row.status = "cancelled"
                    row.google_etag = None
                    row.sync_snapshot = None
                    self.summary.pulled += 1
        if full:
            # Sessions that reached the file without passing through the outbox (demo data,
            # an import, a restored or older file) go out now; those adopted above have an
            # event already and are left alone.
            with self._db.transaction() as s:
                queued = sync_repo.queue_unsent(s, self._now() - RECONCILE_LOOKBACK)
            if queued:
                log.info("full sync: %d session(s) without an event queued", queued)
        next_token = pages[-1].get("nextSyncToken") if pages else None
        self._set_state(sync_token=str(next_token) if next_token else None,
                        calendar_tz=self._calendar_tz)

    def _apply_page(self, s: OrmSession, events: list[Json]) -> None:
        rows = sync_repo.sessions_by_event_id(s, [str(e["id"]) for e in events])
        masters = [r.id for r in rows.values() if r.rrule and r.series_id is None]
        exceptions = sync_repo.exceptions_of(s, masters)
        emails = sync_repo.mentee_emails(
            s, [r.mentee_id for r in rows.values() if r.mentee_id is not None])
        pending = sync_repo.outbox_entries(s, [r.id for r in rows.values()])
        pending_deletes = sync_repo.pending_delete_ids(s)
        by_email: dict[str, int] | None = None
        for event in events:
            row = rows.get(str(event["id"]))
            if row is None and event.get("recurringEventId"):
                row = self._import_exception(s, event)
                if row is None:
                    continue
                rows[str(event["id"])] = row
            if row is None:
                if by_email is None:
                    by_email = sync_repo.mentee_by_email(s)
                self._import_event(s, event, by_email, pending_deletes)
                continue
            if event.get("etag") and event.get("etag") == row.google_etag:
                continue  # our own write coming back
            theirs = mapping.owned_from_event(event, self._calendar_tz)
            link = mapping.meet_link(event)
            if row.sync_conflict:
                conflict = json.loads(row.sync_conflict)
                conflict["google"] = {**conflict.get("google", {}), **theirs}
                conflict["google_etag"] = event.get("etag")
                row.sync_conflict = json.dumps(conflict)
                continue
            self.summary.pulled += 1
            mine = mapping.owned_from_session(session_data(
                row, exceptions.get(row.id, []),
                emails.get(row.mentee_id) if row.mentee_id else None))
            base = mapping.loads(row.sync_snapshot)
            result = mapping.merge(base if base is not None else theirs, mine, theirs)
            if result.conflicts:
                # Google's non-conflicting changes are taken; only the clash waits.
                if result.merged != mine:
                    mapping.apply_owned(row, result.merged)
                self._store_conflict(row, result.merged, theirs, event, result.conflicts)
                continue
            if result.merged != mine:
                mapping.apply_owned(row, result.merged)
                self._add_exdates(s, row, theirs)
            row.google_etag = str(event.get("etag") or "") or None
            row.sync_snapshot = mapping.dumps({**(base or {}), **theirs})
            if link and row.want_meet:
                row.meeting_link = link
            both_cancelled = (result.merged.get("status") == "cancelled"
                              and theirs.get("status") == "cancelled")
            needs_push = any(result.merged.get(k) != theirs.get(k) for k in theirs)
            if needs_push and not both_cancelled and row.id not in pending:
                enqueue_session_change(s, row)

    def _store_conflict(self, row: SessionRow, mine: Json, theirs: Json, event: Json,
                        fields: Sequence[str]) -> None:
        row.sync_conflict = json.dumps({
            "fields": list(fields), "mine": mine, "google": theirs,
            "google_etag": event.get("etag"), "detected_at": self._now().isoformat()})
        self.summary.conflicts += 1

    def _add_exdates(self, s: OrmSession, row: SessionRow, theirs: Json) -> None:
        if row.series_id is not None or not row.rrule:
            return
        known = {e.original_start_utc for e in sync_repo.exceptions_of(s, [row.id])[row.id]}
        for when in mapping.parse_exdates(theirs.get("recurrence", []), row.timezone):
            if when not in known:
                sync_repo.add_session(s, SessionRow(
                    mentee_id=row.mentee_id, title=row.title, start_utc=when,
                    timezone=row.timezone, duration_minutes=row.duration_minutes,
                    series_id=row.id, original_start_utc=when, status="cancelled"))

    def _import_event(self, s: OrmSession, event: Json, by_email: dict[str, int],
                      pending_deletes: set[int]) -> None:
        if event.get("status") == "cancelled":
            return
        if event.get("eventType", "default") != "default":
            # Working location, out of office, focus time, birthdays, events from Gmail:
            # not meetings, and not editable as ordinary events.
            return
        marker = mapping.session_marker(event)
        file_mark = mapping.file_marker(event)
        uid = mapping.uid_marker(event)
        if uid is not None:
            # The same session on another desk of the team made this event: link, never
            # import a second copy.
            same = sync_repo.session_by_uid(s, uid)
            if same is not None:
                self._adopt_marked(s, same, event)
                return
        ours = (marker is not None and marker.isdigit()
                and file_mark in (None, self._file_id))
        if ours:
            assert marker is not None
            sid = int(marker)
            if sid in pending_deletes:
                return  # deleted here; the delete is still on its way to Google
            existing = sync_repo.sessions_by_id(s, [sid]).get(sid)
            if existing is not None:
                self._adopt_marked(s, existing, event)
                return
            if sid <= sync_repo.highest_session_id_ever(s):
                # Ours, and its session was deleted here without queuing the removal (e.g.
                # with its mentee): remove the event instead of bringing the session back.
                sync_repo.queue_delete(s, sid, str(event["id"]))
                pending_deletes.add(sid)
                return
            # Otherwise the session is newer than this file (a restored backup): importing
            # it rebuilds the mapping.
        theirs = mapping.owned_from_event(event, self._calendar_tz)
        if "title" not in theirs:
            return
        mentee_id = None
        for attendee in event.get("attendees") or []:
            if attendee.get("self") or attendee.get("organizer"):
                continue
            email = str(attendee.get("email", "")).strip().lower()
            if email in by_email:
                mentee_id = by_email[email]
                break
        foreign = marker is None
        if self._mode == "primary" and foreign and mentee_id is None:
            return  # the mentor's own calendar: only meetings with a mentee are sessions
        snapshot = dict(theirs)
        if self._mode == "primary" and foreign:
            # Not made by MentorDesk: shown and kept up to date, never patched or deleted.
            snapshot[FOREIGN_KEY] = True
        row = SessionRow(
            mentee_id=mentee_id, status="scheduled", google_event_id=str(event["id"]),
            google_etag=str(event.get("etag") or "") or None,
            sync_snapshot=mapping.dumps(snapshot), meeting_link=mapping.meet_link(event),
            title="", agenda="", start_utc=self._now(), timezone="UTC", duration_minutes=60)
        mapping.apply_owned(row, theirs)
        sync_repo.add_session(s, row)
        self._add_exdates(s, row, theirs)
        self.summary.pulled += 1

    def _adopt_marked(self, s: OrmSession, row: SessionRow, event: Json) -> None:
        """An event of this file's session that the session does not point at: an answer
        lost before it was recorded, or a session that never went through the outbox
        (demo data, a restored file). Link them instead of importing a duplicate."""
        if row.google_etag is not None and row.google_event_id != event["id"]:
            return  # the session has its own event already; this one is a stray copy
        row.google_event_id = str(event["id"])
        row.google_etag = str(event.get("etag") or "") or None
        theirs = mapping.owned_from_event(event, self._calendar_tz)
        row.sync_snapshot = mapping.dumps(theirs)
        link = mapping.meet_link(event)
        if link and row.want_meet and not row.meeting_link:
            row.meeting_link = link
        mine = mapping.owned_from_session(session_data(row, [], None))
        if any(mine.get(k) != theirs.get(k) for k in mapping.OWNED_FIELDS if k in theirs):
            # This file's version wins: it is the one the mentor has been editing.
            enqueue_session_change(s, row)
        self.summary.pulled += 1

    def _import_exception(self, s: OrmSession, event: Json) -> SessionRow | None:
        """One occurrence of a series moved or cancelled in Google: an event of its own,
        ``<seriesId>_<original start>``, with recurringEventId and originalStartTime. It
        becomes (or is linked to) the series' occurrence row; the series is unchanged."""
        master = sync_repo.sessions_by_event_id(s, [str(event["recurringEventId"])]).get(
            str(event["recurringEventId"]))
        if master is None or master.series_id is not None or not master.rrule:
            return None  # not one of our series
        original = mapping.original_start(event, master.timezone)
        if original is None:
            return None
        existing = next((e for e in sync_repo.exceptions_of(s, [master.id])[master.id]
                         if e.original_start_utc == original), None)
        if existing is not None:
            if existing.google_etag is not None and not mapping.is_instance_of(
                    existing.google_event_id, master.google_event_id):
                return None  # sent as an event of its own by an earlier MentorDesk
            existing.google_event_id = str(event["id"])
            if sync_repo.outbox_entries(s, [existing.id]):
                # Changed here too and not yet sent: the push patches the instance with it.
                return None
            # Nothing waits to be sent: Google's version of every field it changed wins.
            existing.google_etag = None
            existing.sync_snapshot = mapping.dumps(
                mapping.owned_from_session(session_data(existing, [], None)))
            return existing
        row = SessionRow(
            mentee_id=master.mentee_id, series_id=master.id, original_start_utc=original,
            title=master.title, agenda=master.agenda, start_utc=original,
            timezone=master.timezone, duration_minutes=master.duration_minutes,
            meeting_link=master.meeting_link, want_meet=False, status="scheduled",
            google_event_id=str(event["id"]))
        # Start from the series' values, so a payload that carries only id and status (a
        # cancelled occurrence) changes nothing but the status.
        base = mapping.owned_from_session(session_data(row, [], None))
        if (mapping.loads(master.sync_snapshot) or {}).get(FOREIGN_KEY):
            base[FOREIGN_KEY] = True
        row.sync_snapshot = mapping.dumps(base)
        sync_repo.add_session(s, row)
        return row

    # ---- push ----------------------------------------------------------------------------

    def _stopped_by_quota(self) -> bool:
        return self._quota_hit

    def _paused_until(self) -> datetime | None:
        raw = self._state(STATE_QUOTA_UNTIL)
        if not raw:
            return None
        until = datetime.fromisoformat(raw)
        return until if until > self._now() else None

    def _load_items(self, entries: list[sync_repo.OutboxItem]) -> list[_Item]:
        with self._db.reader() as s:
            rows = sync_repo.sessions_by_id(s, [e.session_id for e in entries])
            # A changed occurrence changes its series' EXDATE list: push the master too.
            extra = {r.series_id for r in rows.values() if r.series_id is not None} - set(rows)
            rows.update(sync_repo.sessions_by_id(s, extra))
            masters = [r.id for r in rows.values() if r.rrule and r.series_id is None]
            exceptions = sync_repo.exceptions_of(s, masters)
            emails = sync_repo.mentee_emails(
                s, [r.mentee_id for r in rows.values() if r.mentee_id is not None])
            items: list[_Item] = []
            seen: set[int] = set()
            for entry in entries:
                row = rows.get(entry.session_id)
                seen.add(entry.session_id)
                items.append(self._item(entry, row, rows, exceptions, emails))
            for sid in sorted(extra):
                row = rows.get(sid)
                if row is not None and sid not in seen and row.google_etag:
                    items.append(self._item(None, row, rows, exceptions, emails))
            return items

    def _item(self, entry: sync_repo.OutboxItem | None, row: SessionRow | None,
              rows: dict[int, SessionRow], exceptions: dict[int, list[SessionRow]],
              emails: dict[int, str]) -> _Item:
        if row is None:
            assert entry is not None
            return _Item(entry.session_id, entry, None, entry.google_event_id or "", None, None,
                         False)
        master = rows.get(row.series_id) if row.series_id is not None else None
        data = session_data(row, exceptions.get(row.id, []),
                            emails.get(row.mentee_id) if row.mentee_id else None, master)
        standalone = master is not None and as_exdate(master, row)
        event_id = row.google_event_id or ""
        if (master is not None and not standalone and row.google_etag is None
                and master.google_event_id and row.original_start_utc is not None):
            # One occurrence of a series is Google's instance of that series, never an
            # event of its own: its id is the instance id.
            event_id = mapping.instance_id(master.google_event_id, row.original_start_utc)
        snapshot = mapping.loads(row.sync_snapshot)
        master_snapshot = mapping.loads(master.sync_snapshot) if master is not None else None
        foreign = bool((snapshot or {}).get(FOREIGN_KEY)
                       or (master_snapshot or {}).get(FOREIGN_KEY))
        return _Item(row.id, entry, data, event_id, row.google_etag, snapshot,
                     bool(row.sync_conflict), standalone=standalone,
                     master_synced=master is not None and master.google_etag is not None,
                     foreign=foreign)

    def _push(self) -> None:
        paused = self._paused_until()
        if paused is not None:
            self.summary.quota_paused_until = paused
            self._was_paused = True
            return
        with self._db.reader() as s:
            entries = sync_repo.due_outbox(s, self._now())
        if not entries:
            return
        items = self._load_items(entries)
        total = len(items)
        actions: list[_Action] = []
        later: list[_Action] = []
        with self._db.transaction() as s:
            for item in items:
                action = self._plan(s, item)
                if action is None:
                    continue
                if action.kind == "instance" and not item.master_synced:
                    later.append(action)  # its series is created in the first round
                else:
                    actions.append(action)
            self._flush_finished(s)
        done = total - len(actions) - len(later)
        self._report(SyncPhase.PUSH, done, total)
        if not actions:
            actions, later = later, []
        rounds = 0
        while actions and rounds < MAX_ROUNDS and not self._stopped_by_quota():
            rounds += 1
            follow: list[_Action] = later
            later = []
            for chunk in _chunks(actions, self._batch_size * 2):
                self._check_cancel()
                try:
                    results = self._batch({str(a.item.session_id): self._request(a)
                                           for a in chunk})
                except _QuotaHit:
                    self._pause_for_quota()
                    break
                with self._db.transaction() as s:
                    # Held here: the identity map is weak, and handlers look rows up by id.
                    loaded = sync_repo.sessions_by_id(s, [a.item.session_id for a in chunk])
                    try:
                        for action in chunk:
                            response, exc = results.get(str(action.item.session_id),
                                                        (None, None))
                            follow.extend(self._handle(s, action, response, exc))
                    finally:
                        self._flush_finished(s)
                        loaded.clear()
                if self._stopped_by_quota():
                    break
                done += sum(1 for a in chunk
                            if a.kind not in ("get_adopt", "get_merge", "get_conference"))
                self._report(SyncPhase.PUSH, min(done, total), total)
            if any(a.kind == "get_conference" for a in follow):
                self._pause(self._policy.base)  # give Google a moment to make it
            actions = follow
        if actions and not self._stopped_by_quota():
            with self._db.transaction() as s:
                for action in actions:
                    self._defer(s, action.item, "still changing in Google; retried next sync")

    def _plan(self, s: OrmSession, item: _Item) -> _Action | None:
        if item.conflict:
            return None  # waits for Keep mine / Use Google's
        entry = item.entry
        if item.data is None or (entry is not None and entry.op == "delete"):
            if not item.event_id or "_" in item.event_id:
                # Never sent, or one occurrence of a series: deleting the series (the only
                # way an occurrence row goes away) removes it in Google.
                self._finish(s, item)
                return None
            return _Action(item, "delete")
        data = item.data
        mine = mapping.owned_from_session(data)
        if item.foreign:
            # An event of the mentor's own calendar that MentorDesk did not make: read only.
            self._finish(s, item)
            return None
        if data.series_id is not None and not item.standalone and item.etag is None:
            return self._plan_instance(s, item, data, mine)
        if data.status == "cancelled":
            if item.etag is None:
                return _Action(item, "delete")
            if item.snapshot is not None and item.snapshot.get("status") == "cancelled":
                self._finish(s, item)
                return None
            return _Action(item, "cancel", {"status": "cancelled"}, item.etag)
        problem = mapping.validate(data)
        if problem is not None:
            self._invalid(s, item, *problem, by_google=False)
            return None
        if item.etag is None:
            body = mapping.insert_body(data, mine, self._file_id, self._invite)
            if data.want_meet and not data.meeting_link:
                body["conferenceData"] = mapping.conference_request(data)
            return _Action(item, "insert", body)
        changed = mapping.changed_fields(item.snapshot, mine)
        meet = self._meet_step(item)
        if meet == "read":
            return _Action(item, "get_conference")
        if not changed and meet is None:
            self._finish(s, item)
            return None
        body = mapping.event_fields(mine, changed)
        if meet == "ask":
            body["conferenceData"] = mapping.conference_request(data)
        return _Action(item, "patch", body, item.etag)

    def _meet_step(self, item: _Item) -> str | None:
        """"ask" Google for a Meet link, "read" one it is still making, or None."""
        data = item.data
        if data is None or not data.want_meet or data.meeting_link:
            return None
        state = (item.snapshot or {}).get(CONFERENCE_KEY)
        if state == "pending":
            return "read"
        if state == "failure" and item.entry is None:
            return None  # asked and refused: asked again only after the next edit
        return "ask"

    def _plan_instance(self, s: OrmSession, item: _Item, data: SessionData,
                       mine: Json) -> _Action | None:
        """The first push of one occurrence: PATCH the series' instance (Google makes it an
        exception of the series), never a separate event and never a rewrite of the series."""
        if not data.master_event_id:
            if data.status == "cancelled":
                self._finish(s, item)  # neither it nor its series was ever in Google
            else:
                self._defer(s, item, "waiting for its series to reach Google")
            return None
        row = sync_repo.session_row(s, item.session_id)
        if row is not None and row.google_event_id != item.event_id:
            row.google_event_id = item.event_id
        if data.status != "cancelled":
            problem = mapping.validate(data)
            if problem is not None:
                self._invalid(s, item, *problem, by_google=False)
                return None
        return _Action(item, "instance", mapping.instance_fields(mine))

    def _request(self, action: _Action) -> Any:
        # One resource object: building it parses the discovery document's methods anew.
        if self._events is None:
            self._events = self._service.events()
        events = self._events
        cal = self._calendar_id
        eid = action.item.event_id
        # Invitations follow the mentor's choice; without one, nobody is emailed.
        send = self._invite if self._invite in mapping.INVITE_CHOICES else "none"
        if action.kind == "insert":
            return events.insert(calendarId=cal, body=action.body, conferenceDataVersion=1,
                                 sendUpdates=send)
        if action.kind in ("patch", "cancel", "adopt", "instance"):
            request = events.patch(calendarId=cal, eventId=eid, body=action.body,
                                   conferenceDataVersion=1, sendUpdates=send)
            if action.if_match:
                request.headers["If-Match"] = action.if_match
            return request
        if action.kind == "delete":
            return events.delete(calendarId=cal, eventId=eid, sendUpdates=send)
        return events.get(calendarId=cal, eventId=eid)

    def _handle(self, s: OrmSession, action: _Action, response: Any,
                exc: Any) -> list[_Action]:
        item = action.item
        if exc is None:
            if action.kind == "get_adopt":
                return self._adopt(s, item, response)
            if action.kind == "get_merge":
                return self._merge(s, item, response)
            if action.kind == "delete":
                self._record_deleted(s, item)
                return []
            if action.kind == "get_conference":
                return self._record_conference(s, action, response)
            self._record_event(s, item, response)
            if action.kind == "insert":
                self.summary.created += 1
            elif action.kind == "cancel":
                self.summary.deleted += 1
            else:
                self.summary.updated += 1
            if mapping.conference_status(response) == "pending":
                return [_Action(item, "get_conference")]
            return []
        status = int(exc.status_code)
        kind = _classify(exc)
        if kind == "quota":
            self._pause_for_quota()
            return []
        if kind == "disabled":
            raise ApiNotEnabled(_reason(exc)) from exc
        if kind == "forbidden":
            if "insufficientPermissions" in _reasons(exc) or \
                    "ACCESS_TOKEN_SCOPE_INSUFFICIENT" in _reasons(exc):
                raise PermissionMissing("change events in this calendar") from exc
            self._invalid(s, item, "session", "Google does not allow MentorDesk to change "
                          "this event (it belongs to someone else).")
            return []
        if action.kind == "delete" and status in (404, 410):
            self._record_deleted(s, item)
            return []
        if action.kind == "insert" and status == 409:
            return [_Action(item, "get_adopt")]
        if action.kind in ("patch", "cancel", "adopt") and status == 412:
            return [_Action(item, "get_merge")]
        if status == 404 and action.kind == "get_adopt":
            # 409 then 404: the id belongs to an event deleted and purged in Google. Ids
            # stay taken for ever, so this session gets a fresh one.
            return self._fresh_id(s, item)
        if status == 404 and action.kind == "insert":
            if not self._calendar_exists():
                raise CalendarMissing(self._calendar_id)
            self._defer(s, item, "Google Calendar could not find where to put it (HTTP 404)")
            return []
        if status == 404 and action.kind == "instance":
            if item.master_synced or action.after_gone:
                self._invalid(s, item, "start time", "The series in Google Calendar has no "
                              "occurrence at this session's original time; edit the series "
                              "or this session again.", by_google=False)
            else:
                self._defer(s, item, "waiting for its series to reach Google")
            return []
        if status == 404 and action.kind in ("patch", "cancel", "adopt", "get_merge"):
            # Gone for good in Google (not even kept as cancelled): create it again.
            item.etag = None
            item.snapshot = None
            if item.data is None or item.data.status == "cancelled":
                self._record_deleted(s, item)
                return []
            if item.data.series_id is not None and not item.standalone:
                return [_Action(item, "instance", mapping.instance_fields(
                    mapping.owned_from_session(item.data)), after_gone=True)]
            return [_Action(item, "insert", mapping.insert_body(
                item.data, mapping.owned_from_session(item.data), self._file_id,
                self._invite))]
        if status == 400:
            message = str(getattr(exc, "reason", "")) or "invalid data"
            self._invalid(s, item, mapping.field_from_error(message), message)
            return []
        self._defer(s, item, f"HTTP {status} {_reason(exc)}".strip())
        return []

    def _fresh_id(self, s: OrmSession, item: _Item) -> list[_Action]:
        row = sync_repo.session_row(s, item.session_id)
        if row is None or item.data is None:
            return []
        row.google_event_id = new_event_id()
        entry = sync_repo.outbox_entries(s, [row.id]).get(row.id)
        if entry is not None:
            entry.google_event_id = row.google_event_id
        item.event_id = row.google_event_id
        item.data = replace(item.data, google_event_id=row.google_event_id)
        log.info("event id of session %d was purged in Google; a new one is used", row.id)
        body = mapping.insert_body(item.data, mapping.owned_from_session(item.data),
                                   self._file_id, self._invite)
        if item.data.want_meet and not item.data.meeting_link:
            body["conferenceData"] = mapping.conference_request(item.data)
        return [_Action(item, "insert", body)]

    def _adopt(self, s: OrmSession, item: _Item, event: Json) -> list[_Action]:
        """409 on insert: the event exists. Ours (an earlier answer was lost) → adopt it."""
        if item.data is None:
            return []
        uid = mapping.uid_marker(event)
        # The same session: made by this file (session and file markers), or by another
        # desk of the team (the global id).
        same_session = (uid is not None and uid == item.data.uid) or (
            mapping.session_marker(event) == str(item.session_id)
            and mapping.file_marker(event) in (None, self._file_id))
        if not same_session:
            # Practically impossible with uuid4 ids, but never overwrite a stranger's event.
            row = sync_repo.session_row(s, item.session_id)
            if row is not None:
                row.google_event_id = new_event_id()
                enqueue_session_change(s, row)
            log.warning("event id of session %d was taken; a new one is used", item.session_id)
            return []
        mine = mapping.owned_from_session(item.data)
        item.etag = str(event.get("etag"))
        if mine["status"] == "cancelled":
            if event.get("status") == "cancelled":
                self._record_event(s, item, event)
                return []
            return [_Action(item, "cancel", {"status": "cancelled"}, item.etag)]
        body = mapping.event_fields(mine)
        body["status"] = "confirmed"  # revives an event deleted in Google
        body["extendedProperties"] = mapping.marker(item.session_id, self._file_id,
                                                    item.data.uid)
        if item.data.want_meet and mapping.conference_status(event) is None:
            body["conferenceData"] = mapping.conference_request(item.data)
        return [_Action(item, "adopt", body, item.etag)]

    def _merge(self, s: OrmSession, item: _Item, event: Json) -> list[_Action]:
        """412: Google changed since our last sync. Merge against the last-synced snapshot."""
        if item.data is None:
            return [_Action(item, "delete")]
        theirs = mapping.owned_from_event(event, self._calendar_tz)
        mine = mapping.owned_from_session(item.data)
        result = mapping.merge(item.snapshot, mine, theirs)
        row = sync_repo.session_row(s, item.session_id)
        if row is None:
            return []
        if result.conflicts:
            if result.merged != mine:
                mapping.apply_owned(row, result.merged)
            self._store_conflict(row, result.merged, theirs, event, result.conflicts)
            return []
        if result.merged != mine:
            mapping.apply_owned(row, result.merged)
        etag = str(event.get("etag"))
        row.google_etag = etag
        row.sync_snapshot = mapping.dumps(self._snapshot(event, theirs))
        link = mapping.meet_link(event)
        if link and row.want_meet:
            row.meeting_link = link
        item.etag, item.snapshot = etag, theirs
        item.data = replace(item.data, meeting_link=link or item.data.meeting_link)
        if result.merged.get("status") == "cancelled" and theirs.get("status") == "cancelled":
            self._finish(s, item)
            return []
        diff = {k for k in mapping.OWNED_FIELDS if result.merged.get(k) != theirs.get(k)}
        need_meet = item.data.want_meet and mapping.conference_status(event) is None
        if not diff and not need_meet:
            self._finish(s, item)
            return []
        body = mapping.event_fields(result.merged, diff)
        if need_meet:
            body["conferenceData"] = mapping.conference_request(item.data)
        kind = "cancel" if result.merged.get("status") == "cancelled" else "patch"
        return [_Action(item, kind, body, etag)]

    # ---- recording -----------------------------------------------------------------------

    def _finish(self, s: OrmSession, item: _Item) -> None:
        # Collected and deleted in one statement by _flush_finished, same transaction.
        if item.entry is not None:
            self._finished.append((item.session_id, item.entry.queued_at))

    def _flush_finished(self, s: OrmSession) -> None:
        sync_repo.finish_outbox_many(s, self._finished)
        self._finished.clear()

    def _record_event(self, s: OrmSession, item: _Item, event: Json) -> None:
        row = sync_repo.session_row(s, item.session_id)
        if row is not None and row.google_event_id == item.event_id:
            row.google_etag = str(event.get("etag") or "") or None
            snapshot = self._snapshot(event, mapping.owned_from_event(event, self._calendar_tz))
            row.sync_snapshot = mapping.dumps(snapshot)
            row.sync_error = None
            link = mapping.meet_link(event)
            if link and row.want_meet:
                row.meeting_link = link
            if snapshot.get(CONFERENCE_KEY) == "failure" and row.want_meet:
                row.sync_error = MEET_FAILED
            item.etag, item.snapshot = row.google_etag, snapshot
        self._finish(s, item)

    @staticmethod
    def _snapshot(event: Json, owned: Json) -> Json:
        snapshot = dict(owned)
        conference = mapping.conference_status(event)
        if conference is not None:
            snapshot[CONFERENCE_KEY] = conference
        return snapshot

    def _record_conference(self, s: OrmSession, action: _Action, event: Json) -> list[_Action]:
        """A Meet link Google was still making: read again a few times, then leave it for
        the next sync (asking again would make a second meeting)."""
        item = action.item
        state = mapping.conference_status(event)
        row = sync_repo.session_row(s, item.session_id)
        if row is None:
            return []
        if state == "pending":
            if action.reads + 1 < CONFERENCE_READS:
                return [_Action(item, "get_conference", reads=action.reads + 1)]
            snapshot = mapping.loads(row.sync_snapshot) or {}
            snapshot[CONFERENCE_KEY] = "pending"
            row.sync_snapshot = mapping.dumps(snapshot)
            enqueue_session_change(s, row)
            return []
        snapshot = mapping.loads(row.sync_snapshot) or {}
        if state is None:
            snapshot.pop(CONFERENCE_KEY, None)
        else:
            snapshot[CONFERENCE_KEY] = state
        row.sync_snapshot = mapping.dumps(snapshot)
        if event.get("etag") and mapping.owned_from_event(event, self._calendar_tz) == {
                k: snapshot.get(k) for k in mapping.OWNED_FIELDS}:
            row.google_etag = str(event["etag"])
        link = mapping.meet_link(event)
        if state == "success" and link and row.want_meet:
            row.meeting_link = link
            row.sync_error = None
        elif state == "failure" and row.want_meet:
            row.sync_error = MEET_FAILED
        self._finish(s, item)
        return []

    def _record_deleted(self, s: OrmSession, item: _Item) -> None:
        row = sync_repo.session_row(s, item.session_id)
        if row is not None and row.google_event_id == item.event_id:
            row.google_etag = None
            snapshot = mapping.loads(row.sync_snapshot) or {}
            snapshot["status"] = "cancelled"
            row.sync_snapshot = mapping.dumps(snapshot)
            row.sync_error = None
        self.summary.deleted += 1
        self._finish(s, item)

    def _invalid(self, s: OrmSession, item: _Item, field_name: str, message: str, *,
                 by_google: bool = True) -> None:
        # Say which side refused: Google's own 400s, or MentorDesk's check before sending.
        if by_google:
            text = f"Google refused the {field_name}: {message}"
        else:
            text = f"{mapping.LOCAL_REFUSAL}{field_name}): {message}"
        if item.entry is not None:
            sync_repo.mark_invalid(s, item.session_id, text)
        else:
            row = sync_repo.session_row(s, item.session_id)
            if row is not None:
                row.sync_error = text
        self.summary.errors += 1

    def _defer(self, s: OrmSession, item: _Item, error: str) -> None:
        if item.entry is None:
            return
        delay = self._policy.backoff(item.entry.attempts + 1)
        sync_repo.defer_outbox(s, item.session_id, error,
                               self._now() + timedelta(seconds=delay))
        self.summary.deferred += 1


def resolve_conflict(db: Database, session_id: int, keep: str) -> None:
    """Settle a conflict: ``keep="mine"`` pushes ours over Google's version at the next sync,
    ``keep="google"`` takes Google's version into the session."""
    if keep not in ("mine", "google"):
        raise ValueError("keep must be 'mine' or 'google'")
    with db.transaction() as s:
        row = sync_repo.sessions_by_id(s, [session_id]).get(session_id)
        if row is None or not row.sync_conflict:
            return
        conflict = json.loads(row.sync_conflict)
        google: Json = conflict.get("google") or {}
        row.sync_snapshot = mapping.dumps(google)
        row.google_etag = conflict.get("google_etag") or row.google_etag
        row.sync_conflict = None
        if keep == "google":
            mapping.apply_owned(row, google)
            entry = sync_repo.outbox_entries(s, [session_id]).get(session_id)
            if entry is not None:
                sync_repo.finish_outbox(s, session_id, entry.queued_at)
        else:
            enqueue_session_change(s, row)
