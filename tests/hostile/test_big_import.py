"""The promises "A big CSV import while the app has the file open" and "An import is killed,
cancelled, interrupted or runs out of disk half way" (docs/reliability.md). A big CSV import
used to hold the file's write lock from start to end (10,000 rows: 53 s), so the app on the
same file could not save a note meanwhile (each save gave up after the 5 s busy timeout).
Now the import holds the lock only for its short last step, and stays all or nothing:
killed at any step, it leaves the file as it was or with the whole file imported, never a
part. Real processes: a second one saving a note the way the app's autosave does, and an
import process killed with SIGKILL."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mentordesk.services.csv_io import import_mentees_csv
from mentordesk.storage.database import Database, open_database
from mentordesk.storage.schema import Mentee, Note, Session
from tests.hostile.procs import ROOT, child_env, holding

HEADER = "name,email,timezone,cadence,meeting_link,tags,notes\n"


def big_csv(path: Path, rows: int, *, start: int = 0, notes: str = "notes") -> Path:
    path.write_text(HEADER + "".join(
        f"Mentee {i:06d},m{i}@example.org,UTC,every {1 + i % 3} weeks,"
        f"https://meet.example.org/m{i},\"t{i % 40}; t{(i * 7) % 40}\",{notes} {i} "
        "about the portfolio review and the next interview\n"
        for i in range(start, start + rows)), encoding="utf-8")
    return path


def desk_with_a_note(path: Path) -> tuple[Database, int]:
    db = open_database(path)
    with db.transaction() as s:
        mentee = Mentee(name="Already here", email="here@example.org")
        s.add(mentee)
        s.flush()
        session = Session(mentee_id=mentee.id, start_utc=datetime.now(UTC), status="held")
        s.add(session)
        s.flush()
        note = Note(mentee_id=mentee.id, session_id=session.id, body="before")
        s.add(note)
        s.flush()
        return db, note.id


def test_a_note_saved_by_another_process_lands_while_a_big_import_runs(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    db, note_id = desk_with_a_note(path)
    csv = big_csv(tmp_path / "big.csv", 30_000)
    log = tmp_path / "saves.log"
    steps: dict[str, float] = {}

    def progress(_done: int, _total: int, what: str) -> None:
        steps.setdefault(what.split()[0], time.time())

    with holding("save-loop", str(path), str(note_id), str(log)):
        time.sleep(0.3)  # the other process is saving already
        start = time.time()
        report = import_mentees_csv(db, csv, default_zone="UTC", progress=progress)
        end = time.time()
        time.sleep(0.3)
    assert report.ok and report.created == 30_000
    saves = [(float(a), float(b), ok, int(i)) for a, b, ok, i in
             (line.split() for line in log.read_text().splitlines())]
    assert all(ok == "ok" for _a, _b, ok, _i in saves), "a save gave up: the file was busy"
    # The note was saved again and again while the import ran, not only after it...
    landed = [b for a, b, _ok, _i in saves if start <= a and b <= steps["Saving"]]
    assert len(landed) >= 5, (len(landed), end - start)
    # ...and no save waited for the whole import: at most for its short last step.
    overlapping = [b - a for a, b, _ok, _i in saves if a <= end and b >= start]
    longest = max(overlapping)
    assert longest < (end - start) / 2, (longest, end - start)
    with db.reader() as s:
        note = s.get(Note, note_id)
        assert note is not None and note.body == f"saved during the import {saves[-1][3]}"
    db.close()


def _state(path: Path) -> tuple[int, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.execute("INSERT INTO mentees_fts(mentees_fts) VALUES ('integrity-check')")
        rows = conn.execute("SELECT id, name, email, background FROM mentees ORDER BY id")
        mentees = list(rows)
        links = conn.execute("SELECT count(*) FROM mentee_tags").fetchone()[0]
        return links, mentees
    finally:
        conn.close()


@pytest.mark.parametrize("step", ["Reading", "Preparing", "Saving"])
def test_an_import_killed_at_any_step_leaves_all_of_it_or_nothing(tmp_path: Path,
                                                                   step: str) -> None:
    path = tmp_path / "desk.sqlite3"
    db = open_database(path)
    # 200 mentees already there; the file updates them all and adds 20,000.
    assert import_mentees_csv(db, big_csv(tmp_path / "first.csv", 200)).created == 200
    db.close()
    before = _state(path)
    csv = big_csv(tmp_path / "big.csv", 20_200, notes="changed")
    proc = subprocess.Popen([sys.executable, "-m", "tests.hostile.children", "import",
                             str(path), str(csv)], cwd=ROOT, env=child_env(),
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    said: list[str] = []
    while True:
        line = proc.stdout.readline().strip()
        assert line, f"the import ended before {step}: {said}"
        said.append(line)
        if line == step:
            proc.kill()
            break
    proc.wait()
    proc.stdout.close()
    after = _state(path)
    if after != before:
        # The last step had committed before the kill: then all of it is there.
        assert step == "Saving"
        assert len(after[1]) == 20_200
        assert all(str(row[3]).startswith("changed") for row in after[1])
    # Nothing of a killed import stays behind, and the same import then goes through.
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".csv")) in (
        ["desk.sqlite3"], ["desk.sqlite3", "desk.sqlite3-shm", "desk.sqlite3-wal"])
    db = open_database(path)
    report = import_mentees_csv(db, csv, default_zone="UTC")
    db.close()
    assert (report.created, report.updated) in ((20_000, 200), (0, 20_200))
    links, mentees = _state(path)
    assert len(mentees) == 20_200 and links == 2 * 20_200 - _same_tag(20_200)


def _same_tag(rows: int) -> int:
    """Rows whose two tags are the same one (t{i % 40} and t{7i % 40}: one link, not two)."""
    return sum(1 for i in range(rows) if i % 40 == (i * 7) % 40)


def _read_terminal(fd: int, until: str | None, timeout: float = 60) -> str:
    """What the process wrote to the terminal ``fd``, until ``until`` shows (or it exits)."""
    import os
    import select

    text = ""
    deadline = time.monotonic() + timeout
    while until is None or until not in text:
        assert time.monotonic() < deadline, f"waited for {until!r}; got {text!r}"
        ready, _w, _x = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the process has exited and the terminal is gone
            break
        if not chunk:
            break
        text += chunk.decode("utf-8", "replace")
    return text


def test_the_command_line_shows_progress_on_a_terminal_and_ctrl_c_imports_nothing(
        tmp_path: Path) -> None:
    import os
    import pty
    import signal

    path = tmp_path / "desk.sqlite3"
    open_database(path).close()
    csv = big_csv(tmp_path / "big.csv", 20_000)
    command = [sys.executable, "-m", "mentordesk", "--db", str(path), "import", str(csv)]
    master, terminal = pty.openpty()
    proc = subprocess.Popen(command, cwd=ROOT, env=child_env(), stdout=subprocess.PIPE,
                            stderr=terminal, text=True)
    os.close(terminal)  # the child has it: the terminal goes when the child does
    seen = _read_terminal(master, until="Reading")
    proc.send_signal(signal.SIGINT)  # Ctrl+C while it reads the file
    out, _err = proc.communicate(timeout=30)
    seen += _read_terminal(master, until=None, timeout=10)
    os.close(master)
    assert proc.returncode == 130, (out, seen)
    assert "\x1b[KReading big.csv… 0%" in seen, seen
    assert seen.endswith("mentordesk: interrupted\r\n"), seen
    assert out == ""
    assert _state(path) == (0, [])
    # Left alone, it goes through every step and clears its line before the summary.
    master, terminal = pty.openpty()
    proc = subprocess.Popen(command, cwd=ROOT, env=child_env(), stdout=subprocess.PIPE,
                            stderr=terminal, text=True)
    os.close(terminal)
    seen = _read_terminal(master, until=None, timeout=120)
    out, _err = proc.communicate(timeout=30)
    os.close(master)
    assert proc.returncode == 0, seen
    assert out == "Imported 20000 of 20000 rows from big.csv: 20000 new, 0 updated.\n"
    steps = [part.split("…")[0] for part in seen.split("\r\x1b[K") if part]
    assert list(dict.fromkeys(steps)) == ["Reading big.csv", "Matching rows with your mentees",
                                          "Preparing the import", "Saving to desk.sqlite3"]
    assert seen.endswith("\r\x1b[K")
    # Without a terminal (a script, cron) nothing but the summary is written.
    again = subprocess.run(command, cwd=ROOT, env=child_env(), capture_output=True, text=True,
                           timeout=120, check=False)
    assert again.returncode == 0 and again.stderr == ""
    assert again.stdout == "Imported 20000 of 20000 rows from big.csv: 0 new, 20000 updated.\n"
