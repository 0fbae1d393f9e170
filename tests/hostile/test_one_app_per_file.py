"""One desktop app per database file, with real processes: a second ``mentordesk`` on the
same file brings the first to the front and exits, ``mentordesk restore`` refuses while the
app has the file open, and SIGINT or SIGTERM closes the app the normal way
(docs/reliability.md: "You start MentorDesk twice on the same file", "mentordesk restore
while the app has the file open", "SIGINT (Ctrl+C) or SIGTERM (logout, kill) to the app")."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from mentordesk.paths import LOG_ENV
from mentordesk.storage.backup import create_backup
from mentordesk.storage.database import open_database
from mentordesk.storage.locks import is_locked
from tests.hostile.procs import App, holding, mentordesk


def _db(tmp_path: Path) -> Path:
    path = tmp_path / "desk.sqlite3"
    open_database(path).close()
    return path


def _log_text() -> str:
    import os

    log = Path(os.environ[LOG_ENV]) / "mentordesk.log"
    return log.read_text(encoding="utf-8") if log.exists() else ""


def test_a_second_start_on_the_same_file_brings_the_first_forward_and_exits(
        tmp_path: Path) -> None:
    db = _db(tmp_path)
    link = tmp_path / "same-file-other-name.sqlite3"
    link.symlink_to(db)
    with App(db) as first:
        for path in (db, link):
            started = time.monotonic()
            second = mentordesk("--db", str(path), timeout=60)
            assert second.returncode == 0, second.stderr
            assert "already open" in second.stderr and second.stderr.count("\n") == 1
            assert time.monotonic() - started < 20
            assert first.proc.poll() is None, "the first window must stay"
        deadline = time.monotonic() + 5
        while _log_text().count("brought the window to the front") < 2:
            assert time.monotonic() < deadline, _log_text()
            time.sleep(0.05)


def test_a_second_start_while_the_first_is_still_starting_waits_for_it(
        tmp_path: Path) -> None:
    """The app answers second starts only once its first view answers: a second start in
    that moment finds the file taken, keeps asking, and is answered; it never opens a
    second window on the file."""
    db = _db(tmp_path)
    with holding("slow-start", str(db), "2") as first:
        started = time.monotonic()
        second = mentordesk("--db", str(db), timeout=60)
        waited = time.monotonic() - started
        assert second.returncode == 0, second.stderr
        assert "already open" in second.stderr
        assert first.stdout is not None and first.stdout.readline().strip() == "activated"
        assert waited >= 1.5, "it was answered before the first one listened"


def test_after_a_crash_the_next_start_takes_over(tmp_path: Path) -> None:
    db = _db(tmp_path)
    with App(db) as crashed:
        crashed.proc.send_signal(signal.SIGKILL)
        crashed.proc.wait(timeout=10)
        assert not is_locked(db, "app"), "the lock died with its process"
        # Its socket may be left behind: the next start removes it and listens itself.
        with App(db) as next_one:
            again = mentordesk("--db", str(db), timeout=60)
            assert again.returncode == 0 and "already open" in again.stderr
            assert next_one.proc.poll() is None


def test_restore_refuses_while_the_app_has_the_file_open(tmp_path: Path) -> None:
    db = _db(tmp_path)
    backup = create_backup(db)
    before = db.read_bytes()
    with App(db):
        result = mentordesk("--db", str(db), "restore", str(backup))
        assert result.returncode == 1
        assert "MentorDesk is open on" in result.stderr
        assert "File ▸ Restore" in result.stderr and result.stderr.count("\n") == 1
        assert not list(tmp_path.glob("*.replaced-*")), "nothing may be set aside"
        assert db.read_bytes() == before
    result = mentordesk("--db", str(db), "restore", str(backup))
    assert result.returncode == 0, result.stderr
    assert len(list(tmp_path.glob("desk.sqlite3.replaced-*Z"))) == 1


def test_sigterm_and_sigint_quit_cleanly(tmp_path: Path) -> None:
    """The app used to ignore SIGINT and die on SIGTERM without closing the file (its WAL
    left behind); now both close the window the normal way (saving) and quit."""
    db = _db(tmp_path)
    for sig in (signal.SIGTERM, signal.SIGINT):
        with App(db) as app:
            time.sleep(1.0)  # past start-up
            app.proc.send_signal(sig)
            app.proc.wait(timeout=15)
            assert app.proc.returncode == 0, app.proc.communicate()
            assert not Path(f"{db}-wal").exists(), "the file was not closed cleanly"
            assert f"quitting on {sig.name}" in _log_text()
