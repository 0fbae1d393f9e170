"""Every view and dialog of ``scripts/screen_catalogue.py``, for the tests that walk them all
(accessibility, icons): the same screens the screenshots and the layout test show."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from mentordesk.services.demo import generate_demo
from mentordesk.storage.database import Database, open_database
from mentordesk.ui.app import build_context, create_application
from mentordesk.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]


def walk_catalogue(qtbot: QtBot, tmp_path: Path,
                   db: Database | None = None) -> Iterator[tuple[str, QWidget]]:
    """(name, widget) for each screen, on ``db`` or a 12-mentee demo file made here (and
    closed after). The window is built as the catalogue builds it for the screenshots."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from screen_catalogue import screens  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    create_application()
    own = db is None
    if db is None:
        db = open_database(tmp_path / "demo.sqlite3")
        generate_demo(db, mentees=12, seed=5)
    window = MainWindow(build_context(
        db, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)))
    qtbot.addWidget(window)
    try:
        yield from screens(window, db)
    finally:
        window.close()
        QApplication.processEvents()
        if own:
            db.close()
