"""Runs the sync engine off the GUI thread and turns its outcome into states for the UI.

One sync at a time, in a dedicated single-thread pool (the engine builds its HTTP client in
that thread). Results come back through queued signals. A background timer syncs every few
minutes, soon after local edits, and again when a rate limit or quota pause ends.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from mentordesk.errors import KnownError
from mentordesk.startup import heap
from mentordesk.storage.database import Database
from mentordesk.sync.engine import (
    SyncEngine,
    SyncPhase,
    SyncProgress,
    SyncSummary,
    resolve_conflict,
)
from mentordesk.sync.service import build_engine, load_client_modules, overview
from mentordesk.ui.context import Change, ChangeBus, ChangeNotice
from mentordesk.ui.i18n import tr
from mentordesk.ui.sync import texts
from mentordesk.ui.sync.texts import SyncView

log = logging.getLogger(__name__)

BACKGROUND_INTERVAL_MS = 5 * 60 * 1000
AFTER_EDIT_DELAY_MS = 8 * 1000
FIRST_SYNC_DELAY_MS = 3 * 1000
# States that need the user: the background timer does not retry them on its own.
_WAIT_FOR_USER = {texts.REVOKED, texts.CALENDAR_MISSING, texts.CALENDAR_CHOICE,
                  texts.MASS_DELETE, texts.NOT_CONNECTED, texts.NO_KEYRING}

EngineFactory = Callable[..., SyncEngine]

_heap_lock = threading.Lock()
_heap_frozen = False


def freeze_long_lived_heap() -> None:
    """Once per process, in the sync worker before its first engine: freeze the heap and
    the Google client stack loaded with it (``mentordesk.startup.heap``).

    A sync's allocations (the discovery document, a thousand ORM rows) used to set off a
    full collection over everything loaded (50–150 ms with the client stack): that was the
    GUI thread's stall during a sync. Later syncs do not freeze again: a freeze keeps
    whatever cyclic garbage exists at that moment.
    """
    global _heap_frozen
    with _heap_lock:
        if _heap_frozen:
            return
        _heap_frozen = True
    heap.freeze_survivors(load_client_modules)


class _Bridge(QObject):
    done = Signal(object, object)  # result, exception
    progress = Signal(object)  # SyncProgress


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], object], bridge: _Bridge) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self._fn = fn
        self._bridge = bridge

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:
            if not isinstance(exc, Exception):
                raise
            self._bridge.done.emit(None, exc)
        else:
            self._bridge.done.emit(result, None)


class SyncController(QObject):
    """The UI's handle on sync: ``sync_now()``, ``cancel()``, states as signals."""

    state_changed = Signal(object)  # SyncView
    progress_changed = Signal(str, int, int)  # phase, done, total
    sync_finished = Signal(object)  # SyncSummary, or the exception that stopped it
    data_changed = Signal()  # a pull or conflict resolution changed sessions

    def __init__(self, db: Database, *, engine_factory: EngineFactory | None = None,
                 interval_ms: int = BACKGROUND_INTERVAL_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._factory: EngineFactory = engine_factory or build_engine
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._bridge = _Bridge(self)
        self._bridge.done.connect(self._on_done)
        self._bridge.progress.connect(self._on_progress)
        self._job: _Job | None = None
        self._cancel = threading.Event()
        self._again = False
        self._view = SyncView(texts.IDLE, "Sync", "Google Calendar sync")
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._background_tick)
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.timeout.connect(self._background_tick)
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick_countdown)
        self._refresh_idle()

    # ---- public --------------------------------------------------------------------------

    @property
    def view(self) -> SyncView:
        return self._view

    @property
    def running(self) -> bool:
        return self._job is not None

    @property
    def db(self) -> Database:
        return self._db

    def start_background(self, first_delay_ms: int = FIRST_SYNC_DELAY_MS) -> None:
        self._timer.start()
        self._soon.start(first_delay_ms)

    def stop_background(self) -> None:
        self._timer.stop()
        self._soon.stop()
        self._ticker.stop()

    def schedule_soon(self, delay_ms: int = AFTER_EDIT_DELAY_MS) -> None:
        """Local sessions changed: push them shortly (edits in a row coalesce)."""
        if self._view.state not in _WAIT_FOR_USER and self._timer.isActive():
            self._soon.start(delay_ms)

    def sync_now(self, *, allow_mass_delete: bool = False) -> bool:
        """Start a sync; False when one is already running (it then runs once more)."""
        if self._job is not None:
            self._again = True
            return False
        self._soon.stop()
        self._ticker.stop()
        self._cancel = threading.Event()
        cancel = self._cancel
        bridge = self._bridge

        def work() -> SyncSummary:
            engine = self._factory(self._db, progress=bridge.progress.emit, cancel=cancel)
            return engine.run(allow_mass_delete=allow_mass_delete)

        self._start(work, SyncView(texts.SYNCING, "Syncing…", "Syncing with Google Calendar…",
                                   last_sync_at=self._view.last_sync_at,
                                   pending=self._view.pending, progress=(0, 0)))
        return True

    def recreate_calendar(self) -> bool:
        if self._job is not None:
            return False
        bridge = self._bridge

        def work() -> SyncSummary:
            engine = self._factory(self._db, progress=bridge.progress.emit,
                                   cancel=self._cancel)
            engine.recreate_calendar()
            return engine.run()

        self._cancel = threading.Event()
        self._start(work, SyncView(texts.SYNCING, "Recreating calendar…",
                                   "Creating the MentorDesk calendar again…", progress=(0, 0)))
        return True

    def cancel(self) -> None:
        self._cancel.set()

    def resolve_conflict(self, session_id: int, keep: str) -> None:
        resolve_conflict(self._db, session_id, keep)
        self.data_changed.emit()
        self._refresh_idle()
        self.schedule_soon(0)

    def refresh(self) -> None:
        """Re-read counts after a change made elsewhere (e.g. reconnecting)."""
        if self._job is None:
            self._refresh_idle()

    def shutdown(self, timeout_ms: int = 2_000) -> None:
        """Stop syncing for good (at quit): a running sync is cancelled, which aborts its
        request in flight, so this returns within about ``timeout_ms``."""
        self.stop_background()
        self._cancel.set()
        self._pool.waitForDone(timeout_ms)

    # ---- internals -----------------------------------------------------------------------

    def _start(self, work: Callable[[], object], view: SyncView) -> None:
        def job() -> object:
            freeze_long_lived_heap()
            return work()

        self._job = _Job(job, self._bridge)
        self._set_view(view)
        self._pool.start(self._job)

    def _set_view(self, view: SyncView) -> None:
        self._view = view
        self.state_changed.emit(view)

    def _counts(self) -> tuple[int, int, int, datetime | None, datetime | None]:
        info = overview(self._db)
        return (info.pending, info.conflicts, info.errors, info.last_sync_at,
                info.quota_paused_until)

    def _refresh_idle(self) -> None:
        pending, conflicts, errors, last, quota = self._counts()
        if self._view.state in _WAIT_FOR_USER | {texts.OFFLINE, texts.RATE_LIMITED,
                                                 texts.FAILED}:
            # Keep the cause on screen, with fresh numbers.
            self._set_view(_with_counts(self._view, pending))
            return
        if last is None and not conflicts and not errors and quota is None:
            self._set_view(SyncView(texts.IDLE, "Sync", "Not synced with Google Calendar yet.",
                                    pending=pending))
            return
        self._set_view(texts.describe_success(pending=pending, conflicts=conflicts,
                                              errors=errors, last_sync_at=last,
                                              quota_until=quota))

    def _on_progress(self, progress: SyncProgress) -> None:
        self.progress_changed.emit(progress.phase, progress.done, progress.total)
        if self._view.state == texts.SYNCING:
            label = {SyncPhase.PULL: "Getting changes from Google…",
                     SyncPhase.PUSH: "Sending changes to Google…"}.get(progress.phase,
                                                                     "Syncing…")
            text = "Syncing…"
            if progress.phase == SyncPhase.PUSH and progress.total:
                text = f"Syncing… {100 * progress.done // progress.total}%"
            self._set_view(SyncView(texts.SYNCING, text, label,
                                    last_sync_at=self._view.last_sync_at,
                                    pending=self._view.pending,
                                    progress=(progress.done, progress.total)))

    def _on_done(self, result: object, exc: object) -> None:
        self._job = None
        pending, conflicts, errors, last, quota = self._counts()
        if isinstance(exc, BaseException):
            if not isinstance(exc, KnownError):
                log.error("sync failed unexpectedly", exc_info=exc)
            else:
                log.info("sync stopped: %s", type(exc).__name__)
            view = texts.describe_failure(exc, pending=pending, last_sync_at=last)
            self._set_view(view)
            self.sync_finished.emit(exc)
            if view.retry_at is not None:
                self._ticker.start()
                self._tick_countdown()
        else:
            summary = result
            assert isinstance(summary, SyncSummary)
            self._set_view(texts.describe_success(pending=pending, conflicts=conflicts,
                                                  errors=errors, last_sync_at=last,
                                                  quota_until=quota))
            if summary.pulled or summary.conflicts or summary.created or summary.updated:
                self.data_changed.emit()
            self.sync_finished.emit(summary)
            if quota is not None:
                self._schedule_at(quota)
        if self._again and self._view.state not in _WAIT_FOR_USER:
            self._again = False
            self.sync_now()

    def _schedule_at(self, when: datetime) -> None:
        delay = max(0, int((when - datetime.now(UTC)).total_seconds() * 1000))
        self._soon.start(min(delay, 2**31 - 1))

    def _tick_countdown(self) -> None:
        view = self._view
        if view.state != texts.RATE_LIMITED or view.retry_at is None:
            self._ticker.stop()
            return
        left = texts.countdown(view.retry_at)
        if left <= 0:
            self._ticker.stop()
            self.sync_now()
            return
        self._set_view(SyncView(view.state, f"Google is busy — retrying in {left} s",
                                view.detail, view.action, view.action_label, view.retry_at,
                                view.last_sync_at, view.pending))

    def _background_tick(self) -> None:
        if self._job is not None or self._view.state in _WAIT_FOR_USER:
            return
        self.sync_now()


def _with_counts(view: SyncView, pending: int) -> SyncView:
    text = view.text
    if view.state == texts.OFFLINE and text.startswith("Offline"):
        text = tr("Offline — %n change(s) queued", "", pending)
    return SyncView(view.state, text, view.detail, view.action, view.action_label,
                    view.retry_at, view.last_sync_at, pending, view.progress)


def attach(controller: SyncController, bus: ChangeBus) -> None:
    """Wire the controller to the app's change bus: edits push soon, pulls refresh views."""

    def changed(notice: ChangeNotice) -> None:
        if Change.SESSIONS in notice.changes and Change.SYNC not in notice.changes:
            controller.refresh()
            controller.schedule_soon()

    bus.changed.connect(changed)
    controller.data_changed.connect(lambda: bus.notify(Change.SESSIONS | Change.SYNC))
