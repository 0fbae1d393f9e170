"""Undo entries of the notes view: each ``do``/``revert`` is a service call.

Each edit runs as an ``Op`` (ui/operations.py) before its entry is pushed: a failed edit is
shown and leaves nothing on the stack.

Typing in the note is not here: the editor keeps its own undo history, and every keystroke on
the shared stack would bury the mentor's other edits.
"""

from __future__ import annotations

from datetime import datetime

from mentordesk.services.notes import ActionItemRecord, NoteService
from mentordesk.services.sessions import (
    Scope,
    SessionDraft,
    SessionRecord,
    SessionRef,
    SessionService,
)
from mentordesk.ui.context import AppContext, Change
from mentordesk.ui.operations import OpCommand

# Action items show in the notes view, on the board (open counts) and in the profile.
ACTION_CHANGES = Change.ACTIONS | Change.GOALS


class AddActionCommand(OpCommand):
    """Undo entry of an action item made by the view (``item``: the one it made)."""

    def __init__(self, context: AppContext, notes: NoteService, item: ActionItemRecord) -> None:
        super().__init__(context, f"Add action item “{item.text[:30]}”", ACTION_CHANGES)
        self.notes, self.item = notes, item

    def do(self) -> None:
        item = self.item
        assert item.session_id is not None
        self.item = self.notes.add_action_item(
            item.session_id, item.text, kind=item.kind, goal_id=item.goal_id,
            due_date=item.due_date, item_id=item.id)

    def revert(self) -> None:
        self.notes.delete_action_item(self.item.id)


class DeleteActionCommand(OpCommand):
    def __init__(self, context: AppContext, notes: NoteService, item: ActionItemRecord) -> None:
        super().__init__(context, f"Delete action item “{item.text[:30]}”", ACTION_CHANGES)
        self.notes, self.item = notes, item

    def do(self) -> None:
        self.notes.delete_action_item(self.item.id)

    def revert(self) -> None:
        assert self.item.session_id is not None
        restored = self.notes.add_action_item(
            self.item.session_id, self.item.text, kind=self.item.kind,
            goal_id=self.item.goal_id, due_date=self.item.due_date, item_id=self.item.id)
        if self.item.done:
            self.notes.set_done(restored.id, True)


class ToggleActionCommand(OpCommand):
    def __init__(self, context: AppContext, notes: NoteService, item: ActionItemRecord,
                 done: bool) -> None:
        super().__init__(context, ("Tick off" if done else "Reopen") + f" “{item.text[:30]}”",
                         ACTION_CHANGES)
        self.notes, self.item, self.done = notes, item, done

    def do(self) -> None:
        self.notes.set_done(self.item.id, self.done)

    def revert(self) -> None:
        self.notes.set_done(self.item.id, not self.done)


class LinkGoalCommand(OpCommand):
    def __init__(self, context: AppContext, notes: NoteService, item: ActionItemRecord,
                 goal_id: int | None) -> None:
        super().__init__(context, f"Link “{item.text[:30]}” to a goal", ACTION_CHANGES)
        self.notes, self.item, self.goal_id = notes, item, goal_id

    def do(self) -> None:
        self.notes.link_action_to_goal(self.item.id, self.goal_id)

    def revert(self) -> None:
        self.notes.link_action_to_goal(self.item.id, self.item.goal_id)


class ScheduleCommand(OpCommand):
    def __init__(self, context: AppContext, sessions: SessionService,
                 draft: SessionDraft) -> None:
        super().__init__(context, "Plan session", Change.SESSIONS)
        self.sessions, self.draft = sessions, draft
        self.record: SessionRecord | None = None

    def do(self) -> None:
        self.record = self.sessions.schedule(self.draft)

    def revert(self) -> None:
        if self.record is not None:
            self.sessions.delete(self.record.ref.session_id)


class CancelSessionCommand(OpCommand):
    def __init__(self, context: AppContext, sessions: SessionService, ref: SessionRef,
                 scope: Scope) -> None:
        super().__init__(context, "Cancel session" if scope == Scope.ONE else "Cancel series",
                         Change.SESSIONS)
        self.sessions, self.ref, self.scope = sessions, ref, scope
        self.cancelled: SessionRef | None = None

    def do(self) -> None:
        self.cancelled = self.sessions.cancel(self.cancelled or self.ref, scope=self.scope)

    def revert(self) -> None:
        if self.cancelled is not None:
            self.sessions.restore(self.cancelled, scope=self.scope)


class RescheduleCommand(OpCommand):
    """Move/edit one meeting or its whole series; undo puts back what was there."""

    def __init__(self, context: AppContext, sessions: SessionService, before: SessionRecord,
                 scope: Scope, *, start_utc: datetime, duration: int, title: str,
                 rrule: str | None) -> None:
        super().__init__(context,
                         "Reschedule session" if scope == Scope.ONE else "Reschedule series",
                         Change.SESSIONS)
        self.sessions, self.before, self.scope = sessions, before, scope
        self.start_utc, self.duration, self.title, self.rrule = start_utc, duration, title, rrule
        self.target: SessionRef | None = None
        self.old: SessionRecord | None = None

    def do(self) -> None:
        if self.scope == Scope.SERIES:
            series_id = self.before.series_id or self.before.ref.session_id
            self.old = self.sessions.get(SessionRef(series_id))
        after = self.sessions.update(
            self.target or self.before.ref, scope=self.scope, start_utc=self.start_utc,
            duration_minutes=self.duration, title=self.title,
            rrule=self.rrule if self.scope == Scope.SERIES or not self.before.recurring else None)
        if self.target is None and self.scope == Scope.ONE:
            self.target = after.ref

    def revert(self) -> None:
        if self.scope == Scope.SERIES and self.old is not None:
            self.sessions.update(self.old.ref, scope=Scope.SERIES, start_utc=self.old.start_utc,
                                 duration_minutes=self.old.duration_minutes,
                                 title=self.old.title, rrule=self.old.rrule or "")
        elif self.target is not None:
            self.sessions.update(self.target, scope=Scope.ONE, start_utc=self.before.start_utc,
                                 duration_minutes=self.before.duration_minutes,
                                 title=self.before.title)
