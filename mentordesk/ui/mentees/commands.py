"""Undo commands for mentee edits. Each redo/undo is a service call, then a change notice.

The first redo happens before the command is pushed (so a failure can be shown and nothing
lands on the stack); ``QUndoStack.push`` then calls ``redo`` once more, which is skipped.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from mentordesk.errors import KnownError
from mentordesk.ui.context import ACTIONS, GOALS, MENTEES, NOTES, SESSIONS, AppContext
from mentordesk.ui.errors import show_known_error

if TYPE_CHECKING:
    from mentordesk.services.mentees import DeletedMentee, MenteeInput

log = logging.getLogger(__name__)

# Deleting or restoring a mentee touches every view.
EVERYTHING = frozenset({MENTEES, GOALS, SESSIONS, NOTES, ACTIONS})


class _MenteeCommand(QUndoCommand):
    def __init__(self, context: AppContext, text: str) -> None:
        super().__init__(text)
        self.context = context
        from mentordesk.services.mentees import MenteeService  # with the first edit

        self.service = MenteeService(context.db)
        self._first = True
        self.kinds: frozenset[str] = frozenset({MENTEES})

    def run_first(self) -> None:
        """Do the edit now; raises KnownError without touching the stack."""
        self.do()
        self.context.bus.notify(self.kinds)

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._guarded(self.do)

    def undo(self) -> None:
        self._guarded(self.undo_it)

    def _guarded(self, fn: object) -> None:
        assert callable(fn)
        try:
            fn()
        except KnownError as exc:
            show_known_error(None, exc)
            self.setObsolete(True)
        self.context.bus.notify(self.kinds)

    def do(self) -> None:
        raise NotImplementedError

    def undo_it(self) -> None:
        raise NotImplementedError


class AddMenteeCommand(_MenteeCommand):
    def __init__(self, context: AppContext, data: MenteeInput) -> None:
        super().__init__(context, f"Add {data.name.strip()}")
        self.data = data
        self.mentee_id: int | None = None
        self._deleted: DeletedMentee | None = None

    def do(self) -> None:
        if self._deleted is not None:
            self.mentee_id = self.service.undelete(self._deleted)
            self._deleted = None
        else:
            self.mentee_id = self.service.create(self.data).id

    def undo_it(self) -> None:
        if self.mentee_id is not None:
            # Keep the whole row set: anything added to the mentee meanwhile comes back too.
            self._deleted = self.service.delete(self.mentee_id)
            self.kinds = EVERYTHING


class EditMenteeCommand(_MenteeCommand):
    def __init__(self, context: AppContext, mentee_id: int, before: MenteeInput,
                 after: MenteeInput) -> None:
        super().__init__(context, f"Edit {after.name.strip()}")
        self.mentee_id = mentee_id
        self.before = before
        self.after = after

    def do(self) -> None:
        self.service.update(self.mentee_id, self.after)

    def undo_it(self) -> None:
        self.service.update(self.mentee_id, self.before)


class ArchiveMenteeCommand(_MenteeCommand):
    def __init__(self, context: AppContext, mentee_id: int, name: str, archived: bool) -> None:
        super().__init__(context, f"{'Archive' if archived else 'Unarchive'} {name}")
        self.mentee_id = mentee_id
        self.archived = archived

    def do(self) -> None:
        self.service.set_archived(self.mentee_id, self.archived)

    def undo_it(self) -> None:
        self.service.set_archived(self.mentee_id, not self.archived)


class SnoozeMenteeCommand(_MenteeCommand):
    def __init__(self, context: AppContext, mentee_id: int, name: str,
                 before: datetime | None, after: datetime | None) -> None:
        super().__init__(context, f"Snooze {name}" if after else f"Wake {name}")
        self.mentee_id = mentee_id
        self.before = before
        self.after = after

    def do(self) -> None:
        self.service.snooze(self.mentee_id, self.after)

    def undo_it(self) -> None:
        self.service.snooze(self.mentee_id, self.before)


class DeleteMenteeCommand(_MenteeCommand):
    """Delete with everything of theirs; the snapshot for undo lives as long as the stack."""

    def __init__(self, context: AppContext, mentee_id: int, name: str) -> None:
        super().__init__(context, f"Delete {name}")
        self.mentee_id = mentee_id
        self.deleted: DeletedMentee | None = None
        self.kinds = EVERYTHING

    def do(self) -> None:
        self.deleted = self.service.delete(self.mentee_id)

    def undo_it(self) -> None:
        if self.deleted is not None:
            self.mentee_id = self.service.undelete(self.deleted)
            self.deleted = None


class ImportMenteesCommand(_MenteeCommand):
    """Undo of a CSV import: the new mentees go, the updated ones get their old values back.

    The import itself ran in the background before this is pushed, so the first redo is the
    usual no-op.
    """

    def __init__(self, context: AppContext, file_name: str, created_ids: list[int],
                 updated_before: dict[int, MenteeInput]) -> None:
        super().__init__(context, f"Import {file_name}")
        self.created_ids = list(created_ids)
        self.updated_before = dict(updated_before)
        self._updated_after: dict[int, MenteeInput] = {}
        self._deleted: list[DeletedMentee] = []
        self.kinds = EVERYTHING

    def do(self) -> None:
        if self._deleted:
            self.created_ids = self.service.undelete_many(self._deleted)
            self._deleted = []
        if self._updated_after:
            self.service.update_many(self._updated_after)

    def undo_it(self) -> None:
        self._updated_after = self.service.inputs(list(self.updated_before))
        self._deleted = self.service.delete_many(self.created_ids)
        self.service.update_many(self.updated_before)
