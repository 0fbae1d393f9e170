"""Starting the desktop app: QApplication, the database (with a way out when it is damaged),
the main window, and the housekeeping that waits until after the first paint."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication

from mentordesk import APP_NAME, __version__
from mentordesk.errors import DatabaseOpenError
from mentordesk.storage.database import Database, open_database
from mentordesk.ui.context import AppContext
from mentordesk.ui.errors import install_excepthook
from mentordesk.ui.main_window import MainWindow
from mentordesk.ui.resources import icon, stylesheet
from mentordesk.ui.tasks import TaskControl, run_task

log = logging.getLogger(__name__)


def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("mentordesk")
    app.setWindowIcon(icon("app"))
    app.setStyleSheet(stylesheet())
    return app


def app_settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, APP_NAME, APP_NAME)


def open_with_recovery(path: Path) -> Database | None:
    """Open ``path``; on a damaged or foreign file, let the user restore a backup or quit."""
    from mentordesk.ui.database_problem import DatabaseProblemDialog

    while True:
        try:
            return open_database(path)
        except DatabaseOpenError as exc:
            log.warning("cannot open database: %s", type(exc).__name__)
            if not DatabaseProblemDialog.ask(exc):
                return None


def build_context(db: Database, settings: QSettings | None = None) -> AppContext:
    return AppContext(db=db, settings=settings or app_settings(), undo_stack=QUndoStack())


def after_first_paint(window: MainWindow) -> None:
    """Housekeeping that must not delay the first paint: the daily backup."""
    db = window.context.db

    def daily_backup(_control: TaskControl) -> str | None:
        from mentordesk.storage.backup import backup_due

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


def run_gui(path: Path) -> int:
    app = create_application()
    install_excepthook()
    db = open_with_recovery(path)
    if db is None:
        return 1
    context = build_context(db)
    window = MainWindow(context)
    window.show()
    QTimer.singleShot(0, lambda: after_first_paint(window))
    try:
        return app.exec()
    finally:
        db.close()
