"""Wiring for the surfaces (UI worker, CLI): settings, building an engine, an overview.

Settings that are not secret live in the database's sync_state table, so the app and
``mentordesk sync`` (cron) see the same ones; the sign-in itself is only in the keyring.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from mentordesk.storage import sync_repo
from mentordesk.storage.database import Database
from mentordesk.sync import engine as engine_module
from mentordesk.sync.credentials import (
    SCOPE_EVENTS,
    CredentialStore,
    google_credentials,
    load_client_config,
)
from mentordesk.sync.engine import CalendarSource, SyncEngine, SyncProgress
from mentordesk.sync.errors import NotConnected, SyncError
from mentordesk.sync.retry import RetryPolicy

MODES = ("app", "primary")
STATE_CALENDAR_CHOICE = engine_module.STATE_CALENDAR_CHOICE
CREATE_CALENDAR = "create"
# What a sync imports and then keeps for the life of the process (with what they pull in:
# cryptography, pyparsing, uritemplate, email, ...). googleapiclient.discovery also loads the
# bundled discovery documents' package.
CLIENT_MODULES = (
    "keyring",
    "google.auth.exceptions",
    "google.oauth2.credentials",
    "httplib2",
    "google_auth_httplib2",
    "googleapiclient.discovery",
    "googleapiclient.discovery_cache",
    "googleapiclient.errors",
    "googleapiclient.http",
)


INVITATIONS = {
    "none": "Don't invite mentees (only my calendar)",
    "all": "Invite the mentee; Google emails the invitation",
    "externalOnly": "Invite the mentee; email only guests who don't use Google Calendar",
}
DEFAULT_INVITATIONS = "none"


@dataclass(frozen=True)
class SyncSettings:
    client_secrets: str | None
    mode: str  # "app": a MentorDesk calendar (default); "primary": the main calendar
    # Google's sendUpdates: "none" (the mentee is not a guest), "all", "externalOnly".
    invitations: str = DEFAULT_INVITATIONS
    # The mentor's answer when no calendar was known: create one, or use this id.
    create_calendar: bool = False
    calendar_choice: str | None = None


@dataclass(frozen=True)
class SyncOverview:
    pending: int
    conflicts: int
    errors: int
    last_sync_at: datetime | None
    quota_paused_until: datetime | None


def load_settings(db: Database) -> SyncSettings:
    with db.reader() as s:
        mode = sync_repo.get_state(s, engine_module.STATE_MODE) or "app"
        path = sync_repo.get_state(s, engine_module.STATE_CLIENT_SECRETS)
        invitations = sync_repo.get_state(s, engine_module.STATE_INVITES) or DEFAULT_INVITATIONS
        choice = sync_repo.get_state(s, STATE_CALENDAR_CHOICE)
    return SyncSettings(path, mode if mode in MODES else "app",
                        invitations if invitations in INVITATIONS else DEFAULT_INVITATIONS,
                        create_calendar=choice == CREATE_CALENDAR,
                        calendar_choice=choice if choice and choice != CREATE_CALENDAR else None)


def save_settings(db: Database, *, client_secrets: str | Path | None = None,
                  mode: str | None = None, invitations: str | None = None) -> None:
    """Store settings; switching calendars queues every session for the new one."""
    if mode is not None and mode not in MODES:
        raise ValueError(f"unknown calendar mode {mode!r}")
    if invitations is not None and invitations not in INVITATIONS:
        raise ValueError(f"unknown invitation choice {invitations!r}")
    with db.transaction() as s:
        if invitations is not None:
            sync_repo.set_state(s, engine_module.STATE_INVITES, invitations)
        if client_secrets is not None:
            sync_repo.set_state(s, engine_module.STATE_CLIENT_SECRETS, str(client_secrets))
        if mode is not None:
            old = sync_repo.get_state(s, engine_module.STATE_MODE) or "app"
            sync_repo.set_state(s, engine_module.STATE_MODE, mode)
            if old != mode:
                sync_repo.set_state(s, engine_module.STATE_CALENDAR_ID, None)
                sync_repo.set_state(s, engine_module.STATE_SYNC_TOKEN, None)
                sync_repo.reset_for_new_calendar(s)


def choose_calendar(db: Database, *, create: bool = False,
                    calendar_id: str | None = None) -> None:
    """The mentor's answer to "which calendar?": create a new MentorDesk calendar, or use
    the one with this id (from another computer). The next sync acts on it."""
    if create == bool(calendar_id):
        raise ValueError("either create a calendar or give its id")
    value = CREATE_CALENDAR if create else str(calendar_id).strip()
    with db.transaction() as s:
        sync_repo.set_state(s, STATE_CALENDAR_CHOICE, value)


def current_calendar(db: Database) -> str | None:
    """The id of the calendar this file syncs with, once one is known."""
    with db.reader() as s:
        return sync_repo.get_state(s, engine_module.STATE_CALENDAR_ID)


def forget_sync_token(db: Database) -> None:
    """After a new sign-in: the next sync relists the calendar and reconciles everything."""
    with db.transaction() as s:
        sync_repo.set_state(s, engine_module.STATE_SYNC_TOKEN, None)


def overview(db: Database) -> SyncOverview:
    def when(raw: str | None) -> datetime | None:
        return datetime.fromisoformat(raw) if raw else None

    with db.reader() as s:
        pending = sync_repo.pending_count(s)
        conflicts, errors = sync_repo.attention_counts(s)
        last = when(sync_repo.get_state(s, engine_module.STATE_LAST_SYNC))
        quota = when(sync_repo.get_state(s, engine_module.STATE_QUOTA_UNTIL))
    if quota is not None and quota <= datetime.now(UTC):
        quota = None
    return SyncOverview(pending, conflicts, errors, last, quota)


def load_client_modules() -> None:
    """Import the keyring and Google client libraries now rather than on first use inside
    ``build_engine`` and the engine (idempotent), so a caller can load them at a moment of
    its choosing; the UI does so before freezing the heap (mentordesk.ui.sync.controller)."""
    for name in CLIENT_MODULES:
        importlib.import_module(name)


def build_engine(db: Database, *, store: CredentialStore | None = None,
                 progress: Callable[[SyncProgress], None] | None = None,
                 cancel: threading.Event | None = None, policy: RetryPolicy | None = None,
                 endpoint: str | None = None) -> SyncEngine:
    """An engine for the stored settings and sign-in. Raises a SyncError the user can act on
    (not connected, no keyring, no client file)."""
    settings = load_settings(db)
    client = load_client_config(settings.client_secrets)
    signin = (store or CredentialStore()).load()
    if signin is None:
        raise NotConnected()
    if settings.mode == "primary" and SCOPE_EVENTS not in signin.scopes:
        raise SyncError("MentorDesk may not yet write to your main calendar.",
                        hint="Reconnect Google in Tools ▸ Settings ▸ Google Calendar… to allow it.")
    keyring = store or CredentialStore()
    calendar = CalendarSource(
        remembered=signin.calendar_id, can_list=signin.can_list_calendars,
        create=settings.create_calendar, chosen=settings.calendar_choice,
        remember=keyring.remember_calendar)
    return SyncEngine(db, google_credentials(signin, client), endpoint=endpoint,
                      mode=settings.mode, policy=policy, progress=progress, cancel=cancel,
                      calendar=calendar)
