"""The Mentees view: the mentor's home screen."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from mentordesk.services.overview import overview
from mentordesk.ui.context import AppContext
from mentordesk.ui.resources import icon
from mentordesk.ui.view_page import ViewPage
from mentordesk.ui.widgets.empty_state import EmptyState


class MenteesView(ViewPage):
    view_id = "mentees"
    title = "Mentees"
    icon_name = "mentees"

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.new_action = QAction(icon("add"), "&New Mentee…", self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(self.new_mentee)
        self.import_action = QAction(icon("import"), "&Import from CSV…", self)
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.import_action.triggered.connect(self.import_csv)
        self._pages = QStackedWidget()
        self.welcome = EmptyState(
            "mentees",
            "Welcome to MentorDesk",
            "Keep every mentee's goals, sessions and notes in one place. Start by adding the "
            "people you mentor, or bring them in from a spreadsheet.",
            [self._labelled(self.new_action, "Add your first mentee"),
             self._labelled(self.import_action, "Import from CSV")],
        )
        self._content = QLabel()
        self._pages.addWidget(self.welcome)
        self._pages.addWidget(self._content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._pages)
        context.bus.changed.connect(self._on_changed)
        self.refresh()

    def _labelled(self, action: QAction, text: str) -> QAction:
        proxy = QAction(action.icon(), text, self)
        proxy.triggered.connect(action.trigger)
        return proxy

    def menu_actions(self) -> dict[str, list[QAction]]:
        return {"&File": [self.new_action, self.import_action]}

    def refresh(self) -> None:
        facts = overview(self.context.db)
        self._pages.setCurrentWidget(self.welcome if facts.empty else self._content)
        self._content.setText(f"{facts.mentees} mentees")

    def _on_changed(self, kinds: frozenset[str]) -> None:
        if "mentees" in kinds:
            self.refresh()

    def new_mentee(self) -> None:
        pass

    def import_csv(self) -> None:
        pass
