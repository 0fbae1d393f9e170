"""What every view gets: the services, the shared undo stack, and change notifications.

Views never talk to each other directly. After a service call, the caller announces what
changed (``notify({"mentees"})``) and every view refreshes only what it shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QUndoStack

from mentordesk.storage.database import Database

# Kinds of change a view may care about.
MENTEES = "mentees"
GOALS = "goals"
SESSIONS = "sessions"
NOTES = "notes"
ACTIONS = "actions"
BOARD = "board"
SYNC = "sync"


class ChangeBus(QObject):
    changed = Signal(frozenset)
    # The mentee the user is looking at, shared by all views (-1 for none).
    mentee_selected = Signal(int)
    # Ask the window to show a view: "mentees", "board" or "notes".
    show_view = Signal(str)

    def notify(self, kinds: Iterable[str]) -> None:
        self.changed.emit(frozenset(kinds))


@dataclass
class AppContext:
    db: Database
    settings: QSettings
    undo_stack: QUndoStack
    bus: ChangeBus = field(default_factory=ChangeBus)
    selected_mentee_id: int | None = None
    # Loads started before their view was built (see ui/preload.py), taken by the view.
    preloads: dict[str, object] = field(default_factory=dict)

    def select_mentee(self, mentee_id: int | None) -> None:
        self.selected_mentee_id = mentee_id
        self.bus.mentee_selected.emit(-1 if mentee_id is None else mentee_id)
