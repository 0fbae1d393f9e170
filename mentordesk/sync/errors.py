"""Why a sync could not finish, each with a message the user can act on.

The UI and the CLI pick their wording and actions by type (Reconnect, Recreate, Confirm).
"""

from __future__ import annotations

from datetime import datetime

from mentordesk.errors import KnownError
from mentordesk.plurals import counted


class SyncError(KnownError):
    """Base of every expected sync failure."""


class NotConnected(SyncError):
    def __init__(self) -> None:
        super().__init__("Google Calendar is not connected.",
                         hint="Open Tools ▸ Settings ▸ Google Calendar… and press Connect.")


class ClientSecretsMissing(SyncError):
    pass


class SecureStorageUnavailable(SyncError):
    """No usable OS keyring: the sign-in cannot be stored safely."""


class AuthRevoked(SyncError):
    """Google answered ``invalid_grant``: the refresh token was revoked or expired."""

    def __init__(self, pending: int) -> None:
        super().__init__(
            "Google access was revoked or has expired.",
            hint=counted(pending, "Reconnect Google; {n} queued change is kept and will be sent "
                         "then.", "Reconnect Google; {n} queued changes are kept and "
                         "will be sent then."),
        )
        self.pending = pending


class Offline(SyncError):
    def __init__(self, pending: int, detail: str = "") -> None:
        super().__init__(counted(pending, "Offline — {n} change queued.",
                                 "Offline — {n} changes queued."),
                         hint="They will be sent at the next sync.")
        self.pending = pending
        self.detail = detail


class NetworkLogin(Offline):
    """A web page answered instead of Google: a hotel, café or train network wants a login."""

    def __init__(self, pending: int) -> None:
        super().__init__(pending, "login page")
        self.message = "A web page answered instead of Google Calendar."
        self.hint = ("Sign in to this network (hotel, café or train Wi-Fi) in your browser, "
                     "then sync again; "
                     + counted(pending, "{n} change stays queued.", "{n} changes stay queued."))


class ServiceTrouble(SyncError):
    """Google kept answering 5xx: temporary, retried at the next sync."""

    def __init__(self, pending: int) -> None:
        super().__init__("Google Calendar is not responding properly right now.",
                         hint=counted(pending, "{n} change stays queued; the next sync retries.",
                                      "{n} changes stay queued; the next sync retries."))
        self.pending = pending


class RateLimited(SyncError):
    def __init__(self, retry_at: datetime) -> None:
        super().__init__("Google asked MentorDesk to slow down.",
                         hint=f"Retrying at {retry_at.astimezone():%H:%M:%S}.")
        self.retry_at = retry_at


class CalendarMissing(SyncError):
    def __init__(self, calendar_id: str) -> None:
        super().__init__("The MentorDesk calendar no longer exists in Google Calendar.",
                         hint="Recreate it to send all sessions there again.")
        self.calendar_id = calendar_id


class MassDeleteBlocked(SyncError):
    """A pull would remove many sessions at once: ask before applying it."""

    def __init__(self, count: int, total: int) -> None:
        super().__init__(
            f"Google Calendar would cancel {count} of {total} synced sessions at once.",
            hint="Nothing was changed. Confirm to apply it, or check the calendar in Google.",
        )
        self.count = count
        self.total = total


class SyncCancelled(SyncError):
    def __init__(self) -> None:
        super().__init__("Sync cancelled.", hint="Changes not yet sent stay queued.")


class CalendarChoiceNeeded(SyncError):
    """No calendar is known for this file or this sign-in, and the app may not see whether
    one exists (``calendar.app.created`` cannot list calendars): the mentor decides."""

    def __init__(self) -> None:
        super().__init__(
            "MentorDesk does not know which Google calendar to use.",
            hint="If you already have a MentorDesk calendar (from another computer or an "
                 "earlier file), give its calendar ID; otherwise create one. In the app: "
                 "Tools ▸ Settings ▸ Google Calendar…; on the command line: mentordesk sync "
                 "--calendar-id ID or --create-calendar.")


class ApiNotEnabled(SyncError):
    """403 accessNotConfigured: the Calendar API is off in the mentor's Cloud project."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "The Google Calendar API is not enabled in your Google Cloud project.",
            hint="Enable it (Google Cloud Console ▸ APIs & Services ▸ Library ▸ Google "
                 "Calendar API ▸ Enable; step 2 of docs/google-calendar.md), wait a minute, "
                 "then sync again. Queued changes are kept.")
        self.detail = detail


class PermissionMissing(SyncError):
    """403 insufficientPermissions / forbidden: the sign-in may not do what was asked."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"Google did not allow MentorDesk to {what}.",
            hint="Reconnect Google in Tools ▸ Settings ▸ Google Calendar… and allow the "
                 "access it asks for. Queued changes are kept.")
        self.what = what


class CalendarNotFound(SyncError):
    """The calendar id the mentor gave does not exist or is not MentorDesk's to use."""

    def __init__(self, calendar_id: str) -> None:
        super().__init__(
            f"Google Calendar has no calendar “{calendar_id}” that MentorDesk may use.",
            hint="Copy the ID from Google Calendar ▸ Settings ▸ the MentorDesk calendar ▸ "
                 "Integrate calendar, or create a new MentorDesk calendar.")
        self.calendar_id = calendar_id
