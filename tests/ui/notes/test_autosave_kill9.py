"""kill -9 the real app while it types: the file stays sound and at most the last second of
typing is lost."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mentordesk.services.sessions import SessionDraft, SessionService
from mentordesk.storage.database import open_database
from tests.services.test_sessions import add_mentee
from tests.ui.notes.kill9_child import run_text

ROOT = Path(__file__).resolve().parents[3]
RUNS = 3
LOSS_WINDOW = 1.0


def read_lines(proc: subprocess.Popen[str], sink: list[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        sink.append(line.strip())


@pytest.mark.slow
def test_kill9_while_typing_loses_at_most_the_last_second(tmp_path: Path) -> None:
    path = tmp_path / "kill9.sqlite3"
    db = open_database(path)
    mentee = add_mentee(db)
    session = SessionService(db).schedule(SessionDraft(
        mentee, datetime.now(UTC) + timedelta(hours=1), title="Crash test"))
    sid = session.ref.session_id
    db.close()
    rng = random.Random(5)
    expected_so_far = ""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    for run in range(RUNS):
        lines: list[str] = []
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.ui.notes.kill9_child", str(path), str(sid), str(run),
             str(tmp_path / "settings.ini")],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            reader = threading.Thread(target=read_lines, args=(proc, lines), daemon=True)
            reader.start()
            deadline = time.monotonic() + 30
            while sum(1 for line in lines if line.startswith("T ")) < 40:
                assert proc.poll() is None, "the typist died before typing"
                assert time.monotonic() < deadline, "the typist never started typing"
                time.sleep(0.02)
            time.sleep(rng.uniform(1.2, 2.5))
            killed_at = time.monotonic()
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            reader.join(timeout=5)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
            assert proc.stdout is not None
            proc.stdout.close()
        typed = [line.split() for line in lines if line.startswith("T ")]
        safe = max((int(n) for _, n, t in typed if float(t) <= killed_at - LOSS_WINDOW),
                   default=0)
        total = max(int(n) for _, n, _t in typed)
        assert safe > 0

        conn = sqlite3.connect(path)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            rows = conn.execute("SELECT body FROM notes WHERE session_id = ?",
                                (sid,)).fetchall()
        finally:
            conn.close()
        assert len(rows) == 1, "one note for the session, however often it crashed"
        body = rows[0][0]
        assert body.startswith(expected_so_far), "earlier runs' text is intact"
        this_run = body[len(expected_so_far):]
        wanted = run_text(run)
        assert wanted.startswith(this_run), "saved text is exactly what was typed"
        assert len(this_run) >= safe, (
            f"run {run}: {safe} characters were typed more than {LOSS_WINDOW}s before the "
            f"kill but only {len(this_run)} (of {total} typed) were saved")
        expected_so_far = body
