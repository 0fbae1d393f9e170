"""Every export writes a temporary file in the same folder, fsyncs it and renames it over
the target only on success; on a full disk the command fails in one line and the previous
file stays as it was (docs/reliability.md: "An export runs out of disk").

The full disk is a real ``mentordesk export`` process with a file-size limit
(RLIMIT_FSIZE, SIGXFSZ ignored: writes past the limit fail with EFBIG, as they would with
ENOSPC on a full disk), so no root and no tmpfs are needed."""

from __future__ import annotations

import resource
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mentordesk.services.demo import generate_demo
from mentordesk.storage.database import open_database
from tests.hostile.procs import ROOT, child_env

LIMIT = 1024  # bytes any file of the child may grow to
OLD = b"the previous export, which must survive\n"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    path = tmp_path_factory.mktemp("exports") / "desk.sqlite3"
    db = open_database(path)
    generate_demo(db, mentees=30, seed=11)
    db.close()
    conn = sqlite3.connect(path)
    name = conn.execute(
        "SELECT m.name FROM mentees m JOIN sessions s ON s.mentee_id = m.id "
        "GROUP BY m.id ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    # Keeps the -wal and -shm in place, so the limited child only has to read them.
    conn.execute("SELECT count(*) FROM mentees").fetchall()
    yield path, name
    conn.close()


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def _export(db: Path, target: Path, *extra: str, limited: bool
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mentordesk", "--db", str(db), "export", str(target), *extra],
        cwd=ROOT, env=child_env(PYTHONDONTWRITEBYTECODE="1"), capture_output=True, text=True,
        timeout=120, check=False, preexec_fn=_limit_file_size if limited else None)


@pytest.mark.parametrize("suffix", [".csv", ".ics", ".md", ".pdf"])
def test_an_export_that_cannot_be_written_whole_keeps_the_previous_file(
        suffix: str, demo_file: tuple[Path, str], tmp_path: Path) -> None:
    db, mentee = demo_file
    target = tmp_path / f"export{suffix}"
    target.write_bytes(OLD)
    extra = ("--mentee", mentee) if suffix in (".md", ".pdf") else ()
    full = _export(db, target, *extra, limited=True)
    assert full.returncode == 1, (full.returncode, full.stdout, full.stderr)
    assert full.stderr.count("\n") == 1 and "Traceback" not in full.stderr
    assert f"Could not write {target}" in full.stderr and "unchanged" in full.stderr
    assert target.read_bytes() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name], "no temporary left"
    # With room, the same export replaces it, owner-only.
    ok = _export(db, target, *extra, limited=False)
    assert ok.returncode == 0, ok.stderr
    assert len(target.read_bytes()) > LIMIT and target.read_bytes() != OLD
    assert target.stat().st_mode & 0o077 == 0
