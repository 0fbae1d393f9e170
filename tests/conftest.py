"""Shared fixtures: offscreen Qt, isolated user dirs, real SQLite files in tmp dirs."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from pytestqt.qtbot import QtBot

    from tests.support.app_start import StartedApp

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The team fixtures (a throwaway PostgreSQL cluster, one database per test) serve team tests
# in storage, sync, team and ui alike.
pytest_plugins = ["tests.support.team_server"]


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory,
                       monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data, log and settings folders: nothing touches the real ones."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("MENTORDESK_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("MENTORDESK_LOG_DIR", str(home / "log"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "share"))  # desktop entries land here
    monkeypatch.delenv("MENTORDESK_DB", raising=False)
    return home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "mentordesk.sqlite3"


@pytest.fixture
def db(db_path: Path) -> Iterator[object]:
    from mentordesk.storage.database import open_database

    database = open_database(db_path)
    yield database
    database.close()


@pytest.fixture
def demo_db(tmp_path: Path) -> Iterator[object]:
    from mentordesk.services.demo import generate_demo
    from mentordesk.storage.database import open_database

    database = open_database(tmp_path / "demo.sqlite3")
    generate_demo(database, mentees=12, seed=3)
    yield database
    database.close()


@pytest.fixture
def qt_settings(tmp_path: Path) -> object:
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def no_dialogs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Collect error dialogs instead of blocking on them."""
    from mentordesk.ui import errors

    monkeypatch.setattr(errors, "dialogs_enabled", False)
    errors.reported.clear()
    return errors.reported


@pytest.fixture
def start_app(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch,
              qt_settings: QSettings) -> Iterator[Callable[..., StartedApp]]:
    """Start the desktop app on a file the way ``mentordesk`` does (tests/support/
    app_start.py): ``start_app(path)`` returns a ``StartedApp`` once start-up is over
    (``.window`` is the main window); every app still open is quit at teardown."""
    from tests.support.app_start import start_app as start

    started: list[StartedApp] = []

    def open_app(path: Path, *, helper: bool = True,
                 settings: QSettings | None = None) -> StartedApp:
        app = start(qtbot, monkeypatch, path, settings or qt_settings, helper=helper)
        started.append(app)
        return app

    yield open_app
    for app in reversed(started):
        app.quit()
