"""Cross-process locks on one database file: one app per file, one sync per file.

Each lock is an advisory lock on a small file next to the database, ``<name>.<kind>-lock``
(``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows). The kernel drops it when its
holder exits, however it exits (kill -9 included): no lock outlives its process, so there
is nothing stale to clean up and the lock files themselves are never deleted (deleting a
lock file while another process waits on it would let two holders in).

The path is resolved first, so a symlink and its target share one lock. When the
database's folder cannot take the lock file (a read-only mount), the lock lives in a
private folder in the temporary directory instead, named by a hash of the resolved path.

Two kinds are used:

* ``app_lock``: held by the desktop app for as long as it has the file open;
  ``mentordesk restore`` takes it too, so a restore and the app never overlap.
* ``sync_lock``: held for one sync run, by the app's sync worker and ``mentordesk sync``
  alike, so two syncs of one file never run at once.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from mentordesk.errors import KnownError

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

APP = "app"
SYNC = "sync"
POLL_SECONDS = 0.05
# How long a second sync waits for the running one before giving up.
SYNC_WAIT_SECONDS = 2.0


class SyncAlreadyRunning(KnownError):
    """Another process (or the app's own worker) is syncing this file right now."""


class FileInUse(KnownError):
    """The desktop app has this file open (or is being started on it)."""


def resolved(db_path: Path) -> Path:
    return Path(db_path).expanduser().resolve()


def path_key(db_path: Path) -> str:
    """A short stable name for the resolved file (for lock and socket names)."""
    return hashlib.sha256(str(resolved(db_path)).encode("utf-8", "surrogatepass")).hexdigest()[:20]


def lock_path(db_path: Path, kind: str) -> Path:
    path = resolved(db_path)
    return path.with_name(f"{path.name}.{kind}-lock")


def _fallback_lock_path(db_path: Path, kind: str) -> Path:
    uid = os.getuid() if hasattr(os, "getuid") else 0
    folder = Path(tempfile.gettempdir()) / f"mentordesk-locks-{uid}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder / f"{path_key(db_path)}.{kind}-lock"


def _open_lock_file(path: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    return os.open(path, flags, 0o600)


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return False
        raise
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        os.lseek(fd, 0, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)


class FileLock:
    """One exclusive lock of ``kind`` on the database at ``db_path``."""

    def __init__(self, db_path: Path, kind: str) -> None:
        self.db_path = resolved(db_path)
        self.kind = kind
        self.path = lock_path(self.db_path, kind)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def _open(self) -> int:
        if self.db_path.exists() and not self.db_path.is_file():
            # Not a database file (a device, a folder): never create files next to it.
            self.path = _fallback_lock_path(self.db_path, self.kind)
        try:
            return _open_lock_file(self.path)
        except OSError as exc:
            if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOENT):
                raise
            self.path = _fallback_lock_path(self.db_path, self.kind)
            return _open_lock_file(self.path)

    def acquire(self, timeout: float = 0.0) -> bool:
        """Take the lock, waiting up to ``timeout`` seconds; False if someone else holds it."""
        if self._fd is not None:
            return True
        fd = self._open()
        deadline = time.monotonic() + max(0.0, timeout)
        try:
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(POLL_SECONDS)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            _unlock(fd)
            os.close(fd)

    def __enter__(self) -> FileLock:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def is_locked(db_path: Path, kind: str) -> bool:
    """Whether another holder has ``kind`` on this file right now (a probe: it takes the
    lock for an instant when it is free)."""
    probe = FileLock(db_path, kind)
    if probe.acquire(0.0):
        probe.release()
        return False
    return True


@contextlib.contextmanager
def sync_lock(db_path: Path, *, wait: float = SYNC_WAIT_SECONDS) -> Iterator[FileLock]:
    """Hold the file's sync lock for the block; raise ``SyncAlreadyRunning`` when another
    sync still holds it after ``wait`` seconds."""
    lock = FileLock(db_path, SYNC)
    if not lock.acquire(wait):
        raise SyncAlreadyRunning(
            f"A sync of {lock.db_path.name} is already running.",
            hint="It finishes on its own; this one was skipped (nothing was changed).")
    try:
        yield lock
    finally:
        lock.release()


def try_app_lock(db_path: Path) -> FileLock | None:
    """The app lock if it is free (the caller keeps it while it has the file open)."""
    lock = FileLock(db_path, APP)
    return lock if lock.acquire(0.0) else None


@contextlib.contextmanager
def exclusive_use(db_path: Path) -> Iterator[FileLock]:
    """Hold the app lock for the block (``mentordesk restore``): refuse while the desktop
    app has the file open, and keep it from opening the file meanwhile."""
    lock = try_app_lock(db_path)
    if lock is None:
        raise FileInUse(
            f"MentorDesk is open on {resolved(db_path)}.",
            hint="Use File ▸ Restore from Backup… in the app, or quit it and run this again.")
    try:
        yield lock
    finally:
        lock.release()
