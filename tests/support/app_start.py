"""The main window as users get it: started by ``Launcher(path).start()`` the way
``mentordesk`` starts it (mentordesk/ui/app.py): the start-up helper process computes the
mentee list while a lazy window paints, the first view is built after the first paint, then
``finish_start_up`` installs sync and team mode, builds the other views and runs the
integrity check and the daily backup. ``start_app`` returns once all of that is over;
``StartedApp.quit`` closes it as quitting the app does.

The ``start_app`` fixture (tests/conftest.py) starts windows with it and quits them at
teardown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from mentordesk.startup.helper import SnapshotHelper
from mentordesk.storage.backup import backup_due
from mentordesk.ui import app as app_module
from mentordesk.ui.app import Launcher, create_application
from mentordesk.ui.main_window import MainWindow

START_UP_TIMEOUT_MS = 20_000


@dataclass
class StartedApp:
    launcher: Launcher
    helper: SnapshotHelper | None
    closed: bool = False

    @property
    def window(self) -> MainWindow:
        window = self.launcher.window
        assert window is not None, "the app has no window (its file did not open)"
        return window

    def quit(self) -> None:
        """Close the window, stop sync and team mode, let late answers land while the file
        is still open, then close the file: what quitting the app does (``run_gui``)."""
        if self.closed:
            return
        self.closed = True
        window = self.launcher.window
        if window is not None:
            window.close()  # flushes every view and saves the window state
            if window.sync_controller is not None:
                window.sync_controller.shutdown()
            if window.team_controller is not None:
                window.team_controller.stop()
        QThreadPool.globalInstance().waitForDone(5000)
        QApplication.processEvents()
        self.launcher.close()
        if self.helper is not None:
            self.helper.discard()  # a no-op once the Mentees view has taken its list
        if window is not None:
            window.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


# The ``start_app`` fixture: ``start_app(path, *, helper=True, settings=None)``.
StartApp = Callable[..., StartedApp]


def start_app(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, path: Path,
              settings: QSettings, *, helper: bool = True) -> StartedApp:
    """Start the app on the file at ``path`` and wait until start-up is over."""
    create_application()
    # The one difference from the app: its settings are the test's own file. Qt keeps the
    # first user-scope settings folder it looks up, so app_settings() would be one file
    # shared by every test of the run.
    monkeypatch.setattr(app_module, "app_settings", lambda: settings)
    # None where the app would not start one either (no file yet, or turned off).
    snapshot = SnapshotHelper.start(path) if helper else None
    launcher = Launcher(path, snapshot)
    started = StartedApp(launcher, snapshot)
    if not launcher.start():
        started.quit()
        raise AssertionError(f"{path.name} did not open")
    wait_until_started(qtbot, started.window)
    return started


def wait_until_started(qtbot: QtBot, window: MainWindow) -> None:
    """Every view built and sync and team mode installed (``finish_start_up`` has run),
    then the integrity check and the daily backup it starts are over."""
    db = window.context.db
    writable = db.read_only is None

    def views_built() -> bool:
        return (len(window.views) == len(window.view_ids())
                and (not writable or window.sync_controller is not None))

    qtbot.waitUntil(views_built, timeout=START_UP_TIMEOUT_MS)
    pool = QThreadPool.globalInstance()

    def housekeeping_done() -> bool:
        # The check hands over to the backup through a queued signal: the pool is briefly
        # idle in between, but no backup is there yet (a file backed up less than a day ago
        # is not backed up again, so only the check is waited for there).
        return pool.activeThreadCount() == 0 and not (writable and backup_due(db.path))

    qtbot.waitUntil(housekeeping_done, timeout=START_UP_TIMEOUT_MS)
