"""``restore`` checks the file to restore exactly as the app checks a file it opens; an
empty file, another program's SQLite file or a newer-schema file is refused in one line and
the current file stays where it is (docs/reliability.md: "Restoring something that is not a
MentorDesk backup")."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from mentordesk.storage.backup import create_backup
from mentordesk.storage.database import APPLICATION_ID, open_database
from tests.hostile.procs import mentordesk
from tests.services.test_sessions import add_mentee


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _foreign(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO photos (name) VALUES ('holiday.jpg')")
    conn.commit()
    conn.close()


def _schema_less(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    conn.commit()
    conn.close()


def _newer(path: Path) -> None:
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(("make", "words"), [
    (_empty, "holds no MentorDesk data"),
    (_schema_less, "holds no MentorDesk data"),
    (_foreign, "another program"),
    (_newer, "newer MentorDesk"),
])
def test_restore_refuses_what_the_app_would_refuse(
        tmp_path: Path, make: Callable[[Path], None], words: str) -> None:
    live = tmp_path / "live.sqlite3"
    db = open_database(live)
    add_mentee(db, name="Still here")
    db.close()
    before = hashlib.sha256(live.read_bytes()).hexdigest()
    candidate = tmp_path / "candidate.sqlite3"
    make(candidate)
    result = mentordesk("--db", str(live), "restore", str(candidate))
    assert result.returncode == 1, result.stdout
    assert words in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert hashlib.sha256(live.read_bytes()).hexdigest() == before
    assert not list(tmp_path.glob("live.sqlite3.replaced-*"))


def test_a_real_backup_still_restores(tmp_path: Path) -> None:
    live = tmp_path / "live.sqlite3"
    db = open_database(live)
    add_mentee(db, name="In the backup")
    db.close()
    backup = create_backup(live)
    result = mentordesk("--db", str(live), "restore", str(backup))
    assert result.returncode == 0, result.stderr
    opened = open_database(live)
    opened.close()
