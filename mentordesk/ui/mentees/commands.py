"""Undo entries for mentee edits: each ``do``/``revert`` is a service call.

The edit itself runs as an ``Op`` (ui/operations.py) before its entry is pushed, so a failure
is shown and nothing lands on the stack.

The Mentees view imports this module before its list answers, which needs no mentee service
and no SQLAlchemy: ``csv_io``, which brings both, is imported when an import is undone or
redone.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from mentordesk.errors import KnownError
from mentordesk.ui.context import EVERYTHING, AppContext, Change
from mentordesk.ui.operations import OpCommand

if TYPE_CHECKING:
    from mentordesk.services.mentees import DeletedMentee, MenteeInput, MenteeService

log = logging.getLogger(__name__)


class _MenteeCommand(OpCommand):
    def __init__(self, context: AppContext, service: MenteeService, text: str) -> None:
        super().__init__(context, text, Change.MENTEES)
        self.service = service

    def replay_failed(self, exc: KnownError) -> None:
        self.setObsolete(True)


class AddMenteeCommand(_MenteeCommand):
    def __init__(self, context: AppContext, service: MenteeService, data: MenteeInput) -> None:
        super().__init__(context, service, f"Add {data.name.strip()}")
        self.data = data
        self.mentee_id: int | None = None
        self._deleted: DeletedMentee | None = None

    def do(self) -> None:
        if self._deleted is not None:
            self.mentee_id = self.service.undelete(self._deleted)
            self._deleted = None
        else:
            self.mentee_id = self.service.create(self.data).id

    def revert(self) -> None:
        if self.mentee_id is not None:
            # Keep the whole row set: anything added to the mentee meanwhile comes back too.
            self._deleted = self.service.delete(self.mentee_id)
            self.changes = EVERYTHING


class EditMenteeCommand(_MenteeCommand):
    def __init__(self, context: AppContext, service: MenteeService, mentee_id: int,
                 before: MenteeInput, after: MenteeInput) -> None:
        super().__init__(context, service, f"Edit {after.name.strip()}")
        self.mentee_id = mentee_id
        self.before = before
        self.after = after

    def do(self) -> None:
        self.service.update(self.mentee_id, self.after)

    def revert(self) -> None:
        self.service.update(self.mentee_id, self.before)


class ArchiveMenteeCommand(_MenteeCommand):
    def __init__(self, context: AppContext, service: MenteeService, mentee_id: int, name: str,
                 archived: bool) -> None:
        super().__init__(context, service, f"{'Archive' if archived else 'Unarchive'} {name}")
        self.mentee_id = mentee_id
        self.archived = archived

    def do(self) -> None:
        self.service.set_archived(self.mentee_id, self.archived)

    def revert(self) -> None:
        self.service.set_archived(self.mentee_id, not self.archived)


class SnoozeMenteeCommand(_MenteeCommand):
    def __init__(self, context: AppContext, service: MenteeService, mentee_id: int, name: str,
                 before: datetime | None, after: datetime | None) -> None:
        super().__init__(context, service, f"Snooze {name}" if after else f"Wake {name}")
        self.mentee_id = mentee_id
        self.before = before
        self.after = after

    def do(self) -> None:
        self.service.snooze(self.mentee_id, self.after)

    def revert(self) -> None:
        self.service.snooze(self.mentee_id, self.before)


class DeleteMenteeCommand(_MenteeCommand):
    """Delete with everything of theirs; the snapshot for undo lives as long as the stack."""

    def __init__(self, context: AppContext, service: MenteeService, mentee_id: int,
                 name: str) -> None:
        super().__init__(context, service, f"Delete {name}")
        self.mentee_id = mentee_id
        self.deleted: DeletedMentee | None = None
        self.changes = EVERYTHING

    def do(self) -> None:
        self.deleted = self.service.delete(self.mentee_id)

    def revert(self) -> None:
        if self.deleted is not None:
            self.mentee_id = self.service.undelete(self.deleted)
            self.deleted = None


class ImportMenteesCommand(_MenteeCommand):
    """Undo of a CSV import: the new mentees go, the updated ones get their old values back.

    The import itself ran in the background before this is pushed, so the first redo is the
    usual no-op.
    """

    def __init__(self, context: AppContext, service: MenteeService, file_name: str,
                 created_ids: list[int], updated_before: dict[int, MenteeInput]) -> None:
        super().__init__(context, service, f"Import {file_name}")
        self.created_ids = list(created_ids)
        self.updated_before = dict(updated_before)
        self._updated_after: dict[int, MenteeInput] = {}
        self._deleted: list[DeletedMentee] = []
        self.changes = EVERYTHING

    def do(self) -> None:
        from mentordesk.services.csv_io import IMPORTED_FIELDS

        if self._deleted:
            self.created_ids = self.service.undelete_many(self._deleted)
            self._deleted = []
        if self._updated_after:
            self.service.update_many(self._updated_after, fields=IMPORTED_FIELDS)

    def revert(self) -> None:
        from mentordesk.services.csv_io import IMPORTED_FIELDS

        # Only what an import writes is put back (it never touches resources or gaps).

        self._updated_after = self.service.inputs(list(self.updated_before))
        self._deleted = self.service.delete_many(self.created_ids)
        self.service.update_many(self.updated_before, fields=IMPORTED_FIELDS)
