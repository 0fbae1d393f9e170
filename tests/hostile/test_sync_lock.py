"""Two syncs of one file never run at once (the app's worker and ``mentordesk sync`` alike
take ``storage.locks.sync_lock``; docs/reliability.md: "Two syncs of one file at once").
Real second processes."""

from __future__ import annotations

import itertools
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mentordesk.storage.locks import SyncAlreadyRunning, is_locked, lock_path, sync_lock
from tests.hostile.procs import ROOT, child_env, holding


def test_second_sync_waits_a_bounded_time_then_says_one_is_running(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    with holding("hold-sync", str(db)):
        assert is_locked(db, "sync")
        started = time.monotonic()
        with pytest.raises(SyncAlreadyRunning) as info, sync_lock(db, wait=0.4):
            pytest.fail("two syncs ran at once")
        waited = time.monotonic() - started
        assert 0.35 <= waited < 2.0, waited
        assert "already running" in info.value.message
        assert "\n" not in str(info.value)
    # Released when the holder ends: the next sync runs.
    with sync_lock(db, wait=0.0) as lock:
        assert lock.held and lock_path(db, "sync").exists()


def test_a_killed_sync_leaves_no_stale_lock(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    with holding("hold-sync", str(db)) as proc:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        with sync_lock(db, wait=1.0) as lock:
            assert lock.held


def test_symlink_and_target_share_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "real.sqlite3"
    db.touch()
    link = tmp_path / "link.sqlite3"
    link.symlink_to(db)
    with holding("hold-sync", str(link)), pytest.raises(SyncAlreadyRunning), \
            sync_lock(db, wait=0.0):
        pass


def test_concurrent_syncs_are_serialised(tmp_path: Path) -> None:
    """Four processes started together: their runs never overlap, and those that could not
    get their turn within the wait say so instead of running."""
    db = tmp_path / "a.sqlite3"
    log = tmp_path / "runs.log"
    procs = [subprocess.Popen([sys.executable, "-m", "tests.hostile.children", "sync-run",
                               str(db), str(log)], cwd=ROOT, env=child_env(),
                              stdout=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate(timeout=60)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    marks = [line.split() for line in log.read_text().splitlines()]
    assert len(marks) == 8  # every run got its turn within 5 s
    spans = [(float(marks[i][1]), float(marks[i + 1][1])) for i in range(0, len(marks), 2)]
    assert [m[0] for m in marks] == ["start", "end"] * 4
    for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
        assert s2 >= e1, "two syncs overlapped"


def test_the_same_process_cannot_take_it_twice(tmp_path: Path) -> None:
    """The app's sync worker and a second start inside the app are serialised too."""
    db = tmp_path / "a.sqlite3"
    with sync_lock(db), pytest.raises(SyncAlreadyRunning), sync_lock(db, wait=0.1):
        pass
