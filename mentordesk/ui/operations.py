"""Every user change goes through here (Anki's ``CollectionOp`` is the model).

An ``Op`` runs one service call (on the GUI thread, or off it with ``run_in_background`` when
it can be slow). When the call succeeds, its undo entry is pushed and the change is announced
on the bus; when it fails with a ``KnownError`` the message is shown and nothing is pushed::

    Op(context, self, lambda: service.archive(mentee_id), changes=Change.MENTEES) \\
        .undo(lambda _result: ArchiveCommand(...)) \\
        .success(lambda _result: self.select(mentee_id)) \\
        .run()

Undo entries subclass ``OpCommand``: the change already happened when the entry is pushed,
so the redo Qt runs on push is skipped; later redo/undo replay ``do``/``revert`` the same
way (error shown, change announced).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QWidget

from mentordesk.errors import KnownError
from mentordesk.ui.context import AppContext, Change
from mentordesk.ui.errors import show_failure, show_known_error
from mentordesk.ui.tasks import TaskControl, run_task

log = logging.getLogger(__name__)

T = TypeVar("T")


class Op(Generic[T]):
    """One user change: run it, then push its undo entry and announce it, or show why not."""

    def __init__(self, context: AppContext, parent: QWidget | None, run: Callable[[], T], *,
                 changes: Change | Callable[[T], Change] = Change.NONE,
                 origin: object | None = None) -> None:
        self.context = context
        self.parent = parent
        self._run = run
        self._changes = changes
        self._origin = origin
        self._undo: Callable[[T], QUndoCommand | None] | None = None
        self._macro = ""
        self._success: list[Callable[[T], object]] = []
        self._failure: list[Callable[[KnownError], object]] = []

    def undo(self, make: Callable[[T], QUndoCommand | None], *, macro: str = "") -> Op[T]:
        """The undo entry for the result (None: nothing to undo). With ``macro``, the entry
        and whatever the success callbacks push form one undo step."""
        self._undo, self._macro = make, macro
        return self

    def success(self, fn: Callable[[T], object]) -> Op[T]:
        self._success.append(fn)
        return self

    def failure(self, fn: Callable[[KnownError], object]) -> Op[T]:
        """Called after the error was shown (e.g. to reload what may be half-changed)."""
        self._failure.append(fn)
        return self

    def run(self) -> bool:
        """Run on the GUI thread; True when the change was made."""
        try:
            result = self._run()
        except KnownError as exc:
            self._failed(exc)
            return False
        self._succeeded(result)
        return True

    def run_in_background(self) -> None:
        """Run in the thread pool; the undo entry, notice and callbacks follow on the GUI
        thread. A bug (not a KnownError) is reported as one."""
        run = self._run

        def work(_control: TaskControl) -> T:
            return run()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, KnownError):
                self._failed(exc)
            else:
                show_failure(self.parent, exc)

        run_task(work, on_success=self._succeeded, on_error=failed)

    def _failed(self, exc: KnownError) -> None:
        show_known_error(self.parent, exc)
        for fn in self._failure:
            fn(exc)

    def _succeeded(self, result: T) -> None:
        changes = self._changes(result) if callable(self._changes) else self._changes
        self.context.bus.notify(changes, self._origin)
        command = self._undo(result) if self._undo is not None else None
        stack = self.context.undo_stack
        if command is not None and self._macro:
            stack.beginMacro(self._macro)
            try:
                stack.push(command)
                self._call_success(result)
            finally:
                stack.endMacro()
            return
        if command is not None:
            stack.push(command)
        self._call_success(result)

    def _call_success(self, result: T) -> None:
        for fn in self._success:
            fn(result)


class OpCommand(QUndoCommand):
    """The undo entry of an ``Op`` that already ran.

    ``QUndoStack.push`` calls ``redo`` once: that first call is skipped. Afterwards ``redo``
    runs ``do`` and ``undo`` runs ``revert``; a ``KnownError`` is shown and passed to
    ``replay_failed``, and the change is announced either way (a half-done replay shows).
    """

    def __init__(self, context: AppContext, text: str, changes: Change, *,
                 parent: QWidget | None = None, origin: object | None = None) -> None:
        super().__init__(text)
        self.context = context
        self.changes = changes
        self.parent_widget = parent
        self.origin = origin
        self._pushed = False

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True
            return
        self._replay(self.do)

    def undo(self) -> None:
        self._replay(self.revert)

    def _replay(self, fn: Callable[[], object]) -> None:
        try:
            fn()
        except KnownError as exc:
            show_known_error(self.parent_widget, exc)
            self.replay_failed(exc)
        self.context.bus.notify(self.changes, self.origin)

    def replay_failed(self, exc: KnownError) -> None:
        """An undo or redo failed (the error was shown)."""

    def do(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError


def run_command(command: OpCommand, parent: QWidget | None = None) -> bool:
    """Run an undo entry's ``do`` as the operation itself (the usual case: the change and
    its redo are the same call); True when it was made and pushed."""
    return (Op(command.context, parent or command.parent_widget, command.do,
               changes=lambda _none: command.changes, origin=command.origin)
            .undo(lambda _none: command)
            .run())
