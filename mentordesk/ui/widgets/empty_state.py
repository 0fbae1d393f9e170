"""A friendly empty state: what this place is for and the first thing to do."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from mentordesk.ui.resources import icon


class EmptyState(QWidget):
    def __init__(self, icon_name: str, title: str, text: str,
                 actions: list[QAction] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        picture = QLabel()
        picture.setPixmap(icon(icon_name).pixmap(QSize(64, 64), self.devicePixelRatioF()))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(picture)
        heading = QLabel(title)
        heading.setProperty("role", "title")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(heading)
        body = QLabel(text)
        body.setProperty("role", "subtitle")
        body.setWordWrap(True)
        body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        body.setFixedWidth(440)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(body)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.buttons: list[QPushButton] = []
        for i, action in enumerate(actions or []):
            button = QPushButton(action.icon(), action.text().replace("&", "").rstrip("…."))
            button.setAccessibleName(action.text().replace("&", ""))
            if i == 0:
                button.setProperty("role", "primary")
                button.setIcon(icon(self._icon_of(action), on_accent=True))
                button.setDefault(True)
            button.clicked.connect(action.trigger)
            buttons.addWidget(button)
            self.buttons.append(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(2)
        self.setAccessibleName(title)

    @staticmethod
    def _icon_of(action: QAction) -> str:
        name = action.property("iconName")
        return str(name) if name else "add"
