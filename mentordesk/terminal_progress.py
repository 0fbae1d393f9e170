"""Progress of long command-line work (a big import) on one terminal line.

The line is rewritten in place at most ten times a second and cleared at the end. When the
stream is not a terminal (a pipe, cron's mail, a log file) nothing is written: the command's
output stays what a script expects.
"""

from __future__ import annotations

import time
from typing import TextIO

_EVERY_S = 0.1


class TerminalProgress:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        try:
            self.live = stream.isatty()
        except (OSError, ValueError):
            self.live = False
        self._last_time = 0.0
        self._last_what = ""
        self._shown = False

    def __call__(self, done: int, total: int, what: str) -> None:
        if not self.live:
            return
        now = time.monotonic()
        if what == self._last_what and now - self._last_time < _EVERY_S:
            return
        self._last_time, self._last_what = now, what
        share = f" {100 * done // total}%" if total > 1 else ""
        self._write(f"\r\x1b[K{what}{share}")
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            self._write("\r\x1b[K")
            self._shown = False

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):
            self.live = False
