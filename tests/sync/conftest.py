"""Fixtures for the sync tests: the Calendar stand-in, an in-memory keyring, fast retries."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend

from mentordesk.storage.database import Database, open_database
from mentordesk.storage.outbox import enqueue_session_change
from mentordesk.storage.schema import Mentee
from mentordesk.storage.schema import Session as SessionRow
from mentordesk.sync.credentials import (
    SCOPE_APP_CALENDAR,
    ClientConfig,
    CredentialStore,
    StoredSignIn,
    google_credentials,
    load_client_config,
)
from mentordesk.sync.engine import CalendarSource, SyncEngine
from mentordesk.sync.retry import RetryPolicy
from tests.support.calendar_standin import CalendarStandIn

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps secrets in a dict (priority is irrelevant: set
    explicitly with keyring.set_keyring)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if (service, username) not in self.store:
            raise PasswordDeleteError("not found")
        del self.store[(service, username)]


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def standin_server() -> Iterator[CalendarStandIn]:
    server = CalendarStandIn()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def standin() -> Iterator[CalendarStandIn]:
    server = CalendarStandIn()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrating a fresh file costs a while; tests copy one migrated, closed file."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    db = open_database(path)
    db.close()
    return path


@pytest.fixture
def db(template_db: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "mentordesk.sqlite3"
    shutil.copy(template_db, path)
    database = open_database(path)
    try:
        yield database
    finally:
        database.close()


def fast_policy(**overrides: Any) -> RetryPolicy:
    values: dict[str, Any] = {"base": 0.001, "cap": 0.01, "max_attempts": 5, "max_wait": 5.0}
    values.update(overrides)
    return RetryPolicy(**values)


def client_config_in(standin: CalendarStandIn, folder: Path) -> ClientConfig:
    """The stand-in's OAuth client, read from a client_secret.json written in ``folder``."""
    path = folder / "client_secret.json"
    path.write_text(json.dumps(standin.client_secrets()))
    return load_client_config(path)


def app_calendar_signin(standin: CalendarStandIn, account: str | None = None) -> StoredSignIn:
    """A sign-in the stand-in issued for the app-created-calendars scope."""
    token = standin.issue_refresh_token([SCOPE_APP_CALENDAR])
    return StoredSignIn(token, (SCOPE_APP_CALENDAR,), account)


@pytest.fixture
def client_config(standin: CalendarStandIn, tmp_path: Path) -> ClientConfig:
    return client_config_in(standin, tmp_path)


@pytest.fixture
def signin(standin: CalendarStandIn) -> StoredSignIn:
    return app_calendar_signin(standin, "mentor@example.com")


EngineFactory = Callable[..., SyncEngine]


@pytest.fixture
def make_engine(db: Database, standin: CalendarStandIn, client_config: ClientConfig,
                signin: StoredSignIn) -> EngineFactory:
    def factory(**kwargs: Any) -> SyncEngine:
        kwargs.setdefault("policy", fast_policy())
        kwargs.setdefault("timeout", 2.0)
        kwargs.setdefault("endpoint", standin.api_endpoint)
        kwargs.setdefault("calendar", CalendarSource(create=True))
        creds = google_credentials(kwargs.pop("signin", signin), client_config)
        return SyncEngine(kwargs.pop("database", db), creds, **kwargs)

    return factory


def add_session(db: Database, *, title: str = "Session", start: datetime = START,
                minutes: int = 60, tz: str = "Europe/Berlin", rrule: str | None = None,
                mentee_id: int | None = None, want_meet: bool = False,
                agenda: str = "") -> int:
    with db.transaction() as s:
        row = SessionRow(title=title, start_utc=start, timezone=tz, duration_minutes=minutes,
                         rrule=rrule, mentee_id=mentee_id, want_meet=want_meet, agenda=agenda)
        s.add(row)
        s.flush()
        enqueue_session_change(s, row)
        return row.id


def add_sessions(db: Database, n: int, *, title: str = "Session") -> list[int]:
    ids: list[int] = []
    with db.transaction() as s:
        for i in range(n):
            row = SessionRow(title=f"{title} {i}", start_utc=START + timedelta(days=i),
                             timezone="Europe/Berlin", duration_minutes=45)
            s.add(row)
            s.flush()
            enqueue_session_change(s, row)
            ids.append(row.id)
    return ids


def edit_session(db: Database, session_id: int, **changes: Any) -> None:
    with db.transaction() as s:
        row = s.get(SessionRow, session_id)
        assert row is not None
        for key, value in changes.items():
            setattr(row, key, value)
        enqueue_session_change(s, row)


def delete_session(db: Database, session_id: int) -> None:
    with db.transaction() as s:
        row = s.get(SessionRow, session_id)
        assert row is not None
        enqueue_session_change(s, row, deleted=True)
        s.delete(row)


def add_mentee(db: Database, name: str, email: str) -> int:
    with db.transaction() as s:
        mentee = Mentee(name=name, email=email)
        s.add(mentee)
        s.flush()
        return mentee.id


def get_session(db: Database, session_id: int) -> SessionRow:
    with db.reader() as s:
        row = s.get(SessionRow, session_id)
        assert row is not None
        s.expunge(row)
        return row


def calendar_id(db: Database) -> str:
    from mentordesk.storage import sync_repo

    with db.reader() as s:
        value = sync_repo.get_state(s, "calendar_id")
    assert value
    return value


def live_events(standin: CalendarStandIn, cal: str) -> list[dict[str, Any]]:
    return standin.events(cal)


def store(backend: MemoryKeyring | None = None) -> CredentialStore:
    return CredentialStore(backend)
