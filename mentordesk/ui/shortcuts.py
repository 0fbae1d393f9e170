"""Standard shortcuts with a sensible fallback.

Some platforms (and the offscreen platform used in tests) define no key for a few standard
keys such as Quit; the fallback keeps every action reachable from the keyboard.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence


def set_standard_shortcut(action: QAction, key: QKeySequence.StandardKey, fallback: str) -> None:
    keys = QKeySequence.keyBindings(key)
    if not keys:
        keys = [QKeySequence(fallback)]
    action.setShortcuts(keys)
