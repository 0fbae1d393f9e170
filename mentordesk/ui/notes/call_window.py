"""Call mode: a compact, always-on-top window beside the video call.

It borrows the notes view's editor (the very widget, so autosave and undo carry on
untouched) and gives it back when closed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from mentordesk.ui.resources import icon


class CallWindow(QWidget):
    closed = Signal()
    add_action = Signal(str)
    end_requested = Signal()

    def __init__(self, title: str, agenda_markdown: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("callWindow")
        self.setWindowTitle(f"Call — {title}")
        self.setAccessibleName("Call mode")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        head = QHBoxLayout()
        self.title = QLabel(title)
        self.title.setProperty("role", "section")
        head.addWidget(self.title, 1)
        self.timer = QLabel("00:00")
        self.timer.setAccessibleName("Call timer")
        self.timer.setObjectName("callTimer")
        head.addWidget(self.timer)
        self.end_button = QPushButton(icon("check"), "End")
        self.end_button.setAccessibleName("End session")
        self.end_button.setToolTip("End the session and wrap up")
        self.end_button.clicked.connect(self.end_requested.emit)
        head.addWidget(self.end_button)
        layout.addLayout(head)
        self.agenda = QTextBrowser()
        self.agenda.setAccessibleName("Agenda")
        self.agenda.setMarkdown(agenda_markdown)
        self.agenda.setMaximumHeight(130)
        layout.addWidget(self.agenda)
        self.editor_slot = QVBoxLayout()
        layout.addLayout(self.editor_slot, 1)
        row = QHBoxLayout()
        self.action_edit = QLineEdit()
        self.action_edit.setPlaceholderText("Quick action item… (Enter)")
        self.action_edit.setAccessibleName("Quick action item")
        self.action_edit.returnPressed.connect(self._add)
        row.addWidget(self.action_edit, 1)
        add = QPushButton(icon("add"), "")
        add.setAccessibleName("Add action item")
        add.setToolTip("Add action item")
        add.clicked.connect(self._add)
        row.addWidget(add)
        layout.addLayout(row)
        leave = QShortcut(QKeySequence("Ctrl+Shift+M"), self)
        leave.activated.connect(self.close)
        self.resize(420, 640)

    def hold(self, editor: QPlainTextEdit) -> None:
        self.editor_slot.addWidget(editor)
        editor.show()
        editor.setFocus()

    def _add(self) -> None:
        text = self.action_edit.text().strip()
        if text:
            self.add_action.emit(text)
            self.action_edit.clear()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit()
        super().closeEvent(event)
