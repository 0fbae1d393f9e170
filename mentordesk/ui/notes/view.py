"""Session notes: schedule, prepare, take notes during the call, find them later.

The view puts the rooms together; each lives in its own module:

- ``session_list.py``: the sessions on the left, loaded in the background
- ``editor_panel.py``, ``autosave.py``: the note, its preview, saving and its banners
- ``agenda_panel.py``: the agenda and what was carried over
- ``actions_panel.py``: the session's action items
- ``controller.py``: the open session and every edit to it (through ui/operations.py)
- ``call_mode.py``, ``wrap_up.py``: the call's timer and window, the wrap-up after it
- ``report.py``: report export; ``schedule_dialog.py``, ``wrap_up_dialog.py``,
  ``search_dialog.py``: the plan, wrap-up and search dialogs
- ``find_match.py``: a search hit shown at its match; ``reopen.py``: the session the view
  comes back to (the last one, or the picked mentee's)
- ``services/recovery.py``: the copies of text the database could not take
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QUrl
from PySide6.QtGui import (
    QAction,
    QDesktopServices,
    QHideEvent,
    QKeyEvent,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from mentordesk.domain.timezones import mentor_zone, zone
from mentordesk.errors import KnownError
from mentordesk.services.notes import (
    ActionItemRecord,
    Agenda,
    GoalChoice,
    NoteSaver,
    parse_line_command,
)
from mentordesk.services.recovery import write_recovery_copies
from mentordesk.services.search import SearchHit, SearchService
from mentordesk.services.sessions import Scope, SessionDraft, SessionRecord, SessionRef
from mentordesk.ui.actions import action_button, make_action
from mentordesk.ui.context import AppContext, Change, ChangeNotice
from mentordesk.ui.errors import show_known_error
from mentordesk.ui.notes import report
from mentordesk.ui.notes.actions_panel import ActionItemsPanel
from mentordesk.ui.notes.agenda_panel import AgendaPanel
from mentordesk.ui.notes.autosave import EditorAutosave, SaveWorker
from mentordesk.ui.notes.call_mode import CallMode
from mentordesk.ui.notes.call_window import CallWindow
from mentordesk.ui.notes.controller import NotesController
from mentordesk.ui.notes.editor_panel import NoteEditorPanel
from mentordesk.ui.notes.find_match import MatchMarker, find_first
from mentordesk.ui.notes.reopen import LastSession, mentee_session
from mentordesk.ui.notes.schedule_dialog import ScheduleDialog
from mentordesk.ui.notes.search_dialog import SearchDialog
from mentordesk.ui.notes.session_list import SessionListPanel, Wanted
from mentordesk.ui.notes.wrap_up import confirm_held_early, wrap_up
from mentordesk.ui.resources import icon
from mentordesk.ui.tasks import TaskControl, run_task
from mentordesk.ui.view_page import ViewPage
from mentordesk.ui.widgets.empty_state import EmptyState

if TYPE_CHECKING:
    from mentordesk.ui.sync.controller import SyncController
    from mentordesk.ui.sync.widgets import SessionSyncBadge

log = logging.getLogger(__name__)


class NotesView(ViewPage):
    view_id = "notes"
    title = "Notes"
    icon_name = "notes"

    # Tests replace this to see which links would open.
    url_opener: Callable[[QUrl], object] = staticmethod(QDesktopServices.openUrl)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.controller = NotesController(context, self)
        self.last_session = LastSession(context.settings, context.db.path)
        self.controller.status.connect(self._set_save_state)
        self.sessions = self.controller.sessions
        self.notes = self.controller.notes
        self.search_service = SearchService(context.db)
        self.mentor_zone = mentor_zone()
        # A mentee picked in another view while this one was hidden: show their session.
        self._follow: int | None = None
        self._agenda: Agenda | None = None
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
        self.editor_panel = NoteEditorPanel()
        self.editor: QPlainTextEdit = self.editor_panel.editor
        self.agenda_panel = AgendaPanel(self.controller.toggle_item)
        self.agenda_edit: QPlainTextEdit = self.agenda_panel.agenda_edit
        self.timer_label = QLabel("")
        self._build_actions()
        self._build_ui()
        self.controller.row_made.connect(self._row_made)
        self.note_autosave = EditorAutosave(self.editor, self.saver, self)
        self.note_autosave.bind_on_edit = self._ensure_note
        self.note_autosave.submitted.connect(lambda: self._set_save_state("Saving…"))
        self.agenda_autosave = EditorAutosave(self.agenda_edit, self.saver, self)
        self.agenda_autosave.bind_on_edit = self._ensure_agenda
        self.call_mode = CallMode(self, self.timer_label, self.editor,
                                  self.editor_panel.take_editor_back,
                                  lambda: self.controller.current, context.settings)
        self.editor.installEventFilter(self)
        self.note_marker = MatchMarker(self.editor)
        self.agenda_marker = MatchMarker(self.agenda_edit)
        context.bus.changed.connect(self._on_changed)
        context.bus.mentee_selected.connect(self._mentee_picked)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.applicationStateChanged.connect(self._app_state_changed)
            app.aboutToQuit.connect(self._about_to_quit)
        self._show_session(None)

    # -- the open session (kept by the controller) -------------------------------------
    @property
    def current(self) -> SessionRecord | None:
        return self.controller.current

    @property
    def row_id(self) -> int | None:
        return self.controller.row_id

    @property
    def call_window(self) -> CallWindow | None:
        return self.call_mode.window

    # -- construction ------------------------------------------------------------------
    def _build_actions(self) -> None:
        def action(text: str, shortcut: str, slot: Callable[[], object],
                   icon_name: str) -> QAction:
            return make_action(self, text, slot, shortcut=shortcut, icon_name=icon_name,
                               tip=text.replace("&", ""))

        self.new_action = action("&New Session…", "Ctrl+Shift+N", self.new_session, "add")
        self.search_action = action("&Search Notes…", "Ctrl+K", self.open_search, "search")
        self.search_action.setShortcuts([QKeySequence("Ctrl+K"), QKeySequence("Ctrl+Shift+F")])
        self.add_action_action = action("Add &Action Item", "Ctrl+Return",
                                        self.add_action_from_notes, "check")
        self.join_action = action("&Join Call", "Ctrl+Shift+J", self.join_call, "video")
        self.call_mode_action = action("&Call Mode", "Ctrl+Shift+M", self.toggle_call_mode,
                                       "sidebar")
        self.start_action = action("S&tart Session", "Ctrl+Shift+T", self.start_call, "timer")
        self.end_action = action("&End Session and Wrap Up…", "Ctrl+Shift+E", self.end_call,
                                 "check")
        self.reschedule_action = action("&Reschedule…", "Ctrl+Shift+R", self.reschedule,
                                        "calendar")
        self.cancel_action = action("Ca&ncel Session…", "Ctrl+Shift+X", self.cancel_session,
                                    "delete")
        self.export_action = action("Export &Progress Report…", "Ctrl+Shift+P",
                                    self.export_report, "export")
        self.session_actions = [self.join_action, self.call_mode_action, self.start_action,
                                self.end_action, self.reschedule_action, self.cancel_action,
                                self.add_action_action]

    def menu_actions(self) -> dict[str, list[QAction]]:
        return {"&Session": [self.new_action, self.search_action, self.add_action_action,
                             self.join_action, self.call_mode_action, self.start_action,
                             self.end_action, self.reschedule_action, self.cancel_action,
                             self.export_action]}

    def _build_ui(self) -> None:
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("notesSplitter")
        outer.addWidget(splitter)

        # Left: the sessions, upcoming and recent.
        self.session_list = SessionListPanel(
            self.context, self.sessions, self.mentor_zone, new_action=self.new_action,
            search_action=self.search_action,
            menu_actions=[self.reschedule_action, self.cancel_action], wanted=self._wanted)
        self.session_list.chosen.connect(self.open_session)
        self.session_list.join_requested.connect(self._join_from_list)
        # The first list load is when the view answers: start-up carries on from there
        # (without it, a start on the Notes view waited for the app's fallback timer).
        self.session_list.loaded.connect(self._first_load, Qt.ConnectionType.SingleShotConnection)
        self.session_model = self.session_list.model
        self.session_tree = self.session_list.tree
        self.session_tree.doubleClicked.connect(lambda _i: self.editor.setFocus())
        splitter.addWidget(self.session_list)

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
        self.join_button = action_button(self.join_action)
        self.join_button.setProperty("role", "primary")
        self.join_button.setIcon(icon("video", on_accent=True))
        buttons.addWidget(self.join_button)
        buttons.addWidget(action_button(self.call_mode_action))
        self.start_button = action_button(self.start_action, "Start")
        buttons.addWidget(self.start_button)
        self.end_button = action_button(self.end_action, "End && wrap up")
        buttons.addWidget(self.end_button)
        buttons.addStretch(1)
        buttons.addWidget(action_button(self.reschedule_action, "Reschedule"))
        buttons.addWidget(action_button(self.cancel_action, "Cancel"))
        buttons.addWidget(action_button(self.export_action, "Report"))
        page_layout.addLayout(buttons)

        vertical = QSplitter(Qt.Orientation.Vertical)
        vertical.setObjectName("sessionSplitter")
        self.carried_model = self.agenda_panel.carried_model
        vertical.addWidget(self.agenda_panel)
        self.editor_panel.private_check.toggled.connect(self._private_toggled)
        self.save_banner = self.editor_panel.save_banner
        self.conflict_banner = self.editor_panel.conflict_banner
        vertical.addWidget(self.editor_panel)
        self.actions_panel = ActionItemsPanel(self.controller)
        self.actions_model = self.actions_panel.model
        self.actions_list = self.actions_panel.list
        self.action_edit = self.actions_panel.field
        vertical.addWidget(self.actions_panel)
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
        """Write every session's unsaved text to a recovery copy; return the open session's.

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
        current = self.controller.session_key()
        if rec is not None and current is not None:
            self._titles.setdefault(current, f"{rec.display_title} · {rec.mentee_name}")
            texts[current] = {"agenda": self.agenda_edit.toPlainText(),
                              "note": self.editor.toPlainText()}
        written = write_recovery_copies(self.context.db.path, texts, self._titles)
        return written.get(current) if current is not None else None

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
        # The session list loads when the view is first shown (or something changes): the
        # app builds this view at start-up only for its menus and shortcuts.
        if not self.session_list.listed:
            self.refresh()
        self._update_actions()
        self._arrive()

    # -- the session list --------------------------------------------------------------
    def _first_load(self) -> None:
        self.ready.emit()

    def refresh(self) -> None:
        self.session_list.refresh()

    def _wanted(self, pending: Wanted | None) -> Wanted | None:
        """Which session the reloaded list selects: the one asked for, else the open one."""
        rec = self.current
        want = pending or ((rec.ref.session_id, rec.ref.occurrence_utc)
                           if rec is not None else None)
        if self.row_id is not None and want is not None and want[1] is not None:
            want = (self.row_id, None)
        return want

    def _row_made(self, row_id: int) -> None:
        self.session_list.pending_select = (row_id, None)
        self.last_session.remember(SessionRef(row_id))

    def _join_from_list(self, rec: SessionRecord) -> None:
        self.open_session(rec)
        self.join_call()

    # -- opening a session ---------------------------------------------------------------
    def set_sync_controller(self, controller: SyncController) -> None:
        """Show each session's calendar sync state (and conflicts) under its header."""
        # The sync widgets load with sync, after the window answers.
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

    def open_ref(self, ref: SessionRef) -> None:
        """Open a session by reference (search hits), loading it directly."""
        try:
            rec = self.sessions.get(ref)
        except KnownError as exc:
            show_known_error(self, exc)
            return
        self._open_and_select(rec)

    def _open_and_select(self, rec: SessionRecord) -> None:
        self.open_session(rec)
        idx = self.session_model.find(rec.ref.session_id, rec.ref.occurrence_utc)
        if idx.isValid():
            self.session_list.select_quietly(idx)

    # -- coming back: the last session, or the mentee picked elsewhere ------------------
    def _mentee_picked(self, mentee_id: int) -> None:
        # While this view is shown the pick came from it (a search hit) or is none.
        if mentee_id >= 0 and not self.isVisible():
            self._follow = mentee_id

    def _arrive(self) -> None:
        """Shown: open the session of the mentee picked meanwhile (their next, else their
        latest), or, with nothing open, the session shown last (also after a restart)."""
        follow, self._follow = self._follow, None
        rec = self.current
        if follow is not None and (rec is None or rec.mentee_id != follow):
            sessions = self.sessions
            self._open_found(lambda: mentee_session(sessions, follow))
        elif rec is None:
            ref = self.last_session.recall()
            if ref is not None:
                sessions = self.sessions
                self._open_found(lambda: sessions.get(ref))

    def _open_found(self, find: Callable[[], SessionRecord | None]) -> None:
        """Open what ``find`` finds (in the background), unless the mentor opened a
        session meanwhile."""
        before = self.current.ref if self.current is not None else None

        def work(_control: TaskControl) -> SessionRecord | None:
            try:
                return find()
            except KnownError:
                return None  # gone since: the view stays as it is

        def done(found: SessionRecord | None) -> None:
            now = self.current.ref if self.current is not None else None
            if found is not None and now == before:
                self._open_and_select(found)

        run_task(work, on_success=done,
                 on_error=lambda exc: log.error("finding a session to open failed",
                                                exc_info=exc))

    def _show_session(self, rec: SessionRecord | None) -> None:
        self.controller.open(rec)
        self.call_mode.leave()
        self._update_actions()
        if rec is None:
            self.pages.setCurrentWidget(self.empty)
            self.note_autosave.bind(None, None, "")
            self.agenda_autosave.bind(None, None, "")
            self.call_mode.tick.stop()
            return
        self.pages.setCurrentWidget(self.session_page)
        self.conflict_banner.hide()
        row_id = self.row_id
        body = ""
        private = False
        if row_id is not None:
            note = self.notes.find_note(row_id)
            if note is not None:
                self.controller.note_id, body, private = note.id, note.body, note.private
        queued = False
        if row_id is not None:
            # The note row itself is made by the first save, on the writer thread: typing
            # into a session without a note while the file is busy is queued like any edit.
            key = ("note", row_id)
            saver = self._note_saver(row_id, self.controller.note_id, body)
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
        self.editor_panel.set_private(private)
        if row_id is not None:
            agenda = self.saver.pending_text(("agenda", row_id))
            queued = queued or agenda is not None
            self.agenda_autosave.bind(("agenda", row_id), self._agenda_writer(row_id),
                                      rec.agenda if agenda is None else agenda)
        else:
            self.agenda_autosave.bind(None, None, rec.agenda)
        self._titles[row_id or rec.ref.session_id] = f"{rec.display_title} · {rec.mentee_name}"
        self._update_header()
        if self.sync_badge is not None:
            self.sync_badge.set_session(row_id)
        self._load_side_panels()
        self.editor_panel.update_preview()
        self.call_mode.follow(rec)
        self.save_label.setText("Not saved yet" if queued else "")
        self.last_session.remember(SessionRef(row_id) if row_id is not None else rec.ref)

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
            goals = self.notes.goal_choices(rec.mentee_id)
        except KnownError as exc:
            show_known_error(self, exc)
            return
        self.actions_panel.set_goals(goals)

    @property
    def _goals(self) -> list[GoalChoice]:
        return self.actions_panel.goals

    # -- lazily giving an occurrence its own row ------------------------------------------
    def _ensure_note(self) -> None:
        """Bind the editors to the session's own row (giving an occurrence of a series one
        first); the note row is made by the first save."""
        row_id = self.controller.ensure_row()
        if row_id is None:
            return
        if self.note_autosave.key is None:
            self.note_autosave.rebind(("note", row_id), self._note_saver(row_id, None, ""))
        if self.agenda_autosave.key is None:
            self.agenda_autosave.rebind(("agenda", row_id), self._agenda_writer(row_id))

    def _ensure_note_id(self) -> int | None:
        """The note's id, making the note now if it has none yet (the private flag)."""
        self._ensure_note()
        if self.controller.note_id is None and self.row_id is not None:
            note = self.notes.open_note(self.row_id)
            self.controller.note_id = note.id
            self._note_saver(self.row_id, note.id, "")
        return self.controller.note_id

    def _ensure_agenda(self) -> None:
        row_id = self.controller.ensure_row()
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
        if key == self.note_autosave.key:
            self.editor_panel.show_conflict(message, kept)
        else:
            self.conflict_banner.setText(message)
            self.conflict_banner.show()

    def _show_banner(self, message: str) -> None:
        self.editor_panel.show_save_problem(message)
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

    # -- line commands -------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.editor and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() == Qt.KeyboardModifier.NoModifier):
            self._line_command()
        return super().eventFilter(watched, event)

    def _line_command(self) -> None:
        cursor = self.editor.textCursor()
        line = cursor.block().text()
        if parse_line_command(line) is None:
            return
        self._ensure_note()
        row_id = self.row_id
        if row_id is None:
            return
        self.controller.run_line_command(
            row_id, line, lambda result: self.editor_panel.replace_line(cursor,
                                                                         result.replacement))

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

    def add_action_item(self, text: str, *, goal_id: int | None = None) -> None:
        self.controller.add_action_item(text, goal_id=goal_id)

    def _link(self, item: ActionItemRecord, goal_id: int | None) -> None:
        self.controller.link(item, goal_id)

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
        rec = self.controller.schedule(draft)
        if rec is not None:
            self.session_list.pending_select = (
                rec.ref.session_id, rec.start_utc if rec.recurring else None)
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
            before = rec if self.row_id is None else self.sessions.get(SessionRef(self.row_id))
        except KnownError as exc:
            show_known_error(self, exc)
            return
        target = self.controller.reschedule(
            before, result.scope, start_utc=result.start_utc,
            duration=result.duration_minutes, title=result.title, rrule=result.rrule)
        if target is not None:
            self._reload_current(target)

    def cancel_session(self) -> None:
        rec = self.current
        if rec is None:
            return
        scope = Scope.ONE
        if rec.recurring:
            box = QMessageBox(QMessageBox.Icon.Question, "Cancel session",
                              "Cancel only this meeting, or the whole series?",
                              parent=self)
            one = box.addButton("This meeting", QMessageBox.ButtonRole.AcceptRole)
            series = box.addButton("Whole series", QMessageBox.ButtonRole.DestructiveRole)
            box.addButton("Keep it", QMessageBox.ButtonRole.RejectRole)
            box.exec()
            if box.clickedButton() is series:
                scope = Scope.SERIES
            elif box.clickedButton() is not one:
                return
        cancelled = self.controller.cancel(SessionRef(self.row_id) if self.row_id else rec.ref,
                                           scope)
        if cancelled is not None and scope == Scope.ONE:
            self._reload_current(cancelled)

    def _reload_current(self, ref: SessionRef) -> None:
        self.controller.reload_current(ref)
        self._update_header()

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
        row_id = updated.ref.session_id
        self.controller.row_id = row_id
        if rec.ref.virtual:
            self.session_list.pending_select = (row_id, None)
            self.agenda_autosave.rebind(("agenda", row_id), self._agenda_writer(row_id))
        self.controller.current = updated
        self._update_header()
        self.call_mode.tick.start()
        self.call_mode.update_timer()
        self.context.bus.notify(Change.SESSIONS)

    def end_call(self) -> None:
        rec = self.current
        if rec is None:
            return
        early = rec.started_at is None and rec.start_utc > datetime.now(UTC)
        if early and not confirm_held_early(self, rec, self.mentor_zone):
            return
        try:
            self.flush()
            row_id = self.controller.ensure_row()
            if row_id is None:
                return
            ended = self.sessions.end_call(row_id, early=early)
        except KnownError as exc:
            show_known_error(self, exc)
            return
        self.call_mode.leave()
        self.controller.current = ended
        self.call_mode.tick.stop()
        self._update_header()
        self.call_mode.update_timer()
        self.context.bus.notify(Change.SESSIONS)
        self.show_wrap_up()

    def show_wrap_up(self) -> None:
        rec = self.current
        if rec is None or self.row_id is None:
            return
        dialog, draft = wrap_up(self, self.sessions, self.notes, self.mentor_zone, rec,
                                self.row_id)
        if dialog is not None:
            self.wrap_up_dialog = dialog
        if draft is not None:
            self._schedule(draft)

    def toggle_call_mode(self) -> None:
        if self.call_mode.window is not None:
            self.call_mode.leave()
        else:
            self.enter_call_mode()

    def enter_call_mode(self) -> None:
        rec = self.current
        if rec is None:
            return
        self.call_mode.enter(f"{rec.display_title} · {rec.mentee_name}",
                             self.agenda_panel.call_sheet(), self.add_action_item,
                             self.end_call)

    # -- search ------------------------------------------------------------------------
    def open_search(self) -> None:
        dialog = SearchDialog(self.search_service, self.mentor_zone, self)
        dialog.opened.connect(self.open_hit)
        self.search_dialog = dialog
        dialog.show()
        dialog.field.setFocus()

    def open_hit(self, hit: SearchHit) -> None:
        words = list(dict.fromkeys(hit.highlighted_words()))
        if hit.kind in ("note", "agenda") and hit.session_id is not None:
            self.context.bus.show_view.emit(self.view_id)
            self.open_ref(SessionRef(hit.session_id))
            if self.row_id == hit.session_id:
                self.show_match(words, agenda_first=hit.kind == "agenda")
        elif hit.mentee_id is not None:
            self.context.select_mentee(hit.mentee_id)
            self.context.bus.show_view.emit("board" if hit.kind == "goal" else "mentees")

    def show_match(self, words: list[str], *, agenda_first: bool = False) -> None:
        """Select, mark and scroll to the first matched word: in the note or the agenda
        (the hit's own first), else in the action item that holds it."""
        markers = [self.note_marker, self.agenda_marker]
        for marker in reversed(markers) if agenda_first else markers:
            if marker.show(words):
                return
        for row, item in enumerate(self.actions_model.items()):
            if find_first(item.text, words) is not None:
                index = self.actions_model.index(row, 0)
                self.actions_list.setCurrentIndex(index)
                self.actions_list.scrollTo(index)
                self.actions_list.setFocus()
                return

    # -- reports -----------------------------------------------------------------------
    def export_report(self) -> None:
        rec = self.current
        name = rec.mentee_name if rec is not None else ""
        if not name:
            show_known_error(self, KnownError("Open a session of the mentee first."))
            return
        path = report.ask_report_path(self, name)
        if path is not None:
            self.write_report(name, path)

    def write_report(self, name: str, path: Path) -> None:
        written = report.write_report(self, self.context.db, name, path)
        if written is None:
            return
        window = self.window()
        status = getattr(window, "statusBar", None)
        if callable(status):
            status().showMessage(f"Report written to {written}", 8000)

    # -- changes elsewhere -------------------------------------------------------------
    def _on_changed(self, notice: ChangeNotice) -> None:
        kinds = notice.changes
        if kinds & (Change.SESSIONS | Change.MENTEES):
            self.refresh()
        if kinds & (Change.GOALS | Change.ACTIONS | Change.NOTES) and self.current is not None:
            self._load_side_panels()

    def shutdown(self) -> None:
        """Final synchronous flush and stop the writer thread."""
        try:
            self.flush()
        finally:
            self.saver.stop()
