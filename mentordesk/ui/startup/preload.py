"""A background load started before the view that shows it exists.

At start-up the window starts the first view's query before importing and building that
view, so the query runs in a worker while the GUI thread does the imports; the view then
takes the result instead of starting its own load.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import QTimer

from mentordesk.ui.tasks import TaskControl, run_task

T = TypeVar("T")


class Preload(Generic[T]):
    def __init__(self, fn: Callable[[TaskControl], T]) -> None:
        self._done = False
        self._value: T | None = None
        self._error: BaseException | None = None
        self._waiters: list[tuple[Callable[[T], None], Callable[[BaseException], None]]] = []
        # Lambdas, not bound methods: PySide holds a bound method's object weakly, and nobody
        # else may hold this one once a view has taken it.
        run_task(fn, on_success=lambda value: self._succeeded(value),
                 on_error=lambda exc: self._failed(exc))

    def then(self, on_success: Callable[[T], None],
             on_error: Callable[[BaseException], None]) -> None:
        """Call back on the GUI thread once the load is done (never from inside this call,
        like a fresh ``run_task``)."""
        self._waiters.append((on_success, on_error))
        if self._done:
            QTimer.singleShot(0, self._deliver)

    def _succeeded(self, value: T) -> None:
        self._done, self._value = True, value
        self._deliver()

    def _failed(self, exc: BaseException) -> None:
        self._done, self._error = True, exc
        self._deliver()

    def _deliver(self) -> None:
        waiters, self._waiters = self._waiters, []
        for on_success, on_error in waiters:
            if self._error is not None:
                on_error(self._error)
            else:
                on_success(self._value)  # type: ignore[arg-type]
