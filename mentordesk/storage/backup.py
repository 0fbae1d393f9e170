"""Backups through SQLite's online backup API.

A plain file copy of a live database can miss committed transactions that still sit in the
``-wal`` file; the backup API copies a consistent snapshot. Every backup is opened and checked
before older ones are rotated out, so a bad backup can never push out the last good one.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mentordesk.paths import backup_dir_for, private_dir

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


def check_file(path: Path) -> list[str]:
    """Return SQLite's complaints about ``path`` (empty when it is sound)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
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
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if not match or match["stem"] != db_path.stem:
            continue
        stamp = datetime.strptime(match["stamp"], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
        found.append(BackupInfo(entry, stamp, match["reason"]))
    found.sort(key=lambda b: b.taken_at, reverse=True)
    return found


def backup_due(db_path: Path, *, max_age: timedelta = timedelta(days=1)) -> bool:
    backups = list_backups(db_path)
    return not backups or datetime.now(UTC) - backups[0].taken_at > max_age


def create_backup(db_path: Path, *, reason: str = "manual", keep: int = KEEP_BACKUPS) -> Path:
    """Snapshot ``db_path`` into its backup folder, verify it, then rotate old ones out."""
    folder = private_dir(backup_dir_for(db_path))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{db_path.stem}-{stamp}-{reason}.sqlite3"
    _create_private_file(target)
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


def restore_backup(backup: Path, db_path: Path) -> Path | None:
    """Replace ``db_path`` with ``backup``; the replaced file is kept aside, never deleted.

    Returns where the old file was moved, if there was one.
    """
    problems = check_file(backup)
    if problems:
        raise BackupError(f"{backup.name} is damaged too: {problems[0]}")
    moved: Path | None = None
    if db_path.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        moved = db_path.with_name(f"{db_path.name}.replaced-{stamp}")
        os.replace(db_path, moved)
        for suffix in ("-wal", "-shm"):
            side = Path(f"{db_path}{suffix}")
            if side.exists():
                os.replace(side, Path(f"{moved}{suffix}"))
    _create_private_file(db_path)
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(db_path)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    return moved
