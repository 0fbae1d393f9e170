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
from mentordesk.sync.engine import SyncEngine, SyncProgress
from mentordesk.sync.errors import NotConnected, SyncError
from mentordesk.sync.retry import RetryPolicy

MODES = ("app", "primary")
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


@dataclass(frozen=True)
class SyncSettings:
    client_secrets: str | None
    mode: str  # "app": a MentorDesk calendar (default); "primary": the main calendar


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
    return SyncSettings(path, mode if mode in MODES else "app")


def save_settings(db: Database, *, client_secrets: str | Path | None = None,
                  mode: str | None = None) -> None:
    """Store settings; switching calendars queues every session for the new one."""
    if mode is not None and mode not in MODES:
        raise ValueError(f"unknown calendar mode {mode!r}")
    with db.transaction() as s:
        if client_secrets is not None:
            sync_repo.set_state(s, engine_module.STATE_CLIENT_SECRETS, str(client_secrets))
        if mode is not None:
            old = sync_repo.get_state(s, engine_module.STATE_MODE) or "app"
            sync_repo.set_state(s, engine_module.STATE_MODE, mode)
            if old != mode:
                sync_repo.set_state(s, engine_module.STATE_CALENDAR_ID, None)
                sync_repo.set_state(s, engine_module.STATE_SYNC_TOKEN, None)
                sync_repo.reset_for_new_calendar(s)


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
                        hint="Reconnect Google in Settings ▸ Google Calendar… to allow it.")
    return SyncEngine(db, google_credentials(signin, client), endpoint=endpoint,
                      mode=settings.mode, policy=policy, progress=progress, cancel=cancel)
