"""The main window on a demo database, started as the app starts it (the ``start_app``
fixture): views, menus, shortcuts, saved state."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QMenu, QWidget
from pytestqt.qtbot import QtBot

from mentordesk.storage.database import Database, open_database
from mentordesk.ui.main_window import MainWindow
from tests.support.app_start import StartApp


def make_window(qtbot: QtBot, start_app: StartApp, path: Path) -> MainWindow:
    window = start_app(path).window
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def test_switches_between_all_views(qtbot: QtBot, demo_db: Database,
                                    start_app: StartApp) -> None:
    app = start_app(demo_db.path)
    window = app.window
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    ids = [v.view_id for v in window.views]
    assert ids == ["mentees", "board", "notes"]
    for index, view_id in enumerate(ids):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_1 + index),  # type: ignore[no-untyped-call]
                       Qt.KeyboardModifier.ControlModifier)
        current = window.current_view()
        assert current is not None and current.view_id == view_id
        assert current.isVisible()
    window.show_view("board")
    app.quit()
    # The last view and geometry come back next time.
    again = make_window(qtbot, start_app, demo_db.path)
    current = again.current_view()
    assert current is not None and current.view_id == "board"


def test_every_menu_action_is_reachable(qtbot: QtBot, demo_db: Database,
                                        start_app: StartApp) -> None:
    window = make_window(qtbot, start_app, demo_db.path)
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
                                       start_app: StartApp) -> None:
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QComboBox,
        QLineEdit,
        QPlainTextEdit,
        QTextEdit,
    )

    window = make_window(qtbot, start_app, demo_db.path)
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
                                         start_app: StartApp) -> None:
    path = tmp_path / "empty.sqlite3"
    open_database(path).close()
    window = make_window(qtbot, start_app, path)
    view = window.current_view()
    assert view is not None and view.view_id == "mentees"
    texts = [b.text() for b in view.findChildren(QAbstractButton) if b.isVisible()]
    assert "Add your first mentee" in texts
    assert "Import from CSV" in texts


def test_window_survives_close_with_app(qtbot: QtBot, demo_db: Database,
                                        start_app: StartApp) -> None:
    window = make_window(qtbot, start_app, demo_db.path)
    assert QApplication.instance() is not None
    assert window.close()
