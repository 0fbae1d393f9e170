"""What the user reads about sync, by cause. Plain Python so the wording is testable alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from mentordesk.errors import KnownError
from mentordesk.storage.locks import SyncAlreadyRunning
from mentordesk.sync import errors as sync_errors
from mentordesk.ui.i18n import tr

# States, each with its own wording and (at most one) action.
IDLE = "idle"
SYNCING = "syncing"
SYNCED = "synced"
ATTENTION = "attention"  # conflicts or data Google refused
OFFLINE = "offline"
RATE_LIMITED = "rate_limited"
QUOTA = "quota"
REVOKED = "revoked"
CALENDAR_MISSING = "calendar_missing"
CALENDAR_CHOICE = "calendar_choice"
MASS_DELETE = "mass_delete"
NOT_CONNECTED = "not_connected"
NO_KEYRING = "no_keyring"
FAILED = "failed"
CANCELLED = "cancelled"

# Actions a state offers.
RECONNECT = "reconnect"
RECREATE = "recreate"
CHOOSE_CALENDAR = "choose_calendar"
CONFIRM_DELETE = "confirm_delete"
OPEN_SETTINGS = "settings"
SHOW_ISSUES = "issues"

SETTINGS_LABEL = "Google Calendar Settings…"
CONNECT_LABEL = "Connect Google Calendar…"
# States in which Google Calendar is not set up on this computer (yet).
UNCONNECTED = frozenset({NOT_CONNECTED, NO_KEYRING})


@dataclass(frozen=True)
class SyncView:
    state: str
    text: str  # short: the toolbar button
    detail: str  # longer: tooltip and status bar
    action: str | None = None
    action_label: str = ""
    retry_at: datetime | None = None
    last_sync_at: datetime | None = None
    pending: int = 0
    progress: tuple[int, int] | None = None


def last_sync_text(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return "never synced"
    local = when.astimezone()
    now_local = (now or datetime.now(UTC)).astimezone()
    if local.date() == now_local.date():
        return f"last sync {local:%H:%M}"
    return f"last sync {local:%d %b %H:%M}"


def countdown(retry_at: datetime, now: datetime | None = None) -> int:
    return max(0, int((retry_at - (now or datetime.now(UTC))).total_seconds() + 0.999))


def describe_success(*, pending: int, conflicts: int, errors: int,
                     last_sync_at: datetime | None, quota_until: datetime | None) -> SyncView:
    if quota_until is not None:
        at = quota_until.astimezone()
        return SyncView(QUOTA, f"Google paused edits; retrying at {at:%H:%M}",
                    "Google's daily limit for calendar edits was reached. "
                    + tr("%n change(s) stay queued", "", pending)
                    + f" and go out at {at:%H:%M}.",
                    retry_at=quota_until, last_sync_at=last_sync_at, pending=pending)
    if conflicts or errors:
        parts = []
        if conflicts:
            parts.append(tr("%n conflict(s)", "", conflicts))
        if errors:
            parts.append(f"{errors} refused by Google")
        return SyncView(ATTENTION, "Sync: " + ", ".join(parts),
                    "Some sessions need you: open them to choose a version or fix the "
                    "field Google refused.", SHOW_ISSUES, "Show sessions",
                    last_sync_at=last_sync_at, pending=pending)
    text = f"Synced · {last_sync_text(last_sync_at).removeprefix('last sync ')}"
    detail = f"Google Calendar is up to date ({last_sync_text(last_sync_at)})."
    return SyncView(SYNCED, text, detail, last_sync_at=last_sync_at, pending=pending)


def is_connected(view: SyncView) -> bool:
    """Whether Google Calendar is in use here: set up, and synced at least once (a file that
    never synced has nothing to say per session)."""
    return view.state not in UNCONNECTED and not (view.state == IDLE
                                                  and view.last_sync_at is None)


def quiet(view: SyncView) -> bool:
    """States that are no news for the status bar."""
    return view.state in UNCONNECTED | {CANCELLED}


def describe_failure(exc: BaseException, *, pending: int,
                     last_sync_at: datetime | None) -> SyncView:
    def view(state: str, text: str, detail: str, action: str | None = None, label: str = "",
             retry_at: datetime | None = None) -> SyncView:
        return SyncView(state, text, detail, action, label, retry_at, last_sync_at, pending)

    if isinstance(exc, sync_errors.Offline):
        return view(OFFLINE, tr("Offline — %n change(s) queued", "", pending),
                    "Google Calendar cannot be reached. Nothing is lost: queued changes go "
                    "out at the next sync.")
    if isinstance(exc, sync_errors.RateLimited):
        return view(RATE_LIMITED, "Google is busy — retrying shortly",
                    "Google asked MentorDesk to slow down; it retries by itself.",
                    retry_at=exc.retry_at)
    if isinstance(exc, sync_errors.ServiceTrouble):
        return view(OFFLINE, "Google is having trouble — retrying later",
                    "Google Calendar answered with errors. "
                    + tr("%n change(s) stay queued.", "", pending))
    if isinstance(exc, sync_errors.AuthRevoked):
        return view(REVOKED, "Reconnect Google",
                    "Google access was revoked or has expired. "
                    + tr("Your %n queued change(s) are kept and go out after you "
                         "reconnect.", "", pending),
                    RECONNECT, "Reconnect Google")
    if isinstance(exc, sync_errors.CalendarMissing):
        return view(CALENDAR_MISSING, "MentorDesk calendar is missing",
                    "The MentorDesk calendar was deleted in Google Calendar. Recreate it "
                    "to send all sessions there again.", RECREATE, "Recreate calendar")
    if isinstance(exc, sync_errors.CalendarChoiceNeeded):
        return view(CALENDAR_CHOICE, "Choose a calendar for MentorDesk",
                    "MentorDesk does not know yet which Google calendar to use: create a new "
                    "MentorDesk calendar, or give the ID of the one you already have (from "
                    "another computer or an earlier file).", CHOOSE_CALENDAR,
                    "Choose calendar…")
    if isinstance(exc, sync_errors.CalendarNotFound):
        return view(CALENDAR_CHOICE, "Calendar not found", str(exc), CHOOSE_CALENDAR,
                    "Choose calendar…")
    if isinstance(exc, sync_errors.PermissionMissing):
        return view(REVOKED, "Reconnect Google", str(exc), RECONNECT, "Reconnect Google")
    if isinstance(exc, sync_errors.ApiNotEnabled):
        return view(FAILED, "Calendar API is off", str(exc))
    if isinstance(exc, sync_errors.MassDeleteBlocked):
        return view(MASS_DELETE, f"Confirm {exc.count} cancellations",
                    f"Google Calendar would cancel {exc.count} of {exc.total} sessions at "
                    "once. Nothing was changed yet.", CONFIRM_DELETE, "Apply cancellations")
    if isinstance(exc, sync_errors.NotConnected | sync_errors.ClientSecretsMissing):
        return view(NOT_CONNECTED, "Connect Google Calendar",
                    "Put your sessions on Google Calendar: Tools ▸ Settings ▸ Google "
                    "Calendar… (optional; everything works without it).", OPEN_SETTINGS,
                    CONNECT_LABEL)
    if isinstance(exc, sync_errors.SecureStorageUnavailable):
        return view(NO_KEYRING, "No secure storage", str(exc), OPEN_SETTINGS,
                    SETTINGS_LABEL)
    if isinstance(exc, SyncAlreadyRunning):
        return view(CANCELLED, "Syncing elsewhere",
                    "Another sync of this file (e.g. mentordesk sync from cron) is running; "
                    "this one was skipped and the next one catches up.")
    if isinstance(exc, sync_errors.SyncCancelled):
        return view(CANCELLED, "Sync cancelled", str(exc))
    if isinstance(exc, KnownError):
        return view(FAILED, "Sync failed", str(exc))
    return view(FAILED, "Sync failed",
                    f"An unexpected error stopped the sync ({type(exc).__name__}); details are "
                    "in the log. Queued changes are kept.")
