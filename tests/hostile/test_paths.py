"""``--db`` pointing at something that is not a database file is refused in one line and
left as it was (it used to be chmod'ed, even /dev/null as root); a file its owner made
read-only is not changed; commands that only read never create a database
(docs/reliability.md: "--db names a folder, device, FIFO or "", or a file you made
read-only" and "export with a mistyped --db")."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
from pathlib import Path

import pytest

from mentordesk.storage.database import open_database
from tests.hostile.procs import mentordesk


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    try:
        return mentordesk(*args, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"mentordesk {' '.join(args)} hung")


def _one_line_refusal(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert words in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and "internal error" not in result.stderr


@pytest.mark.parametrize("command", [("demo",), ("backup",), ("export", "x.csv")])
def test_a_fifo_is_refused_and_left_alone(tmp_path: Path, command: tuple[str, ...]) -> None:
    fifo = tmp_path / "pipe.sqlite3"
    os.mkfifo(fifo, 0o644)
    result = _run("--db", str(fifo), *[str(tmp_path / c) if c.endswith(".csv") else c
                                       for c in command])
    _one_line_refusal(result, "is a pipe (FIFO), not a database file")
    assert stat.S_IMODE(fifo.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.sqlite3"]


@pytest.mark.parametrize("where", ["folder", "empty"])
def test_a_folder_or_an_empty_name_is_refused_in_one_line(tmp_path: Path, where: str,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "folder.sqlite3"
    folder.mkdir(mode=0o755)
    target = str(folder) if where == "folder" else ""
    result = _run("--db", target, "demo")
    _one_line_refusal(result, "is a folder, not a database file")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755


def test_a_read_only_database_is_refused_and_not_changed(tmp_path: Path) -> None:
    path = tmp_path / "kept.sqlite3"
    open_database(path).close()
    path.chmod(0o444)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = _run("--db", str(path), "demo", "--mentees", "2")
    _one_line_refusal(result, "is read-only")
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_export_from_a_mistyped_path_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "typo.sqlite3"
    result = _run("--db", str(missing), "export", str(tmp_path / "out.csv"))
    _one_line_refusal(result, "There is no database at")
    assert list(tmp_path.iterdir()) == []
    listing = _run("--db", str(missing), "backups")
    assert listing.returncode == 0 and list(tmp_path.iterdir()) == []
