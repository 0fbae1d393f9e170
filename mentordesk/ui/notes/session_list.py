"""The notes view's left side: sessions grouped by day, upcoming and recent, loaded in the
background, with a scope (all mentees or the selected one) and a context menu."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from mentordesk.domain.timezones import zone
from mentordesk.errors import KnownError
from mentordesk.services.sessions import SessionRecord, SessionService
from mentordesk.ui.actions import action_button
from mentordesk.ui.context import AppContext
from mentordesk.ui.errors import show_known_error
from mentordesk.ui.i18n import tr
from mentordesk.ui.notes.models import SessionListModel, group_sessions
from mentordesk.ui.resources import icon
from mentordesk.ui.tasks import TaskControl, run_task

log = logging.getLogger(__name__)

UPCOMING_DAYS = 28
RECENT_LIMIT = 40

Groups = list[tuple[str, list[SessionRecord]]]
# (session id, occurrence start or None): what to select once the list is loaded.
Wanted = tuple[int, datetime | None]


class SessionListPanel(QWidget):
    # The user picked a session (or the list selected the one asked for).
    chosen = Signal(object)
    # "Join call" from the context menu.
    join_requested = Signal(object)
    # A load of the list finished (shown, or failed with its message shown).
    loaded = Signal()

    def __init__(self, context: AppContext, sessions: SessionService, mentor_zone: str, *,
                 new_action: QAction, search_action: QAction, menu_actions: list[QAction],
                 wanted: Callable[[Wanted | None], Wanted | None]) -> None:
        super().__init__()
        self.context = context
        self.sessions = sessions
        self.mentor_zone = mentor_zone
        self._menu_actions = menu_actions
        self._wanted = wanted
        self._generation = 0
        # Select this one when the list has loaded (a session just planned or given a row).
        self.pending_select: Wanted | None = None
        self.listed = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        head = QHBoxLayout()
        heading = QLabel("Sessions")
        heading.setProperty("role", "section")
        head.addWidget(heading, 1)
        head.addWidget(action_button(new_action, "New"))
        layout.addLayout(head)
        self.scope_box = QComboBox()
        self.scope_box.setAccessibleName("Show sessions of")
        self.scope_box.addItem("All mentees", "all")
        self.scope_box.addItem("Selected mentee", "selected")
        self.scope_box.currentIndexChanged.connect(lambda _i: self.refresh())
        layout.addWidget(self.scope_box)
        self.search_button = action_button(search_action, "Search notes…")
        layout.addWidget(self.search_button)
        self.model = SessionListModel(self)
        self.tree = QListView()
        self.tree.setObjectName("sessionList")
        self.tree.setAccessibleName("Sessions")
        self.tree.setUniformItemSizes(True)
        self.tree.setModel(self.model)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._menu)
        self.tree.selectionModel().currentChanged.connect(self._current_changed)
        layout.addWidget(self.tree, 1)
        self.status = QLabel("Loading…")
        self.status.setProperty("role", "subtitle")
        layout.addWidget(self.status)
        context.bus.mentee_selected.connect(self._on_mentee_selected)

    def refresh(self) -> None:
        """Reload the list in the background (series expansion can take a moment)."""
        self.listed = True
        self._generation += 1
        generation = self._generation
        selected = self.scope_box.currentData() == "selected"
        mentee_id = self.context.selected_mentee_id if selected else None
        sessions, tz = self.sessions, self.mentor_zone
        if selected and mentee_id is None:
            self.model.set_groups([], tz)
            self.status.setText("Select a mentee in the Mentees view.")
            self.loaded.emit()
            return

        def work(_control: TaskControl) -> Groups:
            now = datetime.now(UTC)
            start_of_day = datetime.combine(now.astimezone(zone(tz)).date(),
                                            datetime.min.time(), zone(tz)).astimezone(UTC)
            upcoming = sessions.upcoming(start_of_day, now + timedelta(days=UPCOMING_DAYS),
                                         mentee_id=mentee_id, include_cancelled=True)
            recent = sessions.recent(limit=RECENT_LIMIT, mentee_id=mentee_id,
                                     now=start_of_day)
            return group_sessions(upcoming, recent, now, tz)

        def done(groups: Groups) -> None:
            if generation == self._generation:
                self._set_groups(groups)
                self.loaded.emit()

        def failed(exc: BaseException) -> None:
            self.status.setText("Could not load sessions.")
            if isinstance(exc, KnownError):
                show_known_error(self, exc)
            else:
                log.error("loading sessions failed", exc_info=exc)
            self.loaded.emit()

        run_task(work, on_success=done, on_error=failed)

    def _set_groups(self, groups: Groups) -> None:
        # The view knows what is open (and whether it has its own row by now).
        want = self._wanted(self.pending_select)
        self.model.set_groups(groups, self.mentor_zone)
        total = self.model.total()
        self.status.setText(tr("%n session(s)", "", total) if total else
                            "No sessions yet: plan one with New.")
        if want is None:
            return
        idx = self.model.find(*want)
        if idx.isValid():
            self.select_quietly(idx)
            if self.pending_select is not None:
                self.pending_select = None
                rec = self.model.record(idx)
                if rec is not None:
                    self.chosen.emit(rec)

    def select_quietly(self, idx: QModelIndex) -> None:
        """Show ``idx`` as current without opening it again."""
        self.tree.selectionModel().blockSignals(True)
        self.tree.setCurrentIndex(idx)
        self.tree.selectionModel().blockSignals(False)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        rec = self.model.record(current)
        if rec is not None:
            self.chosen.emit(rec)

    def _menu(self, pos: QPoint) -> None:
        rec = self.model.record(self.tree.indexAt(pos))
        if rec is None:
            return
        menu = QMenu(self)
        join = menu.addAction(icon("video"), "Join call and open call mode")
        join.triggered.connect(lambda: self.join_requested.emit(rec))
        for action in self._menu_actions:
            menu.addAction(action)
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    def _on_mentee_selected(self, _mentee_id: int) -> None:
        if self.scope_box.currentData() == "selected":
            self.refresh()
