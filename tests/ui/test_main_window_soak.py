"""Soak: 200,000 Qt model updates and 10,000 autosaves in one process, without a
crash or growing memory. The work runs in a child interpreter (tests/ui/soak_child.py) so a
native abort is a failed test, not a dead pytest run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mentordesk.services.demo import generate_demo
from mentordesk.storage.database import open_database

ROOT = Path(__file__).resolve().parents[2]
UPDATES = 200_000
SAVES = 10_000
# After the warm-up (a tenth of the work), memory may wobble but not grow with the work:
# leaking ~120 bytes per update or ~2.5 KB per save (a note's text) would exceed this, and
# one Python object per update would exceed the object bound many times over.
MAX_GROWTH = 20 * 1024 * 1024
MAX_OBJECT_GROWTH = 20_000


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_model_updates_and_autosaves_do_not_crash_or_grow(tmp_path: Path) -> None:
    path = tmp_path / "soak.sqlite3"
    db = open_database(path)
    generate_demo(db, mentees=30, seed=2)
    db.close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "tests.ui.soak_child", str(path), str(tmp_path / "soak.ini"),
         str(UPDATES), str(SAVES)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=540, check=False)
    assert result.returncode == 0, (
        f"the soak process ended with {result.returncode}:\n{result.stderr[-3000:]}")
    status, rss_warm, rss_end, objects_warm, objects_end, saves = result.stdout.split()
    assert status == "ok"
    assert int(saves) == SAVES, "every autosave was its own commit"
    growth = int(rss_end) - int(rss_warm)
    print(f"soak: RSS {int(rss_warm) / 2**20:.1f} -> {int(rss_end) / 2**20:.1f} MiB, "
          f"objects {objects_warm} -> {objects_end}")
    assert growth < MAX_GROWTH, f"RSS grew by {growth / 2**20:.1f} MiB"
    assert int(objects_end) - int(objects_warm) < MAX_OBJECT_GROWTH
