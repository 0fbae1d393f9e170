"""The main window on a demo database: views, menus, shortcuts, saved state."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QMenu, QWidget
from pytestqt.qtbot import QtBot

from mentordesk.storage.database import Database, open_database
from mentordesk.ui.app import build_context, create_application
from mentordesk.ui.main_window import MainWindow


def make_window(qtbot: QtBot, db: Database, settings: QSettings) -> MainWindow:
    create_application()
    window = MainWindow(build_context(db, settings))
    qtbot.addWidget(window)
    # waitExposed waits when its with-block ends: called on its own it does nothing.
    with qtbot.waitExposed(window):
        window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def test_switches_between_all_views(qtbot: QtBot, demo_db: Database,
                                    qt_settings: QSettings) -> None:
    window = make_window(qtbot, demo_db, qt_settings)
    ids = [v.view_id for v in window.views]
    assert ids == ["mentees", "board", "notes"]
    for index, view_id in enumerate(ids):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_1 + index),  # type: ignore[no-untyped-call]
                       Qt.KeyboardModifier.ControlModifier)
        current = window.current_view()
        assert current is not None and current.view_id == view_id
        assert current.isVisible()
    window.show_view("board")
    window.close()
    # The last view and geometry come back next time.
    again = make_window(qtbot, demo_db, qt_settings)
    current = again.current_view()
    assert current is not None and current.view_id == "board"


def test_every_menu_action_is_reachable(qtbot: QtBot, demo_db: Database,
                                        qt_settings: QSettings) -> None:
    window = make_window(qtbot, demo_db, qt_settings)
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles[:3] == ["&File", "&Edit", "&View"]
    assert titles[-1] == "&Help"
    shortcuts: dict[str, str] = {}
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        assert isinstance(menu, QMenu)
        for action in menu.actions():
            if action.isSeparator():
                continue
            assert action.text(), "every menu entry has a label"
            for sequence in action.shortcuts():
                key = sequence.toString()
                clash = shortcuts.get(key)
                assert clash is None, f"{key} used by {clash} and {action.text()}"
                shortcuts[key] = action.text()
    assert "Ctrl+Q" in shortcuts and "Ctrl+Z" in shortcuts


def test_widgets_have_accessible_names(qtbot: QtBot, demo_db: Database,
                                       qt_settings: QSettings) -> None:
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QComboBox,
        QLineEdit,
        QPlainTextEdit,
        QTextEdit,
    )

    window = make_window(qtbot, demo_db, qt_settings)
    interactive = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QTextEdit,
                   QPlainTextEdit)
    missing = []
    for view in window.views:
        window.show_view(view.view_id)
        for widget in view.findChildren(QWidget):
            if isinstance(widget, interactive) and widget.isVisible():
                name = widget.accessibleName() or (
                    widget.text() if isinstance(widget, QAbstractButton) else "")
                if not name:
                    missing.append(f"{view.view_id}:{type(widget).__name__}:{widget.objectName()}")
    assert missing == []


def test_welcome_state_on_empty_database(qtbot: QtBot, tmp_path: Path,
                                         qt_settings: QSettings) -> None:
    db = open_database(tmp_path / "empty.sqlite3")
    window = make_window(qtbot, db, qt_settings)
    view = window.views[0]
    texts = [b.text() for b in view.findChildren(QAbstractButton) if b.isVisible()]
    assert "Add your first mentee" in texts
    assert "Import from CSV" in texts
    window.close()
    db.close()


def test_window_survives_close_with_app(qtbot: QtBot, demo_db: Database,
                                        qt_settings: QSettings) -> None:
    window = make_window(qtbot, demo_db, qt_settings)
    assert QApplication.instance() is not None
    assert window.close()
