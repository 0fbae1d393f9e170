"""The contract between the main window and each of its views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from mentordesk.ui.context import AppContext

if TYPE_CHECKING:
    from mentordesk.ui.sync.controller import SyncController


class ViewPage(QWidget):
    """One of the main window's views (Mentees, Goal board, Notes)."""

    view_id = ""
    title = ""
    icon_name = ""
    # Emitted once the view shows its data and answers input (used to measure start-up).
    ready = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setAccessibleName(self.title)

    def menu_actions(self) -> dict[str, list[QAction]]:
        """Actions this view adds to the menu bar, by menu title (e.g. "&File")."""
        return {}

    def activated(self) -> None:
        """The view became visible."""

    def flush(self) -> None:
        """Save anything pending now: called on view switch, focus loss and quit."""

    def focus_filter(self) -> None:
        """Put the keyboard focus in the view's filter or search field, if it has one."""

    def set_sync_controller(self, controller: SyncController) -> None:
        """Google Calendar sync is installed (after start-up, or before this view was
        built): views that show sessions show their sync state through it."""
