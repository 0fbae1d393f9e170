"""The Goal board: measurable goals per mentee on a kanban board."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from mentordesk.ui.context import AppContext
from mentordesk.ui.view_page import ViewPage
from mentordesk.ui.widgets.empty_state import EmptyState


class BoardView(ViewPage):
    view_id = "board"
    title = "Goal board"
    icon_name = "board"

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        layout = QVBoxLayout(self)
        layout.addWidget(EmptyState(
            "board", "No goals yet",
            "Goals make mentoring measurable. Add one for a mentee and move it across the "
            "board as it progresses."))
