"""Session notes: schedule, prepare, take notes during the call, find them later."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from mentordesk.ui.context import AppContext
from mentordesk.ui.view_page import ViewPage
from mentordesk.ui.widgets.empty_state import EmptyState


class NotesView(ViewPage):
    view_id = "notes"
    title = "Notes"
    icon_name = "notes"

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        layout = QVBoxLayout(self)
        layout.addWidget(EmptyState(
            "notes", "No sessions yet",
            "Plan a session with a mentee to prepare an agenda and take notes during the call."))
