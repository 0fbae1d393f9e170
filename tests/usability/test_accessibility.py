"""Screen readers and keyboards: every interactive widget of every view and dialog (the
same list as the screenshots and the layout test, scripts/screen_catalogue.py) has an
accessible name, as a screen reader reads it through QAccessible, and a keyboard path: it
takes focus with Tab, or is a button reachable by a mnemonic, a shortcut or a menu entry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from mentordesk.storage.database import Database, open_database
from tests.usability.catalogue import walk_catalogue

INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView,
               QPlainTextEdit, QTextEdit)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Database]:
    from mentordesk.services.demo import generate_demo

    db = open_database(tmp_path / "demo.sqlite3")
    generate_demo(db, mentees=12, seed=5)
    yield db
    db.close()


def _inside_other_widget(widget: QWidget) -> bool:
    """Parts Qt builds inside another control (a spin box's line edit, a combo's list, an
    item view's editor, a tab bar's scroll buttons, a line edit's clear button, whose
    keyboard path is the field's own Ctrl+A and Delete): the control itself is checked."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractSpinBox | QComboBox | QAbstractItemView | QTabBar
                      | QLineEdit):
            return True
        parent = parent.parentWidget()
    return isinstance(widget, QScrollBar)


def _menu_actions(root: QWidget) -> set[QAction]:
    found: set[QAction] = set()
    for menu in root.window().findChildren(QMenu):
        found.update(menu.actions())
    return found


def _keyboard_path(widget: QWidget, menu_actions: set[QAction]) -> bool:
    if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
        return True
    if isinstance(widget, QToolButton):
        action = widget.defaultAction()
        if action is not None and (action in menu_actions or not action.shortcut().isEmpty()):
            return True
    if isinstance(widget, QAbstractButton):
        return "&" in widget.text().replace("&&", "") or not widget.shortcut().isEmpty()
    return False


def gaps(root: QWidget) -> list[str]:
    menu_actions = _menu_actions(root)
    found: list[str] = []
    for widget in (root, *root.findChildren(QWidget)):
        if not isinstance(widget, INTERACTIVE) or not widget.isVisible() \
                or not widget.isEnabled() or widget.window() is not root.window() \
                or _inside_other_widget(widget):
            continue
        face = QAccessible.queryAccessibleInterface(widget)
        name = face.text(QAccessible.Text.Name) if face is not None else ""
        what = (f"{type(widget).__name__} {widget.objectName() or ''}"
                f" {getattr(widget, 'text', lambda: '')()!r}"
                f" under {type(widget.parentWidget()).__name__}")
        if not name.strip():
            found.append(f"no accessible name: {what}")
        if not _keyboard_path(widget, menu_actions):
            found.append(f"no keyboard path: {what}")
    return found


def test_every_interactive_widget_has_a_name_and_a_keyboard_path(
        qtbot: QtBot, demo: Database, tmp_path: Path) -> None:
    report: dict[str, list[str]] = {}
    for name, widget in walk_catalogue(qtbot, tmp_path, demo):
        found = gaps(widget)
        if found:
            report[name] = found
    assert report == {}


def test_the_walk_sees_a_nameless_unreachable_button(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QToolButton

    from mentordesk.ui.resources import icon

    window = QWidget()
    qtbot.addWidget(window)
    row = QHBoxLayout(window)
    bare = QToolButton()
    bare.setIcon(icon("delete"))
    bare.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    named = QLineEdit()
    named.setAccessibleName("Title")
    row.addWidget(bare)
    row.addWidget(named)
    window.show()
    qtbot.waitExposed(window)
    found = gaps(window)
    assert len(found) == 2 and all("QToolButton" in f for f in found), found
