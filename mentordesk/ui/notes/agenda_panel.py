"""What to talk about: the session's agenda topics, and what was carried over from earlier
sessions (open action items and next-time topics)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QListView, QPlainTextEdit, QVBoxLayout, QWidget

from mentordesk.services.notes import ActionItemRecord
from mentordesk.ui.notes.models import ActionItemsModel


class AgendaPanel(QWidget):
    def __init__(self, toggle: Callable[[ActionItemRecord, bool], None]) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        topics = QVBoxLayout()
        label = QLabel("Agenda")
        label.setProperty("role", "section")
        topics.addWidget(label)
        self.agenda_edit = QPlainTextEdit()
        self.agenda_edit.setAccessibleName("Agenda topics")
        self.agenda_edit.setPlaceholderText("Topics to cover, one per line…")
        self.agenda_edit.setTabChangesFocus(True)
        topics.addWidget(self.agenda_edit)
        layout.addLayout(topics, 3)
        carried = QVBoxLayout()
        carried_label = QLabel("Carried over")
        carried_label.setProperty("role", "section")
        carried.addWidget(carried_label)
        self.carried_model = ActionItemsModel(toggle, self)
        self.carried_list = QListView()
        self.carried_list.setAccessibleName("Carried over: open actions and next-time topics")
        self.carried_list.setModel(self.carried_model)
        self.carried_list.setWordWrap(True)
        carried.addWidget(self.carried_list)
        layout.addLayout(carried, 2)

    def call_sheet(self) -> str:
        """The agenda and carried items as Markdown, for the call-mode window."""
        agenda = self.agenda_edit.toPlainText().strip()
        carried = [f"- {'Next time: ' if i.kind == 'next_time' else ''}{i.text}"
                   for i in self.carried_model.items()]
        return (agenda or "*No topics prepared.*") + (
            "\n\n**Carried over**\n\n" + "\n".join(carried) if carried else "")
