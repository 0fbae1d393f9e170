"""What every view gets: the services, the shared undo stack, and change notices.

Views never talk to each other directly. After a user change, ``ui/operations.py`` announces
what changed (``bus.notify(Change.MENTEES)``) and every view refreshes only what it shows.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QUndoStack

from mentordesk.storage.database import Database


class Change(enum.Flag):
    """Kinds of change a view may care about; combine them with ``|``."""

    NONE = 0
    MENTEES = enum.auto()
    GOALS = enum.auto()
    SESSIONS = enum.auto()
    NOTES = enum.auto()
    ACTIONS = enum.auto()
    BOARD = enum.auto()
    SYNC = enum.auto()


# Deleting, restoring or importing mentees touches every view's data.
EVERYTHING = Change.MENTEES | Change.GOALS | Change.SESSIONS | Change.NOTES | Change.ACTIONS


@dataclass(frozen=True)
class ChangeNotice:
    """What one change touched, and who made it (a view may skip its own changes)."""

    changes: Change
    origin: object | None = None


class ChangeBus(QObject):
    # Carries a ChangeNotice.
    changed = Signal(object)
    # The mentee the user is looking at, shared by all views (-1 for none).
    mentee_selected = Signal(int)
    # Ask the window to show a view: "mentees", "board" or "notes".
    show_view = Signal(str)

    def notify(self, changes: Change, origin: object | None = None) -> None:
        if changes:
            self.changed.emit(ChangeNotice(changes, origin))


@dataclass
class AppContext:
    db: Database
    settings: QSettings
    undo_stack: QUndoStack
    bus: ChangeBus = field(default_factory=ChangeBus)
    selected_mentee_id: int | None = None
    # Loads started before their view was built (see ui/startup/preload.py), taken by the view.
    preloads: dict[str, object] = field(default_factory=dict)

    def select_mentee(self, mentee_id: int | None) -> None:
        self.selected_mentee_id = mentee_id
        self.bus.mentee_selected.emit(-1 if mentee_id is None else mentee_id)
