"""Team replication in the window: the replication worker runs in its own thread for as long
as the desk is a mentor in a team, woken by the server's notifications and by local edits;
its rounds come back as states for the Team button.

The desk stays local-first: views keep reading the local file, and every edit is saved
locally first (the outbox row is written in the edit's transaction). The worker only moves
those rows, so it never holds up typing; offline it waits and retries.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from mentordesk.errors import KnownError
from mentordesk.storage import team_local
from mentordesk.storage.database import Database
from mentordesk.team.errors import TeamOffline
from mentordesk.team.membership import membership, replicator_for
from mentordesk.team.replicator import RoundSummary
from mentordesk.ui.i18n import tr

log = logging.getLogger(__name__)

OFF = "off"  # not in a team
ONLINE = "online"
OFFLINE = "offline"
FAILED = "failed"
COORDINATOR = "coordinator"


@dataclass(frozen=True)
class TeamView:
    state: str
    text: str  # short: the toolbar button
    detail: str  # longer: the tooltip
    waiting: int = 0


class _Bridge(QObject):
    round_done = Signal(object)  # RoundSummary or TeamError
    stopped = Signal(object)  # None, or the exception that ended the worker


class _Worker(QRunnable):
    def __init__(self, db: Database, stop: threading.Event, wake: threading.Event,
                 bridge: _Bridge) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self._db, self._stop, self._wake, self._bridge = db, stop, wake, bridge

    def run(self) -> None:
        try:
            replicator, _m = replicator_for(self._db)
        except Exception as exc:
            self._bridge.stopped.emit(exc)
            return
        try:
            replicator.run(self._stop, wake=self._wake, poll=0.25,
                           on_round=self._bridge.round_done.emit)
        except Exception as exc:
            log.error("team replication stopped", exc_info=exc)
            self._bridge.stopped.emit(exc)
            return
        finally:
            replicator.engine.dispose()
        self._bridge.stopped.emit(None)


class TeamController(QObject):
    """Starts and stops the replication worker; ``state_changed`` carries a TeamView."""

    state_changed = Signal(object)
    data_changed = Signal()  # a round brought other desks' changes in

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._bridge = _Bridge(self)
        self._bridge.round_done.connect(self._on_round)
        self._bridge.stopped.connect(self._on_stopped)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._worker: _Worker | None = None
        self.kind: str | None = None
        self._view = TeamView(OFF, "", "Not in a team.")

    @property
    def db(self) -> Database:
        return self._db

    @property
    def view(self) -> TeamView:
        return self._view

    @property
    def running(self) -> bool:
        return self._worker is not None

    def start(self) -> None:
        """Start replicating if this desk is a mentor in a team (a no-op otherwise)."""
        m = membership(self._db)
        self.kind = m.kind if m is not None else None
        if m is None:
            self._set(TeamView(OFF, "", "Not in a team."))
            return
        if m.kind == COORDINATOR:
            self._set(TeamView(COORDINATOR, "Team: coordinator",
                               f"Coordinator of the program on {m.address.label()}."))
            return
        if self._worker is not None:
            return
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._worker = _Worker(self._db, self._stop, self._wake, self._bridge)
        self._set(TeamView(ONLINE, "Team: connecting…",
                           f"Connecting to {m.address.label()}…", self._waiting()))
        self._pool.start(self._worker)

    def wake(self) -> None:
        """Local edits were saved: push them now rather than at the next poll."""
        self._wake.set()

    def stop(self, timeout_ms: int = 2_000) -> None:
        self._stop.set()
        self._wake.set()
        self._pool.waitForDone(timeout_ms)

    def restart(self) -> None:
        self.stop()
        self._worker = None
        self.start()

    def _waiting(self) -> int:
        if self._db.closed:
            return 0
        with self._db.reader() as s:
            return team_local.pending_count(s)

    def _set(self, view: TeamView) -> None:
        self._view = view
        self.state_changed.emit(view)

    def _on_round(self, result: object) -> None:
        if self._stop.is_set() or self._db.closed:
            return  # a round that finished while the window was closing
        waiting = result.pending if isinstance(result, RoundSummary) else self._waiting()
        if isinstance(result, RoundSummary):
            self._set(TeamView(ONLINE, "Team: online" if not waiting
                               else f"Team: {waiting} waiting",
                               f"Team sync: {result.line()}.", waiting))
            if result.pulled or result.removed or result.conflicts:
                self.data_changed.emit()
        elif isinstance(result, TeamOffline):
            self._set(TeamView(OFFLINE, tr("Team: offline, %n change(s) waiting", "", waiting),
                               f"{result} Everything keeps working here; it catches up "
                               "when the server is back.", waiting))
        elif isinstance(result, KnownError):
            self._set(TeamView(FAILED, "Team: needs attention", str(result), waiting))

    def _on_stopped(self, exc: object) -> None:
        self._worker = None
        if self._db.closed:
            return
        if isinstance(exc, KnownError):
            self._set(TeamView(FAILED, "Team: needs attention", str(exc), self._waiting()))
        elif isinstance(exc, Exception):
            self._set(TeamView(FAILED, "Team: stopped",
                               f"Team replication stopped ({type(exc).__name__}); details "
                               "are in the log. Your edits are kept and wait here.",
                               self._waiting()))
