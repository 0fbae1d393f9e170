"""Making a view's actions (menu entries with shortcuts) and the buttons that trigger them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QPushButton, QWidget

from mentordesk.ui.resources import icon


def make_action(parent: QWidget, text: str, slot: Callable[[], object], *,
                shortcut: str | QKeySequence.StandardKey = "", icon_name: str = "",
                local: bool = False, tip: str = "") -> QAction:
    """An action calling ``slot``. ``local``: its shortcut works only while ``parent`` has
    the focus (the same keys mean other things in other views). Without ``tip`` the tooltip
    names the shortcut."""
    action = QAction(text, parent)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    if icon_name:
        action.setIcon(icon(icon_name))
        # The empty states draw it again on the accent colour.
        action.setProperty("iconName", icon_name)
    if local:
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        parent.addAction(action)
    action.triggered.connect(lambda _checked=False: slot())
    native = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    if tip:
        action.setToolTip(tip)
    elif native:
        action.setToolTip(f"{text.replace('&', '').rstrip('…')} ({native})")
    return action


def action_button(action: QAction, text: str | None = None) -> QPushButton:
    """A push button for ``action``: same icon, name and shortcut hint, enabled with it."""
    name = action.text().replace("&", "").rstrip("…")
    button = QPushButton(action.icon(), name if text is None else text)
    button.setAccessibleName(name)
    native = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    button.setToolTip(f"{name} ({native})" if native else name)
    button.clicked.connect(action.trigger)
    action.enabledChanged.connect(button.setEnabled)
    return button
