"""Board edits: service calls, the in-place model update that follows, and undo commands.

Each user action is an ``Op`` (ui/operations.py): its undo entry is pushed only when the
database took it, so a failed save (locked file, disk full) never leaves a command on the
stack that did nothing. Undo and redo call the same primitives.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from mentordesk.errors import KnownError
from mentordesk.services import goals
from mentordesk.services.goals import ColumnInfo, GoalDraft, GoalSnapshot, Placement
from mentordesk.ui.board.models import Board
from mentordesk.ui.context import AppContext, Change
from mentordesk.ui.i18n import tr
from mentordesk.ui.operations import Op, OpCommand

log = logging.getLogger(__name__)

# What every board edit announces (the board itself skips its own notices: it has updated
# its models in place already).
CHANGES = Change.GOALS | Change.BOARD


class BoardController(QObject):
    # A goal was moved, created, restored or edited: the view selects and shows it.
    goal_touched = Signal(int)
    # Something failed half-way (e.g. undo on a locked file): reload from the database.
    reload_requested = Signal()

    def __init__(self, context: AppContext, parent_widget: QWidget | None = None) -> None:
        super().__init__(parent_widget)
        self.context = context
        self._widget = parent_widget
        self.board = Board(self.drop, self)

    # -- primitives: service call + model update (used by commands) -------------------
    def apply_move(self, goal_id: int, column_id: int, before_id: int | None,
                   completed_at: datetime | None = None) -> goals.MoveResult:
        result = goals.move_goal(self.context.db, goal_id, column_id, before_id,
                                 completed_at=completed_at)
        located = self.board.locate(goal_id)
        if located is not None:
            card = replace(located[0].card(located[1]), column_id=result.column_id,
                           completed_at=result.completed_at)
            self.board.place(card, before_id)
        else:
            fresh = goals.load_cards(self.context.db, [goal_id]).get(goal_id)
            if fresh is not None:
                self.board.place(fresh, before_id)
        self.goal_touched.emit(goal_id)
        return result

    def apply_save(self, goal_id: int, draft: GoalDraft) -> None:
        goals.save_goal(self.context.db, goal_id, draft)
        self._refresh_cards([goal_id])
        self.goal_touched.emit(goal_id)

    def apply_delete(self, goal_id: int) -> GoalSnapshot:
        snapshot = goals.delete_goal(self.context.db, goal_id)
        self.board.remove(goal_id)
        return snapshot

    def apply_restore(self, snapshot: GoalSnapshot) -> None:
        goals.restore_goal(self.context.db, snapshot)
        self._show_new(snapshot.id, snapshot.placement.before_id)

    def apply_add_column(self, name: str, column_id: int | None = None,
                         position: int | None = None) -> ColumnInfo:
        info = goals.add_column(self.context.db, name, column_id=column_id, position=position)
        self._reload_columns()
        return info

    def apply_rename_column(self, column_id: int, name: str) -> str:
        old = goals.rename_column(self.context.db, column_id, name)
        self.board.rename_column(column_id, " ".join(name.split()))
        return old

    def apply_delete_column(self, column_id: int) -> ColumnInfo:
        info = goals.delete_column(self.context.db, column_id)
        self._reload_columns()
        return info

    def _reload_columns(self) -> None:
        self.board.set_columns(goals.load_board(self.context.db).columns)

    def _refresh_cards(self, goal_ids: list[int]) -> None:
        for card in goals.load_cards(self.context.db, goal_ids).values():
            self.board.update(card)

    def _show_new(self, goal_id: int, before_id: int | None) -> None:
        cards = goals.load_cards(self.context.db, [goal_id])
        if goal_id in cards:
            self.board.place(cards[goal_id], before_id)
        self.goal_touched.emit(goal_id)

    # -- user actions ------------------------------------------------------------------
    def drop(self, goal_ids: list[int], column_id: int, before_id: int | None) -> None:
        """Cards dropped on a column: one undoable step, however many cards."""
        moving = [g for g in goal_ids if g != before_id]
        if not moving:
            return
        stack = self.context.undo_stack
        if len(moving) > 1:
            stack.beginMacro(tr("Move %n goal(s)", "", len(moving)))
        try:
            for goal_id in moving:
                self.move(goal_id, column_id, before_id)
        finally:
            if len(moving) > 1:
                stack.endMacro()

    def move(self, goal_id: int, column_id: int, before_id: int | None) -> bool:
        """Move a goal (undoably). Returns False when nothing changed or it failed."""
        located = self.board.locate(goal_id)
        if located is not None and located[0].column.id == column_id:
            model, row = located
            current_next = model.card(row + 1).id if row + 1 < model.rowCount() else None
            if before_id in (goal_id, current_next):
                return False
        moved = False

        def entry(result: goals.MoveResult) -> MoveGoalCommand | None:
            nonlocal moved
            if not result.moved and result.completed_at == result.previous_completed_at:
                return None
            moved = True
            target = next((c.name for c in self.board.columns if c.id == column_id), "")
            located = self.board.locate(goal_id)
            title = located[0].card(located[1]).title if located is not None else "goal"
            return MoveGoalCommand(self, goal_id, Placement(column_id, before_id), result,
                                   f"Move “{_short(title)}” to {target}")

        (Op(self.context, self._widget, lambda: self.apply_move(goal_id, column_id, before_id),
            changes=CHANGES, origin=self)
         .undo(entry)
         .failure(lambda _exc: self.reload_requested.emit())
         .run())
        return moved

    def create(self, mentee_id: int, draft: GoalDraft, column_id: int | None) -> int | None:
        def run() -> int:
            goal_id = goals.create_goal(self.context.db, mentee_id, draft, column_id)
            self._show_new(goal_id, None)
            return goal_id

        created: list[int] = []
        (Op(self.context, self._widget, run, changes=CHANGES, origin=self)
         .undo(lambda goal_id: CreateGoalCommand(self, goal_id,
                                                 f"Add goal “{_short(draft.title)}”"))
         .success(created.append)
         .run())
        return created[0] if created else None

    def save(self, goal_id: int, before: GoalDraft, after: GoalDraft,
             move_to: int | None = None) -> bool:
        """Save the editor's draft, and move the goal to ``move_to`` too, as one step."""

        def run() -> GoalDraft:
            self.apply_save(goal_id, after)
            # Read back what was stored (new milestones now have ids) so redo is exact.
            return goals.get_goal(self.context.db, goal_id).draft

        return (Op(self.context, self._widget, run, changes=CHANGES, origin=self)
                .undo(lambda stored: EditGoalCommand(self, goal_id, before, stored),
                      macro=f"Edit goal “{_short(after.title)}”")
                .success(lambda _stored: move_to is not None
                         and self.move(goal_id, move_to, None))
                .run())

    def delete(self, goal_id: int, title: str) -> bool:
        return (Op(self.context, self._widget, lambda: self.apply_delete(goal_id),
                   changes=CHANGES, origin=self)
                .undo(lambda snapshot: DeleteGoalCommand(self, snapshot,
                                                         f"Delete goal “{_short(title)}”"))
                .run())

    def add_column(self, name: str) -> ColumnInfo | None:
        added: list[ColumnInfo] = []
        (Op(self.context, self._widget, lambda: self.apply_add_column(name), changes=CHANGES,
            origin=self)
         .undo(lambda info: AddColumnCommand(self, info))
         .success(added.append)
         .run())
        return added[0] if added else None

    def rename_column(self, column_id: int, name: str) -> bool:
        return (Op(self.context, self._widget, lambda: self.apply_rename_column(column_id, name),
                   changes=CHANGES, origin=self)
                .undo(lambda old: RenameColumnCommand(self, column_id, old, name))
                .run())

    def delete_column(self, column_id: int) -> bool:
        return (Op(self.context, self._widget, lambda: self.apply_delete_column(column_id),
                   changes=CHANGES, origin=self)
                .undo(lambda info: DeleteColumnCommand(self, info))
                .run())


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _BoardCommand(OpCommand):
    """A board edit's undo entry; a failed undo or redo reloads the board."""

    def __init__(self, controller: BoardController, text: str) -> None:
        super().__init__(controller.context, text, CHANGES, parent=controller._widget,
                         origin=controller)
        self.controller = controller

    def replay_failed(self, exc: KnownError) -> None:
        self.controller.reload_requested.emit()


class MoveGoalCommand(_BoardCommand):
    def __init__(self, controller: BoardController, goal_id: int, target: Placement,
                 result: goals.MoveResult, text: str) -> None:
        super().__init__(controller, text)
        self.goal_id = goal_id
        self.target = target
        self.previous = result.previous
        self.previous_completed_at = result.previous_completed_at
        self.completed_at = result.completed_at

    def do(self) -> None:
        self.controller.apply_move(self.goal_id, self.target.column_id, self.target.before_id,
                                   self.completed_at)

    def revert(self) -> None:
        self.controller.apply_move(self.goal_id, self.previous.column_id,
                                   self.previous.before_id, self.previous_completed_at)


class EditGoalCommand(_BoardCommand):
    def __init__(self, controller: BoardController, goal_id: int, before: GoalDraft,
                 after: GoalDraft) -> None:
        super().__init__(controller, f"Edit goal “{_short(after.title)}”")
        self.goal_id = goal_id
        self.before = before
        self.after = after

    def do(self) -> None:
        self.controller.apply_save(self.goal_id, self.after)

    def revert(self) -> None:
        self.controller.apply_save(self.goal_id, self.before)


class CreateGoalCommand(_BoardCommand):
    def __init__(self, controller: BoardController, goal_id: int, text: str) -> None:
        super().__init__(controller, text)
        self.goal_id = goal_id
        self.snapshot: GoalSnapshot | None = None

    def do(self) -> None:
        if self.snapshot is not None:
            self.controller.apply_restore(self.snapshot)

    def revert(self) -> None:
        self.snapshot = self.controller.apply_delete(self.goal_id)


class DeleteGoalCommand(_BoardCommand):
    def __init__(self, controller: BoardController, snapshot: GoalSnapshot, text: str) -> None:
        super().__init__(controller, text)
        self.snapshot = snapshot

    def do(self) -> None:
        self.snapshot = self.controller.apply_delete(self.snapshot.id)

    def revert(self) -> None:
        self.controller.apply_restore(self.snapshot)


class AddColumnCommand(_BoardCommand):
    def __init__(self, controller: BoardController, info: ColumnInfo) -> None:
        super().__init__(controller, f"Add column “{info.name}”")
        self.info = info

    def do(self) -> None:
        self.controller.apply_add_column(self.info.name, self.info.id, self.info.position)

    def revert(self) -> None:
        self.controller.apply_delete_column(self.info.id)


class RenameColumnCommand(_BoardCommand):
    def __init__(self, controller: BoardController, column_id: int, old: str,
                 new: str) -> None:
        super().__init__(controller, f"Rename column “{old}” to “{new}”")
        self.column_id = column_id
        self.old = old
        self.new = new

    def do(self) -> None:
        self.controller.apply_rename_column(self.column_id, self.new)

    def revert(self) -> None:
        self.controller.apply_rename_column(self.column_id, self.old)


class DeleteColumnCommand(_BoardCommand):
    def __init__(self, controller: BoardController, info: ColumnInfo) -> None:
        super().__init__(controller, f"Delete column “{info.name}”")
        self.info = info

    def do(self) -> None:
        self.controller.apply_delete_column(self.info.id)

    def revert(self) -> None:
        self.controller.apply_add_column(self.info.name, self.info.id, self.info.position)
