"""Starting and hearing from the start-up helper process (``mentee_snapshot``).

The command line starts the helper as its very first step, so this module imports only what
the spawn needs (``select``, and what the command line has loaded): every millisecond
before the spawn is a millisecond the helper starts later. Stopping a helper imports
``signal`` then, and reading its answer imports the row types to decode it, in a worker of
the app once the window is up.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import time
from typing import TYPE_CHECKING

from mentordesk.paths import read_only_uri

if TYPE_CHECKING:
    from pathlib import Path

    from mentordesk.services.mentee_rows import Loaded

# The app waits at most this long for the helper (the database's busy timeout is 5 s: a
# locked file is the likely reason for a wait, and then the app's own read would wait too).
DEFAULT_TIMEOUT_S = 8.0
# MENTORDESK_START_HELPER=0 turns the helper off (for comparisons, or to rule it out).
SWITCH_ENV = "MENTORDESK_START_HELPER"
_CHUNK = 1 << 20
# os._exit: no interpreter clean-up of ~200,000 objects once the message is out.
_BOOT = ("import os, sys; from mentordesk.startup.snapshot import main; "
         "os._exit(main(sys.argv[1]))")


class SnapshotHelper:
    """A running helper process and the read end of its stdout."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid = pid
        self._fd: int | None = fd
        self.outcome = "running"

    @classmethod
    def start(cls, path: Path) -> SnapshotHelper | None:
        """Start the helper for the database at ``path``; None where it cannot run (no
        ``posix_spawn`` or ``select.poll``, as on Windows; a frozen app, whose executable
        is not a Python interpreter; no file yet; turned off), and then the app reads the
        list itself."""
        spawn = getattr(os, "posix_spawn", None)
        if (spawn is None or not hasattr(select, "poll") or getattr(sys, "frozen", False)
                or os.environ.get(SWITCH_ENV) == "0" or not path.is_file()):
            return None
        # The app's own import path (-S leaves out site-packages and .pth files), led by the
        # folder this package is in (an editable install finds it through a .pth hook).
        package_root = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
        roots = [os.path.abspath(package_root), *(p for p in sys.path if p)]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(roots))
        uri = read_only_uri(path)
        read_end, write_end = os.pipe()
        try:
            pid = spawn(sys.executable, [sys.executable, "-S", "-c", _BOOT, uri], env,
                        file_actions=[(os.POSIX_SPAWN_DUP2, write_end, 1),
                                      (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)])
        except OSError:
            os.close(read_end)
            return None
        finally:
            os.close(write_end)
        return cls(pid, read_end)

    def result(self, timeout: float = DEFAULT_TIMEOUT_S) -> Loaded | None:
        """The rows and the moment their health was assessed, or None if the helper had
        none to give (``outcome`` says why). Blocks (call it from a worker) at most
        ``timeout`` seconds; only the first call gets the rows."""
        fd = self._fd
        if fd is None:
            return None
        self._fd = None
        try:
            blob = _read_all(fd, timeout)
        finally:
            os.close(fd)
        if blob is None:
            self._stop()
            self.outcome = "timed out"
            return None
        self._reap()
        from mentordesk.startup.snapshot import read_message

        self.outcome, loaded = read_message(blob)
        return loaded

    def discard(self) -> None:
        """Stop the helper if nobody took its rows (the first view was another one)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)
            self._stop()
            self.outcome = "discarded"

    def _stop(self) -> None:
        import signal

        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        self._reap()

    def _reap(self) -> None:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _read_all(fd: int, timeout: float) -> bytes | None:
    """Everything until end-of-file, or None once ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP)
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        if not poller.poll(remaining * 1000):
            continue
        chunk = os.read(fd, _CHUNK)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
