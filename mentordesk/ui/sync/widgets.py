"""Sync surfaces: the toolbar button, the per-session badge, the list of sessions that need
the user (conflicts with both versions, data Google refused)."""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from mentordesk.sync.mapping import FIELD_LABELS, Json
from mentordesk.sync.status import (
    AttentionRow,
    SessionSyncStatus,
    session_sync_status,
    sessions_needing_attention,
)
from mentordesk.ui.i18n import tr
from mentordesk.ui.resources import icon
from mentordesk.ui.sync import texts
from mentordesk.ui.sync.controller import SyncController
from mentordesk.ui.sync.texts import SyncView
from mentordesk.ui.tasks import run_task

log = logging.getLogger(__name__)


class SyncButton(QToolButton):
    """Sync state and last sync time; click syncs, or does what the state asks for."""

    action_requested = Signal(str)

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self.setObjectName("syncButton")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.setIcon(icon("sync"))
        menu = QMenu(self)
        self.sync_action = QAction("Sync Now", self)
        self.sync_action.triggered.connect(lambda: controller.sync_now())
        self.cancel_action = QAction("Cancel Sync", self)
        self.cancel_action.triggered.connect(controller.cancel)
        self.state_action = QAction("", self)
        self.state_action.triggered.connect(self._state_action)
        self.settings_action = QAction(texts.SETTINGS_LABEL, self)
        self.settings_action.triggered.connect(
            lambda: self.action_requested.emit(texts.OPEN_SETTINGS))
        menu.addActions([self.sync_action, self.cancel_action, self.state_action])
        menu.addSeparator()
        menu.addAction(self.settings_action)
        self.setMenu(menu)
        self.clicked.connect(self._clicked)
        controller.state_changed.connect(self.show_view)
        self.show_view(controller.view)

    def show_view(self, view: SyncView) -> None:
        self.setText(view.text)
        last = texts.last_sync_text(view.last_sync_at).capitalize()
        tip = f"{view.detail}\n{last}."
        if view.pending:
            tip += " " + tr("%n change(s) waiting to be sent.", "", view.pending)
        self.setToolTip(tip)
        self.setAccessibleName(f"Google Calendar sync: {view.text}")
        self.setAccessibleDescription(tip)
        self.setProperty("syncState", view.state)
        self.style().unpolish(self)
        self.style().polish(self)
        running = view.state == texts.SYNCING
        self.sync_action.setEnabled(not running)
        self.cancel_action.setEnabled(running)
        # The settings entry is always in the menu: a state that only sends there adds no
        # second one; before Google is connected, that entry says what it is for.
        self.state_action.setVisible(view.action not in (None, texts.OPEN_SETTINGS))
        self.state_action.setText(view.action_label)
        self.settings_action.setText(texts.CONNECT_LABEL if view.state in texts.UNCONNECTED
                                     else texts.SETTINGS_LABEL)

    def _clicked(self) -> None:
        view = self._controller.view
        if view.state == texts.SYNCING:
            return
        if view.action is not None:
            self.action_requested.emit(view.action)
        else:
            self._controller.sync_now()

    def _state_action(self) -> None:
        if self._controller.view.action is not None:
            self.action_requested.emit(self._controller.view.action)


def _describe(owned: Json, field: str) -> str:
    if field in ("start", "minutes", "timezone"):
        try:
            start = datetime.fromisoformat(str(owned.get("start", "")).replace("Z", "+00:00"))
        except ValueError:
            return "?"
        return (f"{start.astimezone():%a %d %b %Y %H:%M} for {owned.get('minutes')} min "
                f"({owned.get('timezone')})")
    if field == "recurrence":
        return "; ".join(owned.get("recurrence") or []) or "does not repeat"
    if field == "status":
        return "cancelled" if owned.get("status") == "cancelled" else "planned"
    return str(owned.get({"title": "title", "description": "description"}.get(field, field), ""))


class SessionSyncBadge(QWidget):
    """Per-session sync status for the notes view: a line of text, and for a conflict both
    versions side by side with Keep mine / Use Google's."""

    # The status of the current session is on screen (it is read in a worker).
    status_shown = Signal()

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._session_id: int | None = None
        self._serial = 0
        self.setObjectName("sessionSyncBadge")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label)
        self.versions = QGridLayout()
        layout.addLayout(self.versions)
        buttons = QHBoxLayout()
        self.keep_mine = QPushButton(icon("check"), "Keep mine")
        self.use_google = QPushButton(icon("sync"), "Use Google's")
        self.keep_mine.clicked.connect(lambda: self._resolve("mine"))
        self.use_google.clicked.connect(lambda: self._resolve("google"))
        buttons.addWidget(self.keep_mine)
        buttons.addWidget(self.use_google)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.status: SessionSyncStatus | None = None
        controller.data_changed.connect(self.reload)
        controller.state_changed.connect(lambda _view: self.reload())
        controller.sync_finished.connect(lambda _result: self.reload())
        self.set_session(None)

    def set_session(self, session_id: int | None) -> None:
        self._session_id = session_id
        self.reload()

    def reload(self) -> None:
        """Read the session's status in a worker (never a query on the GUI thread) and show
        it when it arrives; ``status_shown`` says it is on screen."""
        self._serial += 1
        if self._session_id is None or not texts.is_connected(self._controller.view):
            # Before Google is connected there is nothing to say about a session's sync:
            # "waiting to be sent" would only alarm.
            self._show(None)
            return
        serial, db, session_id = self._serial, self._controller.db, self._session_id

        def shown(status: SessionSyncStatus) -> None:
            if serial == self._serial:  # else a newer reload is on its way
                self._show(status)

        run_task(lambda _control: session_sync_status(db, session_id), on_success=shown,
                 on_error=lambda exc: log.warning("sync status: %s", exc))

    def _show(self, status: SessionSyncStatus | None) -> None:
        while self.versions.count():
            item = self.versions.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.status = status
        if status is None:
            self.label.setText("")
            self._show_buttons(False)
            self.status_shown.emit()
            return
        self.setProperty("syncState", status.state)
        self.label.setText(status.text)
        self.label.setAccessibleName(f"Calendar sync: {status.text}")
        conflict = status.state == "conflict"
        self._show_buttons(conflict)
        if conflict:
            self.versions.addWidget(QLabel("<b>Yours</b>"), 0, 1)
            self.versions.addWidget(QLabel("<b>Google's</b>"), 0, 2)
            for row, field in enumerate(status.conflict_fields, start=1):
                self.versions.addWidget(QLabel(FIELD_LABELS.get(field, field).capitalize()),
                                        row, 0)
                mine = QLabel(_describe(status.mine, field))
                google = QLabel(_describe(status.google, field))
                for label in (mine, google):
                    label.setWordWrap(True)
                    label.setTextInteractionFlags(
                        Qt.TextInteractionFlag.TextSelectableByMouse)
                self.versions.addWidget(mine, row, 1)
                self.versions.addWidget(google, row, 2)
        self.status_shown.emit()

    def _show_buttons(self, visible: bool) -> None:
        self.keep_mine.setVisible(visible)
        self.use_google.setVisible(visible)

    def _resolve(self, keep: str) -> None:
        if self._session_id is not None:
            self._controller.resolve_conflict(self._session_id, keep)
            self.reload()


class SyncIssuesDialog(QDialog):
    """Every session with a conflict or a refused field, each with its badge."""

    # The sessions are listed (they are read in a worker).
    filled = Signal()

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sessions that need you")
        self.setObjectName("syncIssuesDialog")
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        intro = QLabel("These sessions were changed both here and in Google Calendar, or "
                       "Google refused some of their data.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        area = QScrollArea()
        area.setWidgetResizable(True)
        inner = QWidget()
        self._list = QVBoxLayout(inner)
        area.setWidget(inner)
        layout.addWidget(area, 1)
        self.badges: list[SessionSyncBadge] = []
        self._controller = controller
        self._waiting = QLabel("Looking for sessions that need you…")
        self._list.addWidget(self._waiting)
        self._list.addStretch(1)
        db = controller.db
        # The sessions are read in a worker: the dialog opens at once.
        run_task(lambda _control: sessions_needing_attention(db), on_success=self._fill,
                 on_error=lambda exc: self._waiting.setText(f"Could not read them: {exc}"))
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        layout.addWidget(box)

    def _fill(self, rows: list[AttentionRow]) -> None:
        self._waiting.setText("" if rows else "Nothing needs your attention.")
        self._waiting.setVisible(not rows)
        at = self._list.count() - 1  # before the stretch
        for session_id, title, start in rows:
            heading = QLabel(f"<b>{title or 'Session'}</b> — {start.astimezone():%a %d %b %H:%M}")
            badge = SessionSyncBadge(self._controller)
            badge.set_session(session_id)
            self.badges.append(badge)
            self._list.insertWidget(at, heading)
            self._list.insertWidget(at + 1, badge)
            at += 2
        self.filled.emit()

    @classmethod
    def ask(cls, controller: SyncController, parent: QWidget | None = None) -> None:
        cls(controller, parent).exec()
