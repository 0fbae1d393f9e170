"""Backups through SQLite's online backup API.

A plain file copy of a live database can miss committed transactions that still sit in the
``-wal`` file; the backup API copies a consistent snapshot. Every backup is opened and checked
before older ones are rotated out, so a bad backup can never push out the last good one.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mentordesk.errors import DatabaseOpenError
from mentordesk.paths import backup_dir_for, private_dir

# storage.database imports this module (its open checks offer these backups): its file
# check is imported inside the restore that uses it, which breaks the cycle.

KEEP_BACKUPS = 10
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}T\d{6}\d{6}Z)-(?P<reason>[a-z-]+)\.sqlite3$")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime
    reason: str


class BackupError(Exception):
    pass


def _create_private_file(path: Path) -> None:
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _same_owner_as(db_path: Path, made: list[Path]) -> None:
    """Run as root on another user's file (through a symlink, say), what we make beside it
    belongs to that user, not to root."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    info = db_path.stat()
    if info.st_uid == 0:
        return
    for path in made:
        with contextlib.suppress(OSError):
            os.chown(path, info.st_uid, info.st_gid)


def check_file(path: Path, *, uri: str | None = None) -> list[str]:
    """Return SQLite's complaints about ``path`` (empty when it is sound); ``uri`` opens it
    otherwise than ``mode=ro`` (``immutable=1`` on a read-only disk)."""
    try:
        conn = sqlite3.connect(uri or f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return [str(exc)]
    # A damaged page can put arbitrary bytes into SQLite's complaint: never fail to decode it.
    conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()
    messages = [str(r[0]) for r in rows]
    return [] if messages == ["ok"] else messages


def list_backups(db_path: Path) -> list[BackupInfo]:
    """Backups of ``db_path``, newest first."""
    folder = backup_dir_for(db_path)
    if not folder.is_dir():
        return []
    found: list[BackupInfo] = []
    names = {db_path.name}
    if _owns_legacy_names(db_path):
        names.add(db_path.stem)
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if not match or match["stem"] not in names:
            continue
        stamp = datetime.strptime(match["stamp"], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
        found.append(BackupInfo(entry, stamp, match["reason"]))
    found.sort(key=lambda b: b.taken_at, reverse=True)
    return found


_DB_SUFFIXES = (".sqlite3", ".sqlite", ".db", ".db3")


def _owns_legacy_names(db_path: Path) -> bool:
    """Backups used to be named by the file's stem, so ``a.db`` and ``a.sqlite3`` in one
    folder shared names (rotating one deleted the other's). They are named by the whole
    file name now; the old names still count for ``<stem>.sqlite3`` (the default name), or
    for a file that has no namesake in its folder."""
    if db_path.suffix == ".sqlite3" or db_path.name == db_path.stem:
        return True
    return not any(db_path.with_name(db_path.stem + suffix).exists()
                   for suffix in _DB_SUFFIXES if suffix != db_path.suffix)


def backup_due(db_path: Path, *, max_age: timedelta = timedelta(days=1)) -> bool:
    backups = list_backups(db_path)
    return not backups or datetime.now(UTC) - backups[0].taken_at > max_age


def create_backup(db_path: Path, *, reason: str = "manual", keep: int = KEEP_BACKUPS) -> Path:
    """Snapshot ``db_path`` into its backup folder, verify it, then rotate old ones out."""
    folder_existed = backup_dir_for(db_path).is_dir()
    folder = private_dir(backup_dir_for(db_path))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{db_path.name}-{stamp}-{reason}.sqlite3"
    _create_private_file(target)
    _same_owner_as(db_path, [target] if folder_existed else [folder, target])
    try:
        source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            dest = sqlite3.connect(target)
            try:
                source.backup(dest)
                # A backup must stand alone: no WAL sidecar to lose when it is copied elsewhere.
                dest.execute("PRAGMA journal_mode=DELETE")
            finally:
                dest.close()
        finally:
            source.close()
        problems = check_file(target)
        if problems:
            raise BackupError(f"the new backup failed its check: {problems[0]}")
    except (sqlite3.Error, BackupError, OSError) as exc:
        with contextlib.suppress(OSError):
            target.unlink()
        raise BackupError(f"Could not back up {db_path}: {exc}") from exc
    _rotate(db_path, keep)
    return target


def _rotate(db_path: Path, keep: int) -> None:
    for old in list_backups(db_path)[keep:]:
        with contextlib.suppress(OSError):
            old.path.unlink()


SIDECARS = ("-wal", "-shm", "-journal")


def _reserve(path: Path) -> bool:
    """Create ``path`` empty and owner-only; False if the name is taken (never overwrites)."""
    try:
        _create_private_file(path)
    except FileExistsError:
        return False
    return True


def set_aside(path: Path, label: str = "replaced") -> Path:
    """Move ``path`` (with its SQLite sidecars) to a new name beside it and return that.

    The name carries the time to the second and, when that is taken (two restores in one
    second), a counter: each candidate is created with O_EXCL first, so an existing file is
    never overwritten, however close together two callers run.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    sides = [s for s in SIDECARS if Path(f"{path}{s}").exists()]
    for n in itertools.count():
        target = path.with_name(f"{path.name}.{label}-{stamp}" + (f"-{n}" if n else ""))
        if any(Path(f"{target}{s}").exists() for s in SIDECARS) or not _reserve(target):
            continue
        reserved = [target]
        try:
            for side in sides:
                if not _reserve(Path(f"{target}{side}")):
                    raise FileExistsError(f"{target}{side}")
                reserved.append(Path(f"{target}{side}"))
        except FileExistsError:
            for made in reserved:
                made.unlink(missing_ok=True)
            continue
        # Only our own empty reservations are replaced here.
        os.replace(path, target)
        for side in sides:
            source = Path(f"{path}{side}")
            if source.exists():
                os.replace(source, Path(f"{target}{side}"))
            else:
                Path(f"{target}{side}").unlink(missing_ok=True)
        return target
    raise AssertionError("unreachable")


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_candidate(backup: Path) -> None:
    """Check a file to restore exactly as the app checks a file it opens (an SQLite file,
    MentorDesk's, a schema this version knows, sound), and that it holds MentorDesk data:
    restoring an empty or foreign file used to say "Restored" and leave a file the app
    then refused."""
    from mentordesk.storage.database import inspect_file

    try:
        if not backup.is_file():
            raise BackupError(f"{backup} is not a file.")
        if backup.stat().st_size == 0:
            raise BackupError(f"{backup.name} is empty: it holds no MentorDesk data.")
        revision = inspect_file(backup)
    except DatabaseOpenError as exc:
        raise BackupError(f"{backup.name} cannot be restored: {exc.message}") from exc
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"{backup.name} cannot be read: {exc}") from exc
    if revision is None:
        raise BackupError(f"{backup.name} holds no MentorDesk data (it is empty).")


def restore_backup(backup: Path, db_path: Path) -> Path | None:
    """Replace ``db_path`` with ``backup``; the replaced file is kept aside, never deleted.

    The backup is first copied to a new file beside ``db_path`` and checked there; only
    then is the current file set aside (``set_aside``) and the copy renamed into its place,
    so a failure at any step leaves the current file where it was. Returns where the old
    file was moved, if there was one.
    """
    _check_candidate(backup)
    staging: Path | None = None
    for n in itertools.count():
        candidate = db_path.with_name(f".{db_path.name}.restoring-{os.getpid()}-{n}")
        if _reserve(candidate):
            staging = candidate
            break
    assert staging is not None
    try:
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            dest = sqlite3.connect(staging)
            try:
                source.backup(dest)
                dest.execute("PRAGMA journal_mode=DELETE")
            finally:
                dest.close()
        finally:
            source.close()
        problems = check_file(staging)
        if problems:
            raise BackupError(f"the copy of {backup.name} failed its check: {problems[0]}")
        with open(staging, "rb+") as fh:
            os.fsync(fh.fileno())
        moved = set_aside(db_path) if db_path.exists() else None
        os.replace(staging, db_path)
    except BaseException:
        for suffix in ("", *SIDECARS):
            Path(f"{staging}{suffix}").unlink(missing_ok=True)
        raise
    _fsync_dir(db_path.parent)
    return moved
