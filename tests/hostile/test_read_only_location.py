"""Item 9 of issue 13: a healthy file on a read-only disk used to be reported as damaged,
with advice to restore a backup. It is now reported as what it is. The disk is a real
read-only mount (tmpfs, remounted read-only), so this needs root."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from mentordesk.storage.database import open_database
from tests.hostile.procs import mentordesk
from tests.notes.test_sessions_service import add_mentee


@pytest.fixture
def mount_point(tmp_path: Path) -> Iterator[Path]:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a read-only disk needs root")
    point = tmp_path / "disk"
    point.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(point)],
                          capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"cannot mount here: {made.stderr!r}")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=False)


def test_a_sound_file_on_a_read_only_disk_is_not_called_damaged(mount_point: Path) -> None:
    path = mount_point / "desk.sqlite3"
    db = open_database(path)
    add_mentee(db, name="On a read-only disk")
    db.close()
    assert not Path(f"{path}-shm").exists()
    subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    for command in (("export", str(mount_point.parent / "out.csv")), ("backup",)):
        result = mentordesk("--db", str(path), *command)
        assert result.returncode == 1
        assert "read-only disk" in result.stderr, result.stderr
        assert "damaged" not in result.stderr and "Restore" not in result.stderr
        assert result.stderr.count("\n") == 1
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
