"""Help > Keyboard Shortcuts lists every shortcut, read from the
window's actions, and filters as you type."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from mentordesk.ui.shortcuts_dialog import ShortcutsDialog
from tests.usability.conftest import Desk, open_window
from tests.usability.helpers import press


def test_ctrl_slash_opens_a_searchable_list_built_from_the_actions(
        qtbot: QtBot, desk: Desk) -> None:
    window = open_window(qtbot, desk, "notes")
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    press(window, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeWindow(), ShortcutsDialog))
    dialog = QApplication.activeWindow()
    assert isinstance(dialog, ShortcutsDialog)
    names = dialog.visible_names()
    # Menu actions of every view, and the window's own.
    for expected in ("Undo", "Quit", "Keyboard Shortcuts", "End Session and Wrap Up"):
        assert expected in names, names
    assert dialog.field.hasFocus()
    QTest.keyClicks(dialog.field, "wrap")
    assert dialog.visible_names() == ["End Session and Wrap Up"]
    keys = dialog.proxy.index(0, 1).data()
    end = next(a for a in window.findChildren(type(window.menuBar().actions()[0]))
               if a.text().replace("&", "").startswith("End Session"))
    assert keys == end.shortcut().toString()
    # A new shortcut shows up without touching the dialog's code.
    end.setShortcut("Ctrl+Alt+W")
    dialog.close()
    again = ShortcutsDialog(window)
    qtbot.addWidget(again)
    again.field.setText("wrap")
    assert again.proxy.index(0, 1).data() == "Ctrl+Alt+W"
