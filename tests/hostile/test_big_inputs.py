"""Input size: ``import /dev/zero`` read forever; a device, a pipe or an oversized file is
now refused at once, in one line (docs/reliability.md: "import /dev/zero, a pipe or a huge
file")."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from mentordesk.services.csv_io import MAX_CSV_BYTES
from tests.hostile.procs import mentordesk


def _import(db: Path, source: str) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    try:
        result = mentordesk("--db", str(db), "import", source, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"import {source} did not stop")
    assert time.monotonic() - started < 20
    return result


@pytest.mark.parametrize("source", ["/dev/zero", "fifo", "huge"])
def test_endless_or_huge_inputs_are_refused_at_once(tmp_path: Path, source: str) -> None:
    db = tmp_path / "desk.sqlite3"
    if source == "fifo":
        path = tmp_path / "mentees.csv"
        os.mkfifo(path)
        source = str(path)
    elif source == "huge":
        path = tmp_path / "mentees.csv"
        with path.open("wb") as fh:
            fh.truncate(MAX_CSV_BYTES + 1)  # sparse: costs no disk
        source = str(path)
    result = _import(db, source)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "internal error" not in result.stderr
    assert "not a regular file" in result.stderr or "too big" in result.stderr
