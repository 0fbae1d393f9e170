"""Session notes: schedule, prepare, take notes during the call, find them later."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QAction,
    QDesktopServices,
    QHideEvent,
    QKeyEvent,
    QKeySequence,
    QShowEvent,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from mentordesk.domain.timezones import mentor_zone, zone
from mentordesk.errors import KnownError
from mentordesk.services.notes import (
    ActionItemRecord,
    Agenda,
    GoalChoice,
    LineCommandResult,
    NoteSaver,
    NoteService,
)
from mentordesk.services.search import SearchHit, SearchService
from mentordesk.services.sessions import (
    SessionDraft,
    SessionRecord,
    SessionRef,
    SessionService,
    SlotProposal,
)
from mentordesk.ui.context import AppContext, Change, ChangeNotice
from mentordesk.ui.errors import show_known_error
from mentordesk.ui.notes.autosave import EditorAutosave, SaveWorker
from mentordesk.ui.notes.call_window import CallWindow
from mentordesk.ui.notes.commands import (
    ACTION_CHANGES,
    AddActionCommand,
    CancelSessionCommand,
    DeleteActionCommand,
    LinkGoalCommand,
    RescheduleCommand,
    ScheduleCommand,
    ToggleActionCommand,
)
from mentordesk.ui.notes.dialogs import PrivateCheck, ScheduleDialog, SearchDialog, WrapUpDialog
from mentordesk.ui.notes.models import ActionItemsModel, SessionListModel, group_sessions
from mentordesk.ui.operations import Op, run_command
from mentordesk.ui.resources import icon
from mentordesk.ui.tasks import TaskControl, run_task
from mentordesk.ui.view_page import ViewPage
from mentordesk.ui.widgets.empty_state import EmptyState

if TYPE_CHECKING:
    from mentordesk.ui.sync.controller import SyncController
    from mentordesk.ui.sync.widgets import SessionSyncBadge

log = logging.getLogger(__name__)

UPCOMING_DAYS = 28
RECENT_LIMIT = 40
PREVIEW_DELAY_MS = 150


def _write_private(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` (owner-only) and wait until it is on disk."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _format_timer(seconds: int) -> str:
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class NotesView(ViewPage):
    view_id = "notes"
    title = "Notes"
    icon_name = "notes"

    # Tests replace this to see which links would open.
    url_opener: Callable[[QUrl], object] = staticmethod(QDesktopServices.openUrl)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.sessions = SessionService(context.db)
        self.notes = NoteService(context.db)
        self.search_service = SearchService(context.db)
        self.mentor_zone = mentor_zone()
        self.current: SessionRecord | None = None
        self.row_id: int | None = None  # the current meeting's own row, once it has one
        self.note_id: int | None = None
        self.call_window: CallWindow | None = None
        self._refresh_generation = 0
        self._pending_select: tuple[int, datetime | None] | None = None
        self._pending_find: str = ""
        self._goals: list[GoalChoice] = []
        self._agenda: Agenda | None = None
        self.editor = QPlainTextEdit()
        self.agenda_edit = QPlainTextEdit()
        self.saver = SaveWorker(self)
        worker = self.saver
        # The writer thread ends with the view (its last text was flushed by then).
        self.destroyed.connect(lambda *_args: worker.stop())
        self.saver.saved.connect(self._saved)
        self.saver.failed.connect(self._save_failed)
        self.saver.conflicted.connect(self._save_conflicted)
        # One compare-and-swap writer per session's note (key: the session's row id), kept
        # while its text may still be queued.
        self._note_savers: dict[int, NoteSaver] = {}
        # Titles for the recovery copies of sessions no longer shown.
        self._titles: dict[int, str] = {}
        self._build_actions()
        self._build_ui()
        self.note_autosave = EditorAutosave(self.editor, self.saver, self)
        self.note_autosave.bind_on_edit = self._ensure_note
        self.note_autosave.submitted.connect(lambda: self._set_save_state("Saving…"))
        self.agenda_autosave = EditorAutosave(self.agenda_edit, self.saver, self)
        self.agenda_autosave.bind_on_edit = self._ensure_agenda
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._update_timer)
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self._update_preview)
        self.editor.textChanged.connect(self._preview_timer.start)
        self.editor.installEventFilter(self)
        context.bus.changed.connect(self._on_changed)
        context.bus.mentee_selected.connect(self._on_mentee_selected)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.applicationStateChanged.connect(self._app_state_changed)
            app.aboutToQuit.connect(self._about_to_quit)
        self._show_session(None)
        # The session list loads when the view is first shown (or something changes): the
        # app builds this view at start-up only for its menus and shortcuts.
        self._listed = False

    # -- construction ------------------------------------------------------------------
    def _action(self, text: str, shortcut: str, slot: Callable[[], object],
                icon_name: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if icon_name:
            action.setIcon(icon(icon_name))
            action.setProperty("iconName", icon_name)
        action.triggered.connect(lambda _=False: slot())
        return action

    def _build_actions(self) -> None:
        self.new_action = self._action("&New Session…", "Ctrl+Shift+N", self.new_session, "add")
        self.search_action = self._action("&Search Notes…", "Ctrl+K", self.open_search,
                                          "search")
        self.search_action.setShortcuts([QKeySequence("Ctrl+K"), QKeySequence("Ctrl+Shift+F")])
        self.add_action_action = self._action("Add &Action Item", "Ctrl+Return",
                                              self.add_action_from_notes, "check")
        self.join_action = self._action("&Join Call", "Ctrl+Shift+J", self.join_call, "video")
        self.call_mode_action = self._action("&Call Mode", "Ctrl+Shift+M",
                                             self.toggle_call_mode, "sidebar")
        self.start_action = self._action("S&tart Session", "Ctrl+Shift+T", self.start_call,
                                         "timer")
        self.end_action = self._action("&End Session and Wrap Up…", "Ctrl+Shift+E",
                                       self.end_call, "check")
        self.reschedule_action = self._action("&Reschedule…", "Ctrl+Shift+R", self.reschedule,
                                              "calendar")
        self.cancel_action = self._action("Ca&ncel Session…", "Ctrl+Shift+X",
                                          self.cancel_session, "delete")
        self.export_action = self._action("Export &Progress Report…", "Ctrl+Shift+P",
                                          self.export_report, "export")
        self.session_actions = [self.join_action, self.call_mode_action, self.start_action,
                                self.end_action, self.reschedule_action, self.cancel_action,
                                self.add_action_action]

    def menu_actions(self) -> dict[str, list[QAction]]:
        return {"&Session": [self.new_action, self.search_action, self.add_action_action,
                             self.join_action, self.call_mode_action, self.start_action,
                             self.end_action, self.reschedule_action, self.cancel_action,
                             self.export_action]}

    def _button(self, action: QAction, text: str | None = None) -> QPushButton:
        button = QPushButton(action.icon(), text if text is not None
                             else action.text().replace("&", "").rstrip("…"))
        button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
        native = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        button.setToolTip(f"{button.accessibleName()} ({native})" if native
                          else button.accessibleName())
        button.clicked.connect(action.trigger)
        action.enabledChanged.connect(button.setEnabled)
        return button

    def _build_ui(self) -> None:
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("notesSplitter")
        outer.addWidget(splitter)

        # Left: the sessions, upcoming and recent.
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(8, 8, 4, 8)
        head = QHBoxLayout()
        heading = QLabel("Sessions")
        heading.setProperty("role", "section")
        head.addWidget(heading, 1)
        head.addWidget(self._button(self.new_action, "New"))
        left_layout.addLayout(head)
        self.scope_box = QComboBox()
        self.scope_box.setAccessibleName("Show sessions of")
        self.scope_box.addItem("All mentees", "all")
        self.scope_box.addItem("Selected mentee", "selected")
        self.scope_box.currentIndexChanged.connect(lambda _i: self.refresh())
        left_layout.addWidget(self.scope_box)
        self.search_button = self._button(self.search_action, "Search notes…")
        left_layout.addWidget(self.search_button)
        self.session_model = SessionListModel(self)
        self.session_tree = QListView()
        self.session_tree.setObjectName("sessionList")
        self.session_tree.setAccessibleName("Sessions")
        self.session_tree.setUniformItemSizes(True)
        self.session_tree.setModel(self.session_model)
        self.session_tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.session_tree.customContextMenuRequested.connect(self._session_menu)
        self.session_tree.selectionModel().currentChanged.connect(self._current_changed)
        self.session_tree.doubleClicked.connect(lambda _i: self.editor.setFocus())
        left_layout.addWidget(self.session_tree, 1)
        self.list_status = QLabel("Loading…")
        self.list_status.setProperty("role", "subtitle")
        left_layout.addWidget(self.list_status)
        splitter.addWidget(left)

        # Right: an empty state, or the session.
        self.pages = QStackedWidget()
        self.empty = EmptyState(
            "notes", "Pick a session",
            "Choose a session on the left to prepare its agenda or take notes, or plan a new "
            "one.", [self.new_action])
        self.pages.addWidget(self.empty)
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(8, 8, 8, 8)
        title_row = QHBoxLayout()
        self.title_label = QLabel()
        self.title_label.setProperty("role", "title")
        self.title_label.setAccessibleName("Session")
        title_row.addWidget(self.title_label, 1)
        self.timer_label = QLabel("")
        self.timer_label.setAccessibleName("Call timer")
        self.timer_label.setObjectName("callTimer")
        title_row.addWidget(self.timer_label)
        page_layout.addLayout(title_row)
        self.when_label = QLabel()
        self.when_label.setProperty("role", "subtitle")
        self.when_label.setWordWrap(True)
        page_layout.addWidget(self.when_label)
        # Filled by set_sync_controller once Google Calendar sync is installed.
        self.sync_slot = QVBoxLayout()
        self.sync_slot.setContentsMargins(0, 0, 0, 0)
        page_layout.addLayout(self.sync_slot)
        self.sync_badge: SessionSyncBadge | None = None
        buttons = QHBoxLayout()
        self.join_button = self._button(self.join_action)
        self.join_button.setProperty("role", "primary")
        self.join_button.setIcon(icon("video", on_accent=True))
        buttons.addWidget(self.join_button)
        buttons.addWidget(self._button(self.call_mode_action))
        self.start_button = self._button(self.start_action, "Start")
        buttons.addWidget(self.start_button)
        self.end_button = self._button(self.end_action, "End && wrap up")
        buttons.addWidget(self.end_button)
        buttons.addStretch(1)
        buttons.addWidget(self._button(self.reschedule_action, "Reschedule"))
        buttons.addWidget(self._button(self.cancel_action, "Cancel"))
        buttons.addWidget(self._button(self.export_action, "Report"))
        page_layout.addLayout(buttons)

        vertical = QSplitter(Qt.Orientation.Vertical)
        vertical.setObjectName("sessionSplitter")
        agenda_box = QWidget()
        agenda_layout = QHBoxLayout(agenda_box)
        agenda_layout.setContentsMargins(0, 0, 0, 0)
        topics = QVBoxLayout()
        topics_label = QLabel("Agenda")
        topics_label.setProperty("role", "section")
        topics.addWidget(topics_label)
        self.agenda_edit.setAccessibleName("Agenda topics")
        self.agenda_edit.setPlaceholderText("Topics to cover, one per line…")
        self.agenda_edit.setTabChangesFocus(True)
        topics.addWidget(self.agenda_edit)
        agenda_layout.addLayout(topics, 3)
        carried = QVBoxLayout()
        carried_label = QLabel("Carried over")
        carried_label.setProperty("role", "section")
        carried.addWidget(carried_label)
        self.carried_model = ActionItemsModel(self._toggle_item, self)
        self.carried_list = QListView()
        self.carried_list.setAccessibleName("Carried over: open actions and next-time topics")
        self.carried_list.setModel(self.carried_model)
        self.carried_list.setWordWrap(True)
        carried.addWidget(self.carried_list)
        agenda_layout.addLayout(carried, 2)
        vertical.addWidget(agenda_box)

        notes_box = QWidget()
        notes_layout = QVBoxLayout(notes_box)
        notes_layout.setContentsMargins(0, 0, 0, 0)
        notes_head = QHBoxLayout()
        notes_label = QLabel("Notes")
        notes_label.setProperty("role", "section")
        notes_head.addWidget(notes_label)
        hint = QLabel("Markdown · /action, /next, /goal at a line start · Ctrl+Enter: line "
                      "→ action item")
        hint.setProperty("role", "subtitle")
        notes_head.addWidget(hint, 1)
        self.private_check = PrivateCheck()
        self.private_check.toggled.connect(self._private_toggled)
        notes_head.addWidget(self.private_check)
        notes_layout.addLayout(notes_head)
        self.note_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.editor.setObjectName("noteEditor")
        self.editor.setAccessibleName("Session notes (Markdown)")
        self.editor.setPlaceholderText("Write during the call. Everything is saved as you "
                                       "type.")
        self.editor.setTabChangesFocus(True)
        self.note_splitter.addWidget(self.editor)
        self.preview = QTextBrowser()
        self.preview.setAccessibleName("Notes preview")
        self.preview.setOpenExternalLinks(True)
        self.note_splitter.addWidget(self.preview)
        notes_layout.addWidget(self.note_splitter, 1)
        self.save_banner = QLabel()
        self.save_banner.setObjectName("saveBanner")
        self.save_banner.setWordWrap(True)
        self.save_banner.setStyleSheet(
            "QLabel#saveBanner { background: palette(highlight); "
            "color: palette(highlighted-text); padding: 6px; border-radius: 4px; }")
        self.save_banner.setAccessibleName("Save problem")
        self.save_banner.hide()
        notes_layout.addWidget(self.save_banner)
        self.conflict_banner = QLabel()
        self.conflict_banner.setObjectName("conflictBanner")
        self.conflict_banner.setWordWrap(True)
        self.conflict_banner.setStyleSheet(self.save_banner.styleSheet().replace(
            "saveBanner", "conflictBanner"))
        self.conflict_banner.setAccessibleName("Edit conflict")
        self.conflict_banner.hide()
        notes_layout.addWidget(self.conflict_banner)
        vertical.addWidget(notes_box)

        actions_box = QWidget()
        actions_layout = QVBoxLayout(actions_box)
        actions_layout.setContentsMargins(0, 0, 0, 0)
        actions_label = QLabel("Action items")
        actions_label.setProperty("role", "section")
        actions_layout.addWidget(actions_label)
        self.actions_model = ActionItemsModel(self._toggle_item, self)
        self.actions_list = QListView()
        self.actions_list.setAccessibleName("Action items of this session")
        self.actions_list.setModel(self.actions_model)
        self.actions_list.setWordWrap(True)
        self.actions_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.actions_list.customContextMenuRequested.connect(self._action_menu)
        self.actions_list.installEventFilter(self)
        actions_layout.addWidget(self.actions_list, 1)
        add_row = QHBoxLayout()
        self.action_edit = QLineEdit()
        self.action_edit.setAccessibleName("New action item")
        self.action_edit.setPlaceholderText("New action item… (Enter)")
        self.action_edit.returnPressed.connect(self._add_from_field)
        add_row.addWidget(self.action_edit, 1)
        self.goal_box = QComboBox()
        self.goal_box.setAccessibleName("Goal for the new action item")
        add_row.addWidget(self.goal_box)
        add_button = QPushButton(icon("add"), "Add")
        add_button.setAccessibleName("Add action item")
        add_button.clicked.connect(self._add_from_field)
        add_row.addWidget(add_button)
        actions_layout.addLayout(add_row)
        vertical.addWidget(actions_box)
        vertical.setSizes([150, 420, 170])
        page_layout.addWidget(vertical, 1)
        status_row = QHBoxLayout()
        self.save_label = QLabel("")
        self.save_label.setProperty("role", "subtitle")
        self.save_label.setAccessibleName("Save state")
        status_row.addWidget(self.save_label, 1)
        page_layout.addLayout(status_row)
        self.pages.addWidget(page)
        self.session_page = page
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 900])

    # -- ViewPage ----------------------------------------------------------------------
    def activated(self) -> None:
        if self.current is None and not self.session_tree.currentIndex().isValid():
            self.session_tree.setFocus()

    def flush(self) -> None:
        """Commit pending edits now and wait for it (view switch, session switch, quit).

        When the database cannot take them (disk full, locked), the text also goes to a
        private recovery file next to the database, so even quitting now loses nothing.
        """
        self.note_autosave.flush(wait=False)
        self.agenda_autosave.flush(wait=False)
        if not self.saver.flush():
            error = self.saver.last_error
            self._show_banner(str(error) if error else "Saving is taking long…")
            copy = self._write_recovery_copies()
            where = f" A copy is in {copy}." if copy is not None else ""
            raise KnownError(
                f"Your last note edits could not be saved yet: "
                f"{error.message if error else 'saving is taking long'}",
                hint=f"They are kept in the editor and retried.{where}")

    def _write_recovery_copies(self) -> Path | None:
        """Write every session's unsaved text to ``unsaved-notes/session-N.md`` next to the
        database; return the open session's copy.

        Each copy holds the newest text: the editors' for the open session, the text queued
        for the writer for sessions left behind (never what the database still has).
        """
        rec = self.current
        texts: dict[int, dict[str, str]] = {}
        for key, text in self.saver.unsaved().items():
            if not (isinstance(key, tuple) and len(key) == 2):
                continue
            kind, sid = key
            if isinstance(sid, int):
                texts.setdefault(sid, {})[kind] = text
        current: int | None = None
        if rec is not None:
            current = self.row_id or rec.ref.session_id
            self._titles.setdefault(current, f"{rec.display_title} · {rec.mentee_name}")
            texts[current] = {"agenda": self.agenda_edit.toPlainText(),
                              "note": self.editor.toPlainText()}
        if not texts:
            return None
        from mentordesk.paths import private_dir

        try:
            folder = private_dir(self.context.db.path.parent / "unsaved-notes")
        except OSError:
            log.warning("could not make the folder for recovery copies", exc_info=True)
            return None
        written: Path | None = None
        for sid, parts in texts.items():
            target = folder / f"session-{sid}.md"
            lines = [f"# {self._titles.get(sid, f'Session {sid}')}", ""]
            if "agenda" in parts:
                lines += ["## Agenda", "", parts["agenda"], ""]
            if "note" in parts:
                lines += ["## Notes", "", parts["note"], ""]
            try:
                _write_private(target, "\n".join(lines))
            except OSError:
                log.warning("could not write the recovery copy of a note", exc_info=True)
                continue
            if sid == current:
                written = target
        return written

    def focus_filter(self) -> None:
        self.open_search()

    def _app_state_changed(self, state: Qt.ApplicationState) -> None:
        if state != Qt.ApplicationState.ApplicationActive:
            self.note_autosave.save_now()
            self.agenda_autosave.save_now()

    def _about_to_quit(self) -> None:
        try:
            self.flush()
        except KnownError:
            log.warning("notes could not be saved at quit")

    def hideEvent(self, event: QHideEvent) -> None:
        self.note_autosave.save_now()
        self.agenda_autosave.save_now()
        super().hideEvent(event)
        self._update_actions()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._listed:
            self.refresh()
        self._update_actions()

    # -- the session list --------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the list in the background (series expansion can take a moment)."""
        self._listed = True
        self._refresh_generation += 1
        generation = self._refresh_generation
        mentee_id = (self.context.selected_mentee_id
                     if self.scope_box.currentData() == "selected" else None)
        sessions, tz = self.sessions, self.mentor_zone
        if self.scope_box.currentData() == "selected" and mentee_id is None:
            self.session_model.set_groups([], tz)
            self.list_status.setText("Select a mentee in the Mentees view.")
            return

        def work(_control: TaskControl) -> list[tuple[str, list[SessionRecord]]]:
            now = datetime.now(UTC)
            start_of_day = datetime.combine(now.astimezone(zone(tz)).date(),
                                            datetime.min.time(), zone(tz)).astimezone(UTC)
            upcoming = sessions.upcoming(start_of_day, now + timedelta(days=UPCOMING_DAYS),
                                         mentee_id=mentee_id, include_cancelled=True)
            recent = sessions.recent(limit=RECENT_LIMIT, mentee_id=mentee_id,
                                     now=start_of_day)
            return group_sessions(upcoming, recent, now, tz)

        def done(groups: list[tuple[str, list[SessionRecord]]]) -> None:
            if generation == self._refresh_generation:
                self._set_groups(groups)

        def failed(exc: BaseException) -> None:
            self.list_status.setText("Could not load sessions.")
            if isinstance(exc, KnownError):
                show_known_error(self, exc)
            else:
                log.error("loading sessions failed", exc_info=exc)

        run_task(work, on_success=done, on_error=failed)

    def _set_groups(self, groups: list[tuple[str, list[SessionRecord]]]) -> None:
        want = self._pending_select or (
            (self.current.ref.session_id, self.current.ref.occurrence_utc)
            if self.current is not None else None)
        if self.row_id is not None and want is not None and want[1] is not None:
            want = (self.row_id, None)
        self.session_model.set_groups(groups, self.mentor_zone)
        total = self.session_model.total()
        self.list_status.setText(f"{total} sessions" if total else
                                 "No sessions yet: plan one with New.")
        if want is not None:
            idx = self.session_model.find(*want)
            if idx.isValid():
                self.session_tree.selectionModel().blockSignals(True)
                self.session_tree.setCurrentIndex(idx)
                self.session_tree.selectionModel().blockSignals(False)
                if self._pending_select is not None:
                    self._pending_select = None
                    rec = self.session_model.record(idx)
                    if rec is not None:
                        self.open_session(rec)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        rec = self.session_model.record(current)
        if rec is not None:
            self.open_session(rec)

    def _session_menu(self, pos: QPoint) -> None:
        idx = self.session_tree.indexAt(pos)
        rec = self.session_model.record(idx)
        if rec is None:
            return
        menu = QMenu(self)
        join = menu.addAction(icon("video"), "Join call and open call mode")
        join.triggered.connect(lambda: self._join_from_list(rec))
        menu.addAction(self.reschedule_action)
        menu.addAction(self.cancel_action)
        menu.exec(self.session_tree.viewport().mapToGlobal(pos))

    def _join_from_list(self, rec: SessionRecord) -> None:
        self.open_session(rec)
        self.join_call()

    # -- opening a session ---------------------------------------------------------------
    def set_sync_controller(self, controller: SyncController) -> None:
        """Show each session's calendar sync state (and conflicts) under its header."""
        from mentordesk.ui.sync.widgets import SessionSyncBadge

        self.sync_badge = SessionSyncBadge(controller)
        self.sync_badge.setAccessibleName("Calendar sync status")
        self.sync_slot.addWidget(self.sync_badge)
        self.sync_badge.set_session(self.row_id)

    def open_session(self, rec: SessionRecord) -> None:
        if (self.current is not None and self.current.ref == rec.ref
                and self.pages.currentWidget() is self.session_page):
            return
        # On failure the text stays queued and is retried; the banner says so.
        with contextlib.suppress(KnownError):
            self.flush()
        self._show_session(rec)

    def open_ref(self, ref: SessionRef, find: str = "") -> None:
        """Open a session by reference (search hits), loading it directly."""
        try:
            rec = self.sessions.get(ref)
        except KnownError as exc:
            show_known_error(self, exc)
            return
        self._pending_find = find
        self.open_session(rec)
        idx = self.session_model.find(ref.session_id, ref.occurrence_utc)
        if idx.isValid():
            self.session_tree.selectionModel().blockSignals(True)
            self.session_tree.setCurrentIndex(idx)
            self.session_tree.selectionModel().blockSignals(False)

    def _show_session(self, rec: SessionRecord | None) -> None:
        self.current = rec
        self.row_id = None if rec is None or rec.ref.virtual else rec.ref.session_id
        self.note_id = None
        self._leave_call_mode()
        self._update_actions()
        if rec is None:
            self.pages.setCurrentWidget(self.empty)
            self.note_autosave.bind(None, None, "")
            self.agenda_autosave.bind(None, None, "")
            self._tick.stop()
            return
        self.pages.setCurrentWidget(self.session_page)
        self.conflict_banner.hide()
        body = ""
        private = False
        if self.row_id is not None:
            note = self.notes.find_note(self.row_id)
            if note is not None:
                self.note_id, body, private = note.id, note.body, note.private
        queued = False
        if self.row_id is not None:
            # The note row itself is made by the first save, on the writer thread: typing
            # into a session without a note while the file is busy is queued like any edit.
            key = ("note", self.row_id)
            saver = self._note_saver(self.row_id, self.note_id, body)
            # Text still queued for the writer (the file was busy) is newer than the file's.
            pending = self.saver.pending_text(key)
            if pending is None:
                saver.reload(body)
            else:
                body, queued = pending, True
            body += "".join(k for k in saver.kept() if k not in body)
            self.note_autosave.bind(key, saver, body)
        else:
            self.note_autosave.bind(None, None, body)
        self.private_check.blockSignals(True)
        self.private_check.setChecked(private)
        self.private_check.blockSignals(False)
        if self.row_id is not None:
            sid = self.row_id
            agenda = self.saver.pending_text(("agenda", sid))
            queued = queued or agenda is not None
            self.agenda_autosave.bind(("agenda", sid), self._agenda_writer(sid),
                                      rec.agenda if agenda is None else agenda)
        else:
            self.agenda_autosave.bind(None, None, rec.agenda)
        self._titles[self.row_id or rec.ref.session_id] = (
            f"{rec.display_title} · {rec.mentee_name}")
        self._update_header()
        if self.sync_badge is not None:
            self.sync_badge.set_session(self.row_id)
        self._load_side_panels()
        self._update_preview()
        self._update_timer()
        if rec.started_at is not None and rec.ended_at is None:
            self._tick.start()
        else:
            self._tick.stop()
        self.save_label.setText("Not saved yet" if queued else "")
        if self._pending_find:
            self._find_in_editor(self._pending_find)
            self._pending_find = ""

    def _note_saver(self, session_id: int, note_id: int | None, loaded: str) -> NoteSaver:
        saver = self._note_savers.get(session_id)
        if saver is None:
            saver = self._note_savers[session_id] = self.notes.saver(session_id, note_id,
                                                                     loaded)
        elif note_id is not None:
            saver.note_id = note_id
        return saver

    def _agenda_writer(self, session_id: int) -> Callable[[str], object]:
        notes = self.notes
        return lambda text: notes.save_agenda(session_id, text)

    def _update_header(self) -> None:
        rec = self.current
        if rec is None:
            return
        self.title_label.setText(f"{rec.display_title} · {rec.mentee_name}")
        mine = rec.start_utc.astimezone(zone(self.mentor_zone))
        first_name = (rec.mentee_name.split() or [""])[0]
        try:
            theirs = rec.start_utc.astimezone(zone(rec.mentee_timezone))
            their_time = f"{theirs:%a %H:%M} for {first_name} ({rec.mentee_timezone})"
        except ValueError:
            their_time = (f"{first_name}'s time zone '{rec.mentee_timezone}' is unknown: "
                          "pick one in their details")
        parts = [f"{mine:%A %d %B %Y, %H:%M} your time ({self.mentor_zone})",
                 their_time, f"{rec.duration_minutes} min"]
        if rec.recurring:
            parts.append(rec.repeat_text)
        if rec.status != "scheduled":
            parts.append(rec.status)
        self.when_label.setText(" · ".join(parts))
        self.join_button.setToolTip(rec.meeting_link or "No meeting link for this mentee")
        self._update_actions()

    def _update_actions(self) -> None:
        """Session actions work on the open session, and only while this view is shown (or
        in call mode): elsewhere their keys (Ctrl+Return…) belong to other views."""
        rec = self.current
        live = rec is not None and (self.isVisible() or self.call_window is not None)
        for action in self.session_actions:
            action.setEnabled(live)
        if rec is None or not live:
            return
        running = rec.started_at is not None and rec.ended_at is None
        self.join_action.setEnabled(bool(rec.meeting_link))
        self.start_action.setEnabled(not running and rec.status != "held")
        self.end_action.setEnabled(rec.status != "held" or running)
        self.cancel_action.setEnabled(rec.status == "scheduled")

    def _load_side_panels(self) -> None:
        rec = self.current
        if rec is None or rec.mentee_id is None:
            return
        try:
            if self.row_id is not None:
                self._agenda = self.notes.agenda(self.row_id)
                self.actions_model.set_items(self.notes.action_items(self.row_id))
            else:
                self._agenda = self.notes.agenda(rec.ref.session_id, at=rec.start_utc)
                self.actions_model.set_items([])
            self.carried_model.set_items(list(self._agenda.next_time)
                                         + list(self._agenda.carried_actions))
            self._goals = self.notes.goal_choices(rec.mentee_id)
        except KnownError as exc:
            show_known_error(self, exc)
            return
        self.goal_box.clear()
        self.goal_box.addItem("No goal", None)
        for goal in self._goals:
            if not goal.done:
                self.goal_box.addItem(goal.title, goal.id)

    # -- lazily giving an occurrence its own row ------------------------------------------
    def _ensure_row(self) -> int | None:
        rec = self.current
        if rec is None:
            return None
        if self.row_id is None:
            try:
                self.row_id = self.sessions.materialize(rec.ref)
            except KnownError as exc:
                show_known_error(self, exc)
                return None
            self._pending_select = (self.row_id, None)
            self.current = self.sessions.get(SessionRef(self.row_id))
            self.context.bus.notify(Change.SESSIONS)
        return self.row_id

    def _ensure_note(self) -> None:
        """Bind the editors to the session's own row (giving an occurrence of a series one
        first); the note row is made by the first save."""
        row_id = self._ensure_row()
        if row_id is None:
            return
        if self.note_autosave.key is None:
            self.note_autosave.rebind(("note", row_id), self._note_saver(row_id, None, ""))
        if self.agenda_autosave.key is None:
            self.agenda_autosave.rebind(("agenda", row_id), self._agenda_writer(row_id))

    def _ensure_note_id(self) -> int | None:
        """The note's id, making the note now if it has none yet (the private flag)."""
        self._ensure_note()
        if self.note_id is None and self.row_id is not None:
            note = self.notes.open_note(self.row_id)
            self.note_id = note.id
            self._note_saver(self.row_id, note.id, "")
        return self.note_id

    def _ensure_agenda(self) -> None:
        row_id = self._ensure_row()
        if row_id is not None:
            self.agenda_autosave.rebind(("agenda", row_id), self._agenda_writer(row_id))

    # -- saving feedback -------------------------------------------------------------------
    def _saved(self, key: object, _generation: int, _seconds: float) -> None:
        if self.save_banner.isVisible() and not self.saver.pending():
            self.save_banner.hide()
        if not self.saver.pending():
            self._set_save_state(f"Saved {datetime.now().astimezone():%H:%M:%S}")

    def _save_failed(self, _key: object, _generation: int, message: str) -> None:
        self._show_banner(message)
        # On disk at once, not only at quit: a crash while the file is busy loses nothing.
        self._write_recovery_copies()

    def _save_conflicted(self, key: object, _generation: int, message: str,
                         kept: str) -> None:
        """Another writer had changed the note: both texts were saved; show theirs too."""
        if key == self.note_autosave.key and kept not in self.editor.toPlainText():
            user = self.editor.textCursor()
            anchor, position = user.anchor(), user.position()
            cursor = QTextCursor(self.editor.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(kept)
            # The user's cursor stays in their text, even when it was at the end.
            user.setPosition(anchor)
            user.setPosition(position, QTextCursor.MoveMode.KeepAnchor)
            self.editor.setTextCursor(user)
        self.conflict_banner.setText(message)
        self.conflict_banner.show()

    def _show_banner(self, message: str) -> None:
        self.save_banner.setText(f"Not saved yet — {message} Retrying every few seconds; "
                                 "your text stays in the editor.")
        self.save_banner.show()
        self._set_save_state("Not saved yet")

    def _set_save_state(self, text: str) -> None:
        self.save_label.setText(text)

    def _private_toggled(self, private: bool) -> None:
        try:
            note_id = self._ensure_note_id()
            if note_id is not None:
                self.notes.set_private(note_id, private)
        except KnownError as exc:
            show_known_error(self, exc)

    # -- editor helpers ----------------------------------------------------------------
    def _update_preview(self) -> None:
        self.preview.setMarkdown(self.editor.toPlainText())

    def _find_in_editor(self, words: str) -> None:
        for word in words.split():
            doc = self.editor.document()
            cursor = doc.find(word.rstrip("*"), 0)
            if not cursor.isNull():
                self.editor.setTextCursor(cursor)
                self.editor.centerCursor()
                self.editor.setFocus()
                return

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.editor and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() == Qt.KeyboardModifier.NoModifier):
            self._line_command()
        if (watched is self.actions_list and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Delete):
            self._delete_selected_action()
            return True
        return super().eventFilter(watched, event)

    def _line_command(self) -> None:
        from mentordesk.services.notes import parse_line_command

        cursor = self.editor.textCursor()
        line = cursor.block().text()
        if parse_line_command(line) is None:
            return
        self._ensure_note()
        row_id = self.row_id
        if row_id is None:
            return
        notes = self.notes

        def changes(result: LineCommandResult | None) -> Change:
            made = Change.NONE
            if result is not None and result.action is not None:
                made |= ACTION_CHANGES
            if result is not None and result.goal_id is not None:
                made |= Change.GOALS
            return made

        def entry(result: LineCommandResult | None) -> AddActionCommand | None:
            if result is None or result.action is None:
                return None
            return AddActionCommand(self.context, notes, result.action)

        def applied(result: LineCommandResult | None) -> None:
            if result is None:
                return
            cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock)
            cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock,
                                QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(result.replacement)
            self.editor.setTextCursor(cursor)

        (Op(self.context, self, lambda: notes.run_line_command(row_id, line), changes=changes)
         .undo(entry)
         .success(applied)
         .run())

    # -- action items ------------------------------------------------------------------
    def add_action_from_notes(self) -> None:
        """Ctrl+Enter: the line under the cursor becomes an action item."""
        if self.current is None:
            return
        if self.editor.hasFocus():
            line = self.editor.textCursor().block().text().strip()
            for prefix in ("- [ ]", "- ", "* ", "+ "):
                if line.startswith(prefix):
                    line = line[len(prefix):].strip()
                    break
            if line:
                self.add_action_item(line)
                return
        self.action_edit.setFocus()

    def _add_from_field(self) -> None:
        text = self.action_edit.text().strip()
        if text:
            goal = self.goal_box.currentData()
            self.add_action_item(text, goal_id=int(goal) if goal is not None else None)
            self.action_edit.clear()

    def add_action_item(self, text: str, *, goal_id: int | None = None) -> None:
        row_id = self._ensure_row()
        if row_id is None:
            return
        notes = self.notes
        (Op(self.context, self,
            lambda: notes.add_action_item(row_id, text, goal_id=goal_id),
            changes=ACTION_CHANGES)
         .undo(lambda item: AddActionCommand(self.context, notes, item))
         .success(lambda _item: self._set_save_state(f"Action item added: {text[:40]}"))
         .run())

    def _toggle_item(self, item: ActionItemRecord, done: bool) -> None:
        run_command(ToggleActionCommand(self.context, self.notes, item, done), self)

    def _delete_selected_action(self) -> None:
        item = self.actions_model.item(self.actions_list.currentIndex().row())
        if item is not None:
            run_command(DeleteActionCommand(self.context, self.notes, item), self)

    def _action_menu(self, pos: QPoint) -> None:
        idx = self.actions_list.indexAt(pos)
        item = self.actions_model.item(idx.row())
        if item is None:
            return
        menu = QMenu(self)
        link = menu.addMenu("Link to goal")
        none = link.addAction("No goal")
        none.triggered.connect(lambda: self._link(item, None))
        for goal in self._goals:
            act = link.addAction(goal.title)
            act.setCheckable(True)
            act.setChecked(goal.id == item.goal_id)
            act.triggered.connect(lambda _=False, g=goal.id: self._link(item, g))
        delete = menu.addAction(icon("delete"), "Delete")
        delete.triggered.connect(lambda: run_command(
            DeleteActionCommand(self.context, self.notes, item), self))
        menu.exec(self.actions_list.viewport().mapToGlobal(pos))

    def _link(self, item: ActionItemRecord, goal_id: int | None) -> None:
        run_command(LinkGoalCommand(self.context, self.notes, item, goal_id), self)

    # -- scheduling --------------------------------------------------------------------
    def new_session(self) -> None:
        self.context.bus.show_view.emit(self.view_id)
        mentees = self.sessions.mentee_choices()
        if not mentees:
            show_known_error(self, KnownError("Add a mentee first.",
                                              hint="Sessions are planned with a mentee."))
            return
        mentee_id = self.context.selected_mentee_id or (
            self.current.mentee_id if self.current is not None else None)
        sessions, mentor = self.sessions, self.mentor_zone
        result = ScheduleDialog.ask(
            mentees, self.mentor_zone, parent=self, mentee_id=mentee_id,
            proposer=lambda mid: sessions.propose_next_slot(mid, mentor=mentor))
        if result is None:
            return
        self._schedule(SessionDraft(mentee_id=result.mentee_id, start_utc=result.start_utc,
                                    duration_minutes=result.duration_minutes,
                                    timezone=self.mentor_zone, title=result.title,
                                    rrule=result.rrule))

    def _schedule(self, draft: SessionDraft) -> None:
        command = ScheduleCommand(self.context, self.sessions, draft)
        if run_command(command, self) and command.record is not None:
            rec = command.record
            first = rec.start_utc
            if rec.recurring:
                self._pending_select = (rec.ref.session_id, first)
            else:
                self._pending_select = (rec.ref.session_id, None)
            self.refresh()

    def reschedule(self) -> None:
        rec = self.current
        if rec is None:
            return
        result = ScheduleDialog.ask(self.sessions.mentee_choices(), self.mentor_zone,
                                    parent=self, record=rec)
        if result is None:
            return
        try:
            self.flush()
            command = RescheduleCommand(
                self.context, self.sessions, rec if self.row_id is None else self.sessions.get(
                    SessionRef(self.row_id)),
                result.scope, start_utc=result.start_utc, duration=result.duration_minutes,
                title=result.title, rrule=result.rrule)
        except KnownError as exc:
            show_known_error(self, exc)
            return
        if run_command(command, self) and command.target is not None:
            self._reload_current(command.target)

    def cancel_session(self) -> None:
        rec = self.current
        if rec is None:
            return
        scope = "one"
        if rec.recurring:
            box = QMessageBox(QMessageBox.Icon.Question, "Cancel session",
                              "Cancel only this meeting, or the whole series?",
                              parent=self)
            one = box.addButton("This meeting", QMessageBox.ButtonRole.AcceptRole)
            series = box.addButton("Whole series", QMessageBox.ButtonRole.DestructiveRole)
            box.addButton("Keep it", QMessageBox.ButtonRole.RejectRole)
            box.exec()
            if box.clickedButton() is series:
                scope = "series"
            elif box.clickedButton() is not one:
                return
        command = CancelSessionCommand(self.context, self.sessions,
                                       SessionRef(self.row_id) if self.row_id else rec.ref,
                                       scope)  # type: ignore[arg-type]
        if run_command(command, self) and command.cancelled is not None and scope == "one":
            self._reload_current(command.cancelled)

    def _reload_current(self, ref: SessionRef) -> None:
        try:
            rec = self.sessions.get(ref)
        except KnownError:
            return
        self.current = rec
        self.row_id = None if rec.ref.virtual else rec.ref.session_id
        self._update_header()

    def _sessions_changed(self) -> None:
        self.context.bus.notify(Change.SESSIONS)

    # -- the call ----------------------------------------------------------------------
    def join_call(self) -> None:
        """Open the meeting link, start the timer and switch to call mode: one click."""
        rec = self.current
        if rec is None:
            return
        if not rec.meeting_link:
            show_known_error(self, KnownError(
                f"{rec.mentee_name} has no meeting link.",
                hint="Add one in the mentee's details, then join from here."))
            return
        type(self).url_opener(QUrl(rec.meeting_link))
        if rec.started_at is None:
            self.start_call()
        self.enter_call_mode()

    def start_call(self) -> None:
        rec = self.current
        if rec is None:
            return
        try:
            updated = self.sessions.start_call(rec.ref)
        except KnownError as exc:
            show_known_error(self, exc)
            return
        self.row_id = updated.ref.session_id
        if rec.ref.virtual:
            self._pending_select = (self.row_id, None)
            self.agenda_autosave.rebind(("agenda", self.row_id),
                                        self._agenda_writer(self.row_id))
        self.current = updated
        self._update_header()
        self._tick.start()
        self._update_timer()
        self._sessions_changed()

    def _update_timer(self) -> None:
        rec = self.current
        text = ""
        if rec is not None and rec.started_at is not None:
            end = rec.ended_at or datetime.now(UTC)
            prefix = "Lasted" if rec.ended_at is not None else "● On call"
            text = f"{prefix} {_format_timer(int((end - rec.started_at).total_seconds()))}"
        self.timer_label.setText(text)
        if self.call_window is not None:
            self.call_window.timer.setText(text or "00:00")

    def end_call(self) -> None:
        rec = self.current
        if rec is None:
            return
        try:
            self.flush()
            row_id = self._ensure_row()
            if row_id is None:
                return
            ended = self.sessions.end_call(row_id)
        except KnownError as exc:
            show_known_error(self, exc)
            return
        self._leave_call_mode()
        self.current = ended
        self._tick.stop()
        self._update_header()
        self._update_timer()
        self._sessions_changed()
        self.show_wrap_up()

    def show_wrap_up(self) -> None:
        rec = self.current
        if rec is None or self.row_id is None or rec.mentee_id is None:
            return
        try:
            recap = self.notes.recap_markdown(self.row_id)
        except KnownError as exc:
            show_known_error(self, exc)
            return
        dialog = WrapUpDialog(recap, None, rec.mentee_name,
                              "Looking for the next slot in both working days…", self)
        sessions, mentor, mentee_id = self.sessions, self.mentor_zone, rec.mentee_id

        def work(_control: TaskControl) -> SlotProposal:
            return sessions.propose_next_slot(mentee_id, mentor=mentor)

        def failed(exc: BaseException) -> None:
            dialog.set_proposal(None, exc.message if isinstance(exc, KnownError)
                                else "Could not propose a slot; pick one by hand.")

        self.wrap_up_dialog = dialog
        run_task(work, on_success=dialog.set_proposal, on_error=failed)
        dialog.exec()
        proposal = dialog.proposal
        if dialog.choice == "book" and proposal is not None:
            self._schedule(SessionDraft(
                mentee_id=rec.mentee_id, start_utc=proposal.start_utc,
                duration_minutes=proposal.duration_minutes, timezone=self.mentor_zone,
                title=rec.title or "Check-in", meeting_link=None))
        elif dialog.choice == "pick":
            result = ScheduleDialog.ask(self.sessions.mentee_choices(), self.mentor_zone,
                                        parent=self, mentee_id=rec.mentee_id,
                                        start=proposal.start_utc if proposal else None,
                                        duration=rec.duration_minutes)
            if result is not None:
                self._schedule(SessionDraft(
                    mentee_id=result.mentee_id, start_utc=result.start_utc,
                    duration_minutes=result.duration_minutes, timezone=self.mentor_zone,
                    title=result.title, rrule=result.rrule))

    # -- call mode ---------------------------------------------------------------------
    def toggle_call_mode(self) -> None:
        if self.call_window is not None:
            self.call_window.close()
        else:
            self.enter_call_mode()

    def enter_call_mode(self) -> None:
        rec = self.current
        if rec is None or self.call_window is not None:
            return
        agenda = self.agenda_edit.toPlainText().strip()
        carried = [f"- {'Next time: ' if i.kind == 'next_time' else ''}{i.text}"
                   for i in self.carried_model.items()]
        markdown = (agenda or "_No topics prepared._") + (
            "\n\n**Carried over**\n\n" + "\n".join(carried) if carried else "")
        window = CallWindow(f"{rec.display_title} · {rec.mentee_name}", markdown)
        window.add_action.connect(lambda text: self.add_action_item(text))
        window.end_requested.connect(self.end_call)
        window.closed.connect(self._call_window_closed)
        self.call_window = window
        window.hold(self.editor)
        self._update_timer()
        window.show()
        main = self.window()
        if main is not window:
            main.showMinimized()
        window.raise_()
        window.activateWindow()

    def _call_window_closed(self) -> None:
        window = self.call_window
        if window is None:
            return
        self.call_window = None
        self.note_splitter.insertWidget(0, self.editor)
        self.editor.show()
        main = self.window()
        if main.isMinimized():
            main.showNormal()
        main.raise_()
        main.activateWindow()
        self.editor.setFocus()
        window.deleteLater()

    def _leave_call_mode(self) -> None:
        if self.call_window is not None:
            self.call_window.close()

    # -- search ------------------------------------------------------------------------
    def open_search(self) -> None:
        dialog = SearchDialog(self.search_service, self.mentor_zone, self)
        dialog.opened.connect(self.open_hit)
        self.search_dialog = dialog
        dialog.show()
        dialog.field.setFocus()

    def open_hit(self, hit: SearchHit) -> None:
        words = " ".join(dict.fromkeys(hit.highlighted_words()))
        if hit.kind in ("note", "agenda") and hit.session_id is not None:
            self.context.bus.show_view.emit(self.view_id)
            self.open_ref(SessionRef(hit.session_id), find=words if hit.kind == "note" else "")
            if hit.kind == "agenda":
                self.agenda_edit.setFocus()
                cursor = self.agenda_edit.document().find(words.split()[0]) if words else None
                if cursor is not None and not cursor.isNull():
                    self.agenda_edit.setTextCursor(cursor)
        elif hit.mentee_id is not None:
            self.context.select_mentee(hit.mentee_id)
            self.context.bus.show_view.emit("board" if hit.kind == "goal" else "mentees")

    # -- reports -----------------------------------------------------------------------
    def export_report(self) -> None:
        rec = self.current
        name = rec.mentee_name if rec is not None else ""
        if not name:
            show_known_error(self, KnownError("Open a session of the mentee first."))
            return
        path, _filter = QFileDialog.getSaveFileName(
            self, f"Export progress report for {name}", str(Path.home() / f"{name}.pdf"),
            "PDF (*.pdf);;Markdown (*.md)")
        if path:
            self.write_report(name, Path(path))

    def write_report(self, name: str, path: Path) -> None:
        from mentordesk.services.reports import export_report

        if path.suffix.lower() not in (".md", ".pdf"):
            path = path.with_suffix(".pdf")
        try:
            # PDF rendering uses Qt fonts: keep it on the GUI thread (it takes ~0.1 s).
            export_report(self.context.db, name, path)
        except KnownError as exc:
            show_known_error(self, exc)
            return
        window = self.window()
        status = getattr(window, "statusBar", None)
        if callable(status):
            status().showMessage(f"Report written to {path}", 8000)

    # -- changes elsewhere -------------------------------------------------------------
    def _on_changed(self, notice: ChangeNotice) -> None:
        kinds = notice.changes
        if kinds & (Change.SESSIONS | Change.MENTEES):
            self.refresh()
        if kinds & (Change.GOALS | Change.ACTIONS | Change.NOTES) and self.current is not None:
            self._load_side_panels()

    def _on_mentee_selected(self, _mentee_id: int) -> None:
        if self.scope_box.currentData() == "selected":
            self.refresh()

    def shutdown(self) -> None:
        """Final synchronous flush and stop the writer thread."""
        try:
            self.flush()
        finally:
            self.saver.stop()
