"""Undoable edits of the notes view: each redo/undo is a service call.

Typing in the note is not here: the editor keeps its own undo history, and every keystroke on
the shared stack would bury the mentor's other edits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtGui import QUndoCommand

from mentordesk.services.notes import ActionItemRecord, NoteService
from mentordesk.services.sessions import (
    Scope,
    SessionDraft,
    SessionRecord,
    SessionRef,
    SessionService,
)

Changed = Callable[[], None]


class AddActionCommand(QUndoCommand):
    def __init__(self, notes: NoteService, session_id: int, text: str, *, kind: str = "action",
                 goal_id: int | None = None, due_date: date | None = None,
                 changed: Changed, done: ActionItemRecord | None = None) -> None:
        super().__init__(f"Add action item “{text[:30]}”")
        self.notes, self.session_id, self.item_text = notes, session_id, text
        self.kind, self.goal_id, self.due_date = kind, goal_id, due_date
        self.changed = changed
        # A line command already created the item: the first redo has nothing to do.
        self.item: ActionItemRecord | None = done
        self._skip_first = done is not None

    def redo(self) -> None:
        if self._skip_first:
            self._skip_first = False
            return
        self.item = self.notes.add_action_item(
            self.session_id, self.item_text, kind=self.kind, goal_id=self.goal_id,
            due_date=self.due_date, item_id=self.item.id if self.item else None)
        self.changed()

    def undo(self) -> None:
        if self.item is not None:
            self.notes.delete_action_item(self.item.id)
        self.changed()


class DeleteActionCommand(QUndoCommand):
    def __init__(self, notes: NoteService, item: ActionItemRecord, changed: Changed) -> None:
        super().__init__(f"Delete action item “{item.text[:30]}”")
        self.notes, self.item, self.changed = notes, item, changed

    def redo(self) -> None:
        self.notes.delete_action_item(self.item.id)
        self.changed()

    def undo(self) -> None:
        assert self.item.session_id is not None
        restored = self.notes.add_action_item(
            self.item.session_id, self.item.text, kind=self.item.kind,
            goal_id=self.item.goal_id, due_date=self.item.due_date, item_id=self.item.id)
        if self.item.done:
            self.notes.set_done(restored.id, True)
        self.changed()


class ToggleActionCommand(QUndoCommand):
    def __init__(self, notes: NoteService, item: ActionItemRecord, done: bool,
                 changed: Changed) -> None:
        super().__init__(("Tick off" if done else "Reopen") + f" “{item.text[:30]}”")
        self.notes, self.item, self.done, self.changed = notes, item, done, changed

    def redo(self) -> None:
        self.notes.set_done(self.item.id, self.done)
        self.changed()

    def undo(self) -> None:
        self.notes.set_done(self.item.id, not self.done)
        self.changed()


class LinkGoalCommand(QUndoCommand):
    def __init__(self, notes: NoteService, item: ActionItemRecord, goal_id: int | None,
                 changed: Changed) -> None:
        super().__init__(f"Link “{item.text[:30]}” to a goal")
        self.notes, self.item, self.goal_id, self.changed = notes, item, goal_id, changed

    def redo(self) -> None:
        self.notes.link_action_to_goal(self.item.id, self.goal_id)
        self.changed()

    def undo(self) -> None:
        self.notes.link_action_to_goal(self.item.id, self.item.goal_id)
        self.changed()


class ScheduleCommand(QUndoCommand):
    def __init__(self, sessions: SessionService, draft: SessionDraft, changed: Changed) -> None:
        super().__init__("Plan session")
        self.sessions, self.draft, self.changed = sessions, draft, changed
        self.record: SessionRecord | None = None

    def redo(self) -> None:
        self.record = self.sessions.schedule(self.draft)
        self.changed()

    def undo(self) -> None:
        if self.record is not None:
            self.sessions.delete(self.record.ref.session_id)
        self.changed()


class CancelSessionCommand(QUndoCommand):
    def __init__(self, sessions: SessionService, ref: SessionRef, scope: Scope,
                 changed: Changed) -> None:
        super().__init__("Cancel session" if scope == "one" else "Cancel series")
        self.sessions, self.ref, self.scope, self.changed = sessions, ref, scope, changed
        self.cancelled: SessionRef | None = None

    def redo(self) -> None:
        self.cancelled = self.sessions.cancel(self.cancelled or self.ref, scope=self.scope)
        self.changed()

    def undo(self) -> None:
        if self.cancelled is not None:
            self.sessions.restore(self.cancelled, scope=self.scope)
        self.changed()


class RescheduleCommand(QUndoCommand):
    """Move/edit one meeting or its whole series; undo puts back what was there."""

    def __init__(self, sessions: SessionService, before: SessionRecord, scope: Scope, *,
                 start_utc: datetime, duration: int, title: str, rrule: str | None,
                 changed: Changed) -> None:
        super().__init__("Reschedule session" if scope == "one" else "Reschedule series")
        self.sessions, self.before, self.scope = sessions, before, scope
        self.start_utc, self.duration, self.title, self.rrule = start_utc, duration, title, rrule
        self.changed = changed
        self.target: SessionRef | None = None
        self.old: SessionRecord | None = None

    def redo(self) -> None:
        if self.scope == "series":
            series_id = self.before.series_id or self.before.ref.session_id
            self.old = self.sessions.get(SessionRef(series_id))
        after = self.sessions.update(
            self.target or self.before.ref, scope=self.scope, start_utc=self.start_utc,
            duration_minutes=self.duration, title=self.title,
            rrule=self.rrule if self.scope == "series" or not self.before.recurring else None)
        if self.target is None and self.scope == "one":
            self.target = after.ref
        self.changed()

    def undo(self) -> None:
        if self.scope == "series" and self.old is not None:
            self.sessions.update(self.old.ref, scope="series", start_utc=self.old.start_utc,
                                 duration_minutes=self.old.duration_minutes,
                                 title=self.old.title, rrule=self.old.rrule or "")
        elif self.target is not None:
            self.sessions.update(self.target, scope="one", start_utc=self.before.start_utc,
                                 duration_minutes=self.before.duration_minutes,
                                 title=self.before.title)
        self.changed()
