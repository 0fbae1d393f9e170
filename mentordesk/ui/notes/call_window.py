"""Call mode: a compact, always-on-top window beside the video call.

It borrows the notes view's editor (the very widget, so autosave and undo carry on
untouched) and gives it back when closed.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
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

from mentordesk.domain.markdown import hard_line_breaks
from mentordesk.ui.resources import icon

# Space kept between the call window and the edges of the screen's free area.
SCREEN_MARGIN = 16
DEFAULT_SIZE = QSize(420, 640)


def placement(available: QRect, frame: QSize, remembered: QRect | None = None,
              margin: int = SCREEN_MARGIN) -> QRect:
    """Where the call window's frame goes: ``remembered`` (where the mentor left it) moved
    inside ``available`` when most of it is still on that screen, else the top-right
    corner; never larger than ``available`` less the margins, never past its edges."""
    room = available.adjusted(margin, margin, -margin, -margin)
    if room.width() <= 0 or room.height() <= 0:
        room = QRect(available)
    size = (remembered.size() if remembered is not None else frame).boundedTo(room.size())
    if remembered is not None and _mostly_inside(remembered, available):
        left = min(max(remembered.left(), room.left()), room.right() - size.width() + 1)
        top = min(max(remembered.top(), room.top()), room.bottom() - size.height() + 1)
        return QRect(QPoint(left, top), size)
    return QRect(QPoint(room.right() - size.width() + 1, room.top()), size)


def _mostly_inside(rect: QRect, available: QRect) -> bool:
    shown = rect.intersected(available)
    return 2 * shown.width() * shown.height() >= rect.width() * rect.height()


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
        # Topics are typed one per line: keep them on their lines.
        self.agenda.setMarkdown(hard_line_breaks(agenda_markdown))
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
        self.resize(DEFAULT_SIZE)

    def place(self, available: QRect, remembered: QRect | None = None) -> None:
        """Put the whole window, frame included, inside ``available`` (a screen's free
        area). The frame's size is known once the window is shown; before that it is
        taken as none, and the caller places the window again after showing it."""
        frame = self.frameGeometry()
        extra = frame.size() - self.geometry().size()
        wanted = placement(available, self.size() + extra, remembered)
        self.resize(wanted.size() - extra)
        # move() places the frame's top-left corner for a top-level window.
        self.move(wanted.topLeft())

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
