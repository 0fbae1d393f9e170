"""The "Private" check box of a note."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QWidget,
)


class PrivateCheck(QCheckBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Private", parent)
        self.setAccessibleName("Private note")
        self.setToolTip("Private notes never appear in recaps or reports.")
