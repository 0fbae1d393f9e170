"""How long the GUI thread's event loop went without a turn: a fast QTimer records the
time between its ticks while some work runs elsewhere."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer


class EventLoopGaps:
    def __init__(self, interval_ms: int = 5) -> None:
        self.interval_ms = interval_ms
        self.gaps: list[float] = []
        self._last = 0.0
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @property
    def max_stall_ms(self) -> float:
        """The longest gap beyond the timer's own period (which is not a stall)."""
        if not self.gaps:
            return 0.0
        return max(0.0, (max(self.gaps) - self.interval_ms / 1000) * 1000)
