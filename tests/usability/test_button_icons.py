"""Buttons of one screen look alike: every push button with a label carries one of our line
icons, so a dialog never shows an iconed Close beside bare Open and Copy buttons."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from tests.usability.test_board_and_look import our_icons, which_icon

ROOT = Path(__file__).resolve().parents[2]


def test_every_labelled_button_of_every_screen_has_an_icon(qtbot: QtBot,
                                                           tmp_path: Path) -> None:
    from mentordesk.services.demo import generate_demo
    from mentordesk.storage.database import open_database
    from mentordesk.ui.app import build_context, create_application
    from mentordesk.ui.main_window import MainWindow

    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from screen_catalogue import screens  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    create_application()
    db = open_database(tmp_path / "demo.sqlite3")
    generate_demo(db, mentees=12, seed=5)
    window = MainWindow(build_context(
        db, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)))
    qtbot.addWidget(window)
    ours = our_icons()
    bare: dict[str, list[str]] = {}
    try:
        for name, widget in screens(window, db):
            missing = [button.text() for button in widget.findChildren(QPushButton)
                       if button.isVisible() and button.text()
                       and not which_icon(button.icon(), ours)]
            if missing:
                bare[name] = missing
    finally:
        window.close()
        QApplication.processEvents()
        db.close()
    assert bare == {}
