"""A file is checked before anything writes to it, and a file found damaged is closed
without a checkpoint, so it is left byte for byte as it was (docs/reliability.md: "The file
is damaged (found after start-up)").

The app opens files without ``quick_check`` (``check=False``: it runs after the first
paint) and used to write the first edit before the check, then checkpoint it into the
damaged file on close, while saying "Nothing was changed"."""

from __future__ import annotations

import hashlib
import signal
import sqlite3
from pathlib import Path

import pytest

from mentordesk.errors import CorruptDatabase
from mentordesk.services.demo import generate_demo
from mentordesk.storage.database import open_database
from tests.hostile.procs import holding
from tests.services.test_sessions import add_mentee


def _demo(tmp_path: Path) -> Path:
    path = tmp_path / "desk.sqlite3"
    db = open_database(path)
    generate_demo(db, mentees=12, seed=3)
    db.close()
    return path


def _damage_a_page_nobody_reads_at_start(path: Path) -> None:
    """Break the milestones index's root page: opening and the list read never touch it,
    nor does adding a mentee; quick_check finds it."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        page = conn.execute("SELECT rootpage FROM sqlite_master "
                            "WHERE name = 'ix_milestones_goal_id'").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    with path.open("r+b") as fh:
        fh.seek((page - 1) * size)
        fh.write(b"\x00" * 16)


def _sha(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def _files(path: Path) -> dict[str, str | None]:
    return {name: _sha(Path(f"{path}{name}")) for name in ("", "-wal")}


def test_the_first_write_waits_for_the_check_and_a_damaged_file_is_never_written(
        tmp_path: Path) -> None:
    path = _demo(tmp_path)
    _damage_a_page_nobody_reads_at_start(path)
    before = _files(path)
    db = open_database(path, check=False)  # how the app opens it
    with pytest.raises(CorruptDatabase) as info:
        add_mentee(db, name="Typed before the deferred check")
    assert "damaged" in info.value.message
    assert db.quick_check() != []
    db.close()
    assert _files(path) == before


def test_a_damaged_file_with_commits_in_its_wal_is_closed_without_a_checkpoint(
        tmp_path: Path) -> None:
    """A crashed writer (a real process, killed) left commits in the WAL; the app opens the
    file, its check finds the damage: neither the file nor its WAL may change."""
    path = _demo(tmp_path)
    with holding("commit-and-hang", str(path)) as writer:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
    assert Path(f"{path}-wal").stat().st_size > 0
    _damage_a_page_nobody_reads_at_start(path)
    before = _files(path)
    db = open_database(path, check=False)
    assert db.quick_check() != []  # what the app's deferred check finds
    with pytest.raises(CorruptDatabase):
        add_mentee(db, name="Never written")
    db.close()
    assert _files(path) == before


def test_a_sound_file_still_opens_fast_and_takes_writes_after_its_check(
        tmp_path: Path) -> None:
    path = _demo(tmp_path)
    db = open_database(path, check=False)
    assert not db.damaged
    add_mentee(db, name="Written after the check passed")
    assert db.verify() == [] and not db.damaged
    db.close()
    assert not Path(f"{path}-wal").exists(), "a sound file is checkpointed on close as before"
