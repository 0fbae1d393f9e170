"""Real input for usability tests: keys and clicks go through the window system path
(``QTest`` on the widget's ``QWindow``) where it matters which widget Qt routes them to,
as a user's keyboard and mouse do; open popups and modal message boxes get them first."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QWindow
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget


def window_of(widget: QWidget) -> QWindow:
    handle = widget.window().windowHandle()
    assert handle is not None, "the widget's window is not shown"
    return handle


def press(widget: QWidget, key: Qt.Key,
          modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed while ``widget``'s window has the keyboard: Qt routes it to the open
    popup, else to the focused widget, exactly as for a real keyboard."""
    QTest.keyClick(window_of(widget), key, modifier)


def click(widget: QWidget, pos: QPoint | None = None) -> None:
    """A left click on ``widget`` delivered through its window (an open popup sees it
    first, as it would see a real mouse)."""
    at = widget.mapTo(widget.window(), pos if pos is not None else widget.rect().center())
    QTest.mouseClick(window_of(widget), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, at)


def answer_next_message_box(choose: Callable[[QMessageBox], QWidget | None],
                            seen: list[str]) -> None:
    """When the next modal message box opens, record its text and click the button
    ``choose`` picks (None: press Escape on it)."""

    def act() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or not box.isVisible():
            QTimer.singleShot(20, act)
            return
        seen.append(box.text())
        button = choose(box)
        if button is None:
            QTest.keyClick(box, Qt.Key.Key_Escape)
        else:
            QTest.mouseClick(button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, act)


def button_named(box: QMessageBox, name: str) -> QWidget:
    for button in box.buttons():
        if button.text().replace("&", "") == name:
            return button
    raise AssertionError(f"no button {name!r} in {[b.text() for b in box.buttons()]}")
