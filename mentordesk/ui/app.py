"""Starting the desktop app: QApplication, the database (with a way out when it is damaged),
the main window, and the housekeeping that waits until after the first paint."""

from __future__ import annotations

import logging
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QSocketNotifier, QTimer
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import QApplication

from mentordesk import APP_ID, APP_NAME, version
from mentordesk.errors import DatabaseOpenError, KnownError
from mentordesk.startup import heap
from mentordesk.storage.backup import BackupError, backup_due, restore_backup
from mentordesk.storage.database import Database, corrupt_error, open_database
from mentordesk.ui import errors
from mentordesk.ui.context import AppContext
from mentordesk.ui.control_edges import indicator_palettes
from mentordesk.ui.errors import install_excepthook, show_known_error
from mentordesk.ui.main_window import MainWindow
from mentordesk.ui.mentees.loading import discard_helper, give_helper
from mentordesk.ui.resources import icon, stylesheet
from mentordesk.ui.single_instance import claim
from mentordesk.ui.startup import feature_scan
from mentordesk.ui.startup.probe import StartupProbe, install_smoke_check, probe_path
from mentordesk.ui.tasks import TaskControl, run_task
from mentordesk.ui.view_page import ViewPage

if TYPE_CHECKING:
    from mentordesk.startup.helper import SnapshotHelper

# This module is imported before the first paint: the dialogs of rare paths (a damaged,
# read-only or restored file) are imported when they are shown, and sync and team mode
# (SQLAlchemy and the server code come with them) once the first view is interactive.

log = logging.getLogger(__name__)


def create_application(argv: list[str] | None = None, *,
                       style_now: bool = True) -> QApplication:
    """The application, styled. ``style_now=False`` (the app's own start) leaves MentorDesk's
    style (ui/style.py: our icons for the pictures a platform style draws) to
    ``install_app_style()`` once the first view answers: making Qt's QStyle type known to
    Python costs ~5 ms the first paint and the first view do without."""
    # PySide's per-import source scan, replaced for every module imported from here on
    # (the command line installs it earlier still, before importing this module).
    feature_scan.install()
    existing = QApplication.instance()
    # argv[0] is the X11 WM_CLASS instance name: "mentordesk" however the app was started
    # (script, python -m, bundle), as the desktop entry's StartupWMClass says; the class name
    # is the application name. Wayland's app id is the desktop file name.
    app = existing if isinstance(existing, QApplication) else QApplication(argv or [APP_ID])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(icon("app"))
    indicator_palettes(app)
    if style_now:
        install_app_style(app)
    app.setStyleSheet(stylesheet())
    return app


def install_app_style(app: QApplication) -> None:
    from mentordesk.ui.style import install_style

    install_style(app)


def app_settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, APP_NAME, APP_NAME)


def open_with_recovery(path: Path, *, check: bool = True) -> Database | None:
    """Open ``path``; on a damaged or foreign file, let the user restore a backup or quit.
    A sound file MentorDesk may not write is opened read-only (``ui/read_only.py``)."""
    while True:
        try:
            return open_database(path, check=check, read_only_ok=True)
        except DatabaseOpenError as exc:
            from mentordesk.ui.database_problem import DatabaseProblemDialog

            log.warning("cannot open database: %s", type(exc).__name__)
            if not DatabaseProblemDialog.ask(exc):
                return None


def build_context(db: Database, settings: QSettings | None = None) -> AppContext:
    return AppContext(db=db, settings=settings or app_settings(), undo_stack=QUndoStack())


def install_sync_everywhere(window: MainWindow) -> None:
    """Google Calendar sync: the toolbar button and menus, plus per-session status in the
    views that show sessions (also in those a lazy window builds later)."""
    from mentordesk.ui.sync import install_sync

    controller = install_sync(window, window.context)

    def hook(view: ViewPage) -> None:
        view.set_sync_controller(controller)

    for view in window.views:
        hook(view)
    window.view_created.connect(hook)


# If the first view never says it is ready (a load failed), the rest of start-up still runs.
READY_FALLBACK_MS = 3000


class Launcher:
    """Owns the window and the open database, so a restore can swap both in place.

    Start-up order, so the window paints and the first view answers as early as possible:
    open the file (sqlite3 checks only), show the window shell, build the current view in
    the next event-loop turn, and once it is ready: import SQLAlchemy in a worker, install
    sync, build the other views, then the integrity check and the daily backup.
    """

    def __init__(self, path: Path, helper: SnapshotHelper | None = None,
                 when_ready: Callable[[], object] | None = None) -> None:
        self.path = path
        self.window: MainWindow | None = None
        # The start-up helper's mentee list is for the first window only.
        self._helper = helper
        # Work that waits until the first window answers (listening for second starts).
        self._when_ready = when_ready

    def start(self) -> bool:
        # quick_check reads the whole file: it runs after start-up, not before.
        db = open_with_recovery(self.path, check=False)
        if db is None:
            return False
        context = build_context(db)
        helper, self._helper = self._helper, None
        if helper is not None:
            give_helper(context, helper)
        window = MainWindow(context, lazy=True)
        self.window = window
        if db.read_only is not None:
            from mentordesk.ui.read_only import show_read_only, stop_typing

            show_read_only(window, db.path.name, db.read_only)
            window.view_created.connect(stop_typing)
        self._install_restore_action(window)
        probe_file = probe_path()
        probe = StartupProbe(window, probe_file, helper) if probe_file is not None else None
        install_smoke_check(window)
        finished = False

        def after_ready() -> None:
            nonlocal finished
            if finished or self.window is not window:
                return
            finished = True
            discard_helper(context)
            # Once the first view answers: until then nothing it shows needs the style (its
            # check boxes have their colours from create_application).
            app = QApplication.instance()
            if isinstance(app, QApplication):
                install_app_style(app)
            if self._when_ready is not None:
                when_ready, self._when_ready = self._when_ready, None
                when_ready()
            QTimer.singleShot(0, window, lambda: finish_start_up(window, self))

        def first_view(view: ViewPage) -> None:
            window.view_created.disconnect(first_view)
            if probe is not None:
                view.ready.connect(probe.interactive)
            view.ready.connect(after_ready)
            QTimer.singleShot(READY_FALLBACK_MS, window, after_ready)

        window.view_created.connect(first_view)
        window.start_views_after_paint()
        window.show()
        return True

    def restore_and_restart(self, error: DatabaseOpenError) -> None:
        from mentordesk.ui.database_problem import DatabaseProblemDialog

        old = self.window
        if old is not None:
            discard_helper(old.context)  # its list is of the file being replaced
            if old.sync_controller is not None:
                old.sync_controller.shutdown()
            old.flush_all()
            old.save_state()
            old.context.db.close()
            old.hide()
        if DatabaseProblemDialog.ask(error) and self.start():
            if old is not None:
                old.deleteLater()
            return
        QApplication.quit()

    def close(self) -> None:
        if self.window is not None:
            self.window.context.db.close()

    def bring_to_front(self) -> None:
        """Another ``mentordesk`` was started on this file: show this window instead."""
        window = self.window
        if window is None:
            return
        if window.isMinimized():
            window.showNormal()
        window.show()
        window.raise_()
        window.activateWindow()

    def _install_restore_action(self, window: MainWindow) -> None:
        action = QAction("&Restore from Backup…", window)
        action.setObjectName("restoreAction")
        action.triggered.connect(lambda _=False: self.restore_from_backup())
        menu = window.menu("&File")
        actions = menu.actions()
        backup = next((i for i, a in enumerate(actions) if a.text() == "&Back Up Now"), None)
        if backup is not None and backup + 1 < len(actions):
            menu.insertAction(actions[backup + 1], action)
        else:
            menu.addAction(action)

    def restore_from_backup(self, backup: Path | None = None) -> bool:
        """File ▸ Restore from Backup…: save every edit, close the file, put the backup in
        its place (the current file is kept beside it) and open it again in a new window,
        so no later edit can reach the file that was set aside."""
        from mentordesk.ui.restore_dialog import RestoreDialog

        old = self.window
        if old is None:
            return False
        if backup is None:
            backup = RestoreDialog.ask(old.context.db.path, old)
            if backup is None:
                return False
        for view in old.views:
            try:
                view.flush()
            except KnownError as exc:
                show_known_error(old, KnownError(
                    "Nothing was restored: your last edits could not be saved yet.",
                    hint=f"{exc.message} Try again once they are saved."))
                return False
        discard_helper(old.context)
        if old.sync_controller is not None:
            old.sync_controller.shutdown()
        old.save_state()
        old.context.db.close()
        try:
            moved = restore_backup(backup, old.context.db.path)
        except (BackupError, OSError) as exc:
            problem: KnownError | None = KnownError(
                f"Could not restore {backup.name}: {exc}", hint="The current file is unchanged.")
        else:
            problem = None
        old.hide()
        if not self.start():
            QApplication.quit()
            return False
        old.deleteLater()
        window = self.window
        if window is None:
            return False
        if problem is not None:
            show_known_error(window, problem)
            return False
        window.statusBar().showMessage(
            f"Restored {backup.name}." + (f" The previous file was kept as {moved}."
                                          if moved is not None else ""), 15000)
        return True


def finish_start_up(window: MainWindow, launcher: Launcher | None = None) -> None:
    """After the first view is ready: SQLAlchemy's import in a worker (so the first edit
    does not wait for it), then sync, the other views and the housekeeping."""
    heap.start_up_finished()
    # Not at start: the version comes from the package metadata (~20 ms to look up).
    QApplication.setApplicationVersion(version())
    db = window.context.db

    def warm(_control: TaskControl) -> None:
        db.warm_up()

    def then(_result: object = None) -> None:
        if db.closed:
            return  # the file was restored or the app quit meanwhile
        if db.read_only is None:  # sync and team replication write to the file
            install_sync_everywhere(window)
            from mentordesk.ui.team import install_team

            install_team(window)
        window.build_remaining_views()
        after_first_paint(window, launcher)

    def failed(exc: BaseException) -> None:
        log.warning("warm-up: %s", exc)
        then()

    run_task(warm, on_success=then, on_error=failed)


def after_first_paint(window: MainWindow, launcher: Launcher | None = None) -> None:
    """Housekeeping that must not delay the first paint: the integrity check, then the
    daily backup (never back up a damaged file over good backups)."""
    db = window.context.db

    def check(_control: TaskControl) -> list[str]:
        # The same check the first write waits for (it runs once): until it has passed,
        # nothing is written to the file.
        return db.verify()

    def checked(problems: list[str]) -> None:
        if db.closed:
            return
        if problems:
            log.error("integrity check failed after start")
            error = corrupt_error(db.path, problems[0])
            if launcher is not None:
                launcher.restore_and_restart(error)
            return
        if db.read_only is None:  # a read-only file does not change: nothing to back up
            start_daily_backup(window)

    run_task(check, on_success=checked, on_error=lambda exc: log.warning("check: %s", exc))


def start_daily_backup(window: MainWindow) -> None:
    db = window.context.db

    def daily_backup(_control: TaskControl) -> str | None:
        if backup_due(db.path):
            return str(db.backup("daily"))
        return None

    def done(path: str | None) -> None:
        if path:
            log.info("daily backup written")

    def failed(exc: BaseException) -> None:
        log.warning("daily backup failed: %s", exc)
        window.statusBar().showMessage(
            "The daily backup failed; check free disk space. Your data is unchanged.", 10000)

    run_task(daily_backup, on_success=done, on_error=failed)


_signal_plumbing: list[object] = []


def quit_on_signals(app: QApplication, launcher: Launcher) -> None:
    """Ctrl+C (SIGINT) and SIGTERM (logout, ``kill``) close the window the normal way, so
    every edit is saved (or put in a recovery copy), then quit.

    Python runs its signal handlers only between bytecodes, and Qt's event loop keeps the
    thread in C++: the signal's wake-up byte on a socket pair makes Qt call back into
    Python, and the handler runs then.
    """
    receive, send = socket.socketpair()
    receive.setblocking(False)
    send.setblocking(False)
    signal.set_wakeup_fd(send.fileno())
    notifier = QSocketNotifier(receive.fileno(), QSocketNotifier.Type.Read, app)
    notifier.activated.connect(lambda *_args: receive.recv(64))
    _signal_plumbing[:] = [receive, send, notifier]  # alive as long as the app

    def handler(signum: int, _frame: object) -> None:
        log.info("quitting on %s", signal.Signals(signum).name)
        # Nobody is there to click a dialog: what cannot be saved goes to recovery copies.
        errors.dialogs_enabled = False
        window = launcher.window
        if window is not None:
            window.close()
        QApplication.quit()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def run_gui(path: Path, helper: SnapshotHelper | None = None) -> int:
    """Run the app on the database at ``path``; ``helper``, if the command line started one,
    is computing the mentee list in another process (``startup/snapshot.py``)."""
    app = create_application(style_now=False)
    install_excepthook()
    instance = claim(path)
    if instance is None:
        sys.stderr.write(f"mentordesk: MentorDesk is already open on {path}; its window was "
                         "brought to the front.\n")
        return 0
    launcher = Launcher(path, helper, when_ready=instance.listen)
    instance.activate_requested.connect(launcher.bring_to_front)
    quit_on_signals(app, launcher)
    try:
        if not launcher.start():
            return 1
        return app.exec()
    finally:
        launcher.close()
        instance.close()
