"""The open session and every change made to it from the notes view.

Holds which session is open (``current``, and its own row once it has one: an occurrence of
a series gets a row when first written to) and runs each edit as an ``Op``
(ui/operations.py): action items, line commands, planning, rescheduling, cancelling.
The panels call these; nothing here builds widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from mentordesk.errors import KnownError
from mentordesk.services.notes import ActionItemRecord, LineCommandResult, NoteService
from mentordesk.services.sessions import (
    Scope,
    SessionDraft,
    SessionRecord,
    SessionRef,
    SessionService,
)
from mentordesk.ui.context import AppContext, Change
from mentordesk.ui.errors import show_known_error
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
from mentordesk.ui.operations import Op, run_command


class NotesController(QObject):
    # The open session got its own row (select it when the list reloads).
    row_made = Signal(int)
    # A short status line for the save label ("Action item added: …").
    status = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.context = context
        self.parent_widget = parent
        self.sessions = SessionService(context.db)
        self.notes = NoteService(context.db)
        self.current: SessionRecord | None = None
        self.row_id: int | None = None  # the current meeting's own row, once it has one
        self.note_id: int | None = None

    def open(self, rec: SessionRecord | None) -> None:
        self.current = rec
        self.row_id = None if rec is None or rec.ref.virtual else rec.ref.session_id
        self.note_id = None

    def session_key(self) -> int | None:
        """The open session's id for recovery copies and titles: its row, or its series."""
        rec = self.current
        return None if rec is None else self.row_id or rec.ref.session_id

    def ensure_row(self) -> int | None:
        """The open session's own row, making it now for an occurrence of a series."""
        rec = self.current
        if rec is None:
            return None
        if self.row_id is None:
            try:
                self.row_id = self.sessions.materialize(rec.ref)
            except KnownError as exc:
                show_known_error(self.parent_widget, exc)
                return None
            self.row_made.emit(self.row_id)
            self.current = self.sessions.get(SessionRef(self.row_id))
            self.context.bus.notify(Change.SESSIONS)
        return self.row_id

    def reload_current(self, ref: SessionRef) -> None:
        try:
            rec = self.sessions.get(ref)
        except KnownError:
            return
        self.current = rec
        self.row_id = None if rec.ref.virtual else rec.ref.session_id

    # -- action items ------------------------------------------------------------------
    def add_action_item(self, text: str, *, goal_id: int | None = None) -> None:
        row_id = self.ensure_row()
        if row_id is None:
            return
        notes = self.notes
        (Op(self.context, self.parent_widget,
            lambda: notes.add_action_item(row_id, text, goal_id=goal_id),
            changes=ACTION_CHANGES)
         .undo(lambda item: AddActionCommand(self.context, notes, item))
         .success(lambda _item: self.status.emit(f"Action item added: {text[:40]}"))
         .run())

    def toggle_item(self, item: ActionItemRecord, done: bool) -> None:
        run_command(ToggleActionCommand(self.context, self.notes, item, done),
                    self.parent_widget)

    def delete_item(self, item: ActionItemRecord) -> None:
        run_command(DeleteActionCommand(self.context, self.notes, item), self.parent_widget)

    def link(self, item: ActionItemRecord, goal_id: int | None) -> None:
        run_command(LinkGoalCommand(self.context, self.notes, item, goal_id),
                    self.parent_widget)

    def run_line_command(self, row_id: int, line: str,
                         applied: Callable[[LineCommandResult], object]) -> None:
        """``/action``, ``/next``, ``/goal``: make the item; ``applied`` rewrites the line."""
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

        (Op(self.context, self.parent_widget, lambda: notes.run_line_command(row_id, line),
            changes=changes)
         .undo(entry)
         .success(lambda result: result is not None and applied(result))
         .run())

    # -- planning ----------------------------------------------------------------------
    def schedule(self, draft: SessionDraft) -> SessionRecord | None:
        command = ScheduleCommand(self.context, self.sessions, draft)
        return command.record if run_command(command, self.parent_widget) else None

    def reschedule(self, before: SessionRecord, scope: Scope, *, start_utc: datetime,
                   duration: int, title: str, rrule: str | None) -> SessionRef | None:
        """Move or edit the meeting (or its series); the moved meeting's ref for one."""
        command = RescheduleCommand(self.context, self.sessions, before, scope,
                                    start_utc=start_utc, duration=duration, title=title,
                                    rrule=rrule)
        return command.target if run_command(command, self.parent_widget) else None

    def cancel(self, ref: SessionRef, scope: Scope) -> SessionRef | None:
        command = CancelSessionCommand(self.context, self.sessions, ref, scope)
        return command.cancelled if run_command(command, self.parent_widget) else None
