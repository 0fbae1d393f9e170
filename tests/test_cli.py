"""The command line: one-line failures, demo data, backups, the separate demo database, a
mentee's report."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from mentordesk import __version__
from mentordesk.cli import main
from mentordesk.paths import demo_db_path
from mentordesk.storage.database import Database
from mentordesk.storage.schema import Mentee


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert __version__ in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "demo" in capsys.readouterr().out


def test_bad_usage_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err


def test_demo_then_backup(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite3"
    code, out, err = run("--db", str(db), "demo", "--mentees", "15")
    assert code == 0, err
    assert "15 mentees" in out
    code, out, err = run("--db", str(db), "backup")
    assert code == 0, err
    assert "verified" in out
    code, out, _ = run("--db", str(db), "backups")
    assert code == 0 and "manual" in out


def test_backup_of_missing_file_fails_cleanly(tmp_path: Path) -> None:
    code, _out, err = run("--db", str(tmp_path / "none.sqlite3"), "backup")
    assert code == 1
    assert err.count("\n") == 1 and "no database" in err


def test_corrupt_file_is_refused_on_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_text("not a database at all\n" * 50)
    code, _, err = run("--db", str(bad), "demo")
    assert code == 1
    assert str(bad) in err and err.count("\n") == 1 and "Traceback" not in err
    assert bad.read_text().startswith("not a database")


def test_demo_database_is_separate(tmp_path: Path) -> None:
    real = tmp_path / "real.sqlite3"
    from mentordesk.cli import _ensure_demo_database

    _ensure_demo_database(demo_db_path())
    assert demo_db_path().exists()
    assert not real.exists()
    size = demo_db_path().stat().st_size
    _ensure_demo_database(demo_db_path())  # second start: untouched
    assert demo_db_path().stat().st_size == size


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "mentordesk", "--version"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0
    assert __version__ in result.stdout


def _dump(path: Path) -> list[str]:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return [line for line in conn.iterdump() if "fts" not in line]
    finally:
        conn.close()


def test_restore_drill(tmp_path: Path) -> None:
    """Make and verify a backup, corrupt the live file, restore, and compare."""
    import os

    db = tmp_path / "live.sqlite3"
    assert run("--db", str(db), "demo", "--mentees", "40")[0] == 0
    assert run("--db", str(db), "backup")[0] == 0
    before = _dump(db)
    data = bytearray(db.read_bytes())
    for offset in range(8192 + 64, len(data), 4096):
        data[offset:offset + 512] = os.urandom(512)
    db.write_bytes(bytes(data))
    for side in ("-wal", "-shm"):
        Path(f"{db}{side}").unlink(missing_ok=True)
    code, _, err = run("--db", str(db), "demo")
    assert code == 1 and "damaged" in err
    code, out, _ = run("--db", str(db), "backups")
    backup_file = out.split()[-1]
    code, out, err = run("--db", str(db), "restore", backup_file)
    assert code == 0, err
    assert "kept as" in out
    assert _dump(db) == before
    code, _, err = run("--db", str(db), "backup")
    assert code == 0, err


def test_gui_without_display_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("Linux display detection")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = run("--db", str(tmp_path / "x.sqlite3"))
    assert code == 1
    assert "No display" in err and err.count("\n") == 1
    assert not (tmp_path / "x.sqlite3").exists()


def test_cli_export_report(db: Database, db_path: Path, tmp_path: Path) -> None:
    with db.transaction() as s:
        s.add(Mentee(name="Kofi Mensah", timezone="Africa/Accra"))
    db.close()
    target = tmp_path / "kofi.md"
    assert main(["--db", str(db_path), "export", "--mentee", "Kofi", str(target)]) == 0
    assert "Kofi Mensah" in target.read_text(encoding="utf-8")
    assert main(["--db", str(db_path), "export", "--mentee", "Nobody",
                 str(tmp_path / "n.md")]) == 1
