"""Running work off the GUI thread.

``run_task`` hands a plain function to the global QThreadPool; the result, error or progress
comes back as signals that Qt delivers on the GUI thread (queued connections), so callbacks
may touch widgets. Functions get a ``TaskControl`` to report progress and check for cancel.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from mentordesk.ui.errors import report_exception

log = logging.getLogger(__name__)

T = TypeVar("T")


class Cancelled(Exception):
    """Raised inside a task when the user cancelled it."""


class TaskControl:
    def __init__(self, signals: _TaskSignals) -> None:
        self._signals = signals
        self._cancel = threading.Event()

    def progress(self, done: int, total: int, message: str = "") -> None:
        self._signals.progress.emit(done, total, message)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()


class _TaskSignals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)
    progress = Signal(int, int, str)
    finished = Signal()


class Task(QRunnable, Generic[T]):
    def __init__(self, fn: Callable[[TaskControl], T]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.signals = _TaskSignals()
        self.control = TaskControl(self.signals)
        self._fn = fn

    def run(self) -> None:
        try:
            result = self._fn(self.control)
        except Cancelled as exc:
            self._emit(self.signals.failed, exc)
        except Exception as exc:
            log.debug("background task failed", exc_info=True)
            self._emit(self.signals.failed, exc)
        else:
            self._emit(self.signals.succeeded, result)
        finally:
            self._emit(self.signals.finished)

    @staticmethod
    def _emit(signal: Any, *args: object) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:
            # The app quit while this ran (start-up housekeeping still going): nobody is
            # left to tell, and that is not an error.
            log.debug("task finished after the app quit")


_RUNNING: set[Task[Any]] = set()


def run_task(
    fn: Callable[[TaskControl], T],
    *,
    on_success: Callable[[T], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
    pool: QThreadPool | None = None,
) -> Task[T]:
    """Start ``fn`` in the thread pool; callbacks run on the GUI thread."""
    task: Task[T] = Task(fn)
    if on_success is not None:
        task.signals.succeeded.connect(_unless_gone(on_success))
    if on_error is not None:
        task.signals.failed.connect(_unless_gone(on_error))
    else:
        task.signals.failed.connect(_log_unhandled)
    if on_progress is not None:
        task.signals.progress.connect(_unless_gone(on_progress))
    # Keep a Python reference until done: the pool does not own a non-autodelete runnable.
    _RUNNING.add(task)
    task.signals.finished.connect(lambda: _RUNNING.discard(task))
    (pool or QThreadPool.globalInstance()).start(task)
    return task


def _unless_gone(callback: Callable[..., None]) -> Callable[..., None]:
    """Deliver a result unless the widgets it was meant for have been deleted meanwhile.

    Callbacks are often closures over a view; Qt cannot tell they belong to it, so a result
    arriving after the window closed would touch a deleted C++ object. Nobody is left to
    show it to: drop it. Any other error still propagates.
    """

    def deliver(*args: Any) -> None:
        try:
            callback(*args)
        except RuntimeError as exc:
            if "already deleted" not in str(exc):
                raise
            log.debug("a background result arrived after its window closed: dropped")

    return deliver


def _log_unhandled(exc: BaseException) -> None:
    if not isinstance(exc, Cancelled):
        report_exception(type(exc), exc, exc.__traceback__)
