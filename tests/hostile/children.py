"""Second processes for the hostile-world tests: each holds something on a database file
until told to stop (a line on stdin, or its stdin closing), and says so on stdout first.

    python -m tests.hostile.children hold-write DB      BEGIN IMMEDIATE, like a second writer
    python -m tests.hostile.children hold-sync DB       the sync lock, like a running sync
    python -m tests.hostile.children sync-run DB LOG    one "sync": take the lock, log, pause
    python -m tests.hostile.children save-note DB ID TEXT   a second writer of a note
    python -m tests.hostile.children commit-and-hang DB     a commit left in the WAL
    python -m tests.hostile.children save-loop DB ID OUT    save a note every 50 ms, log each
    python -m tests.hostile.children import DB CSV          a CSV import, saying each step
    python -m tests.hostile.children slow-start DB SECONDS  the app's claim on DB, answering
                                                            second starts only after SECONDS
"""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path


def _wait_for_release() -> None:
    sys.stdin.readline()


def hold_write(db: str) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    print("held", flush=True)
    _wait_for_release()
    conn.execute("ROLLBACK")
    conn.close()


def hold_sync(db: str) -> None:
    from mentordesk.storage.locks import sync_lock

    with sync_lock(Path(db), wait=0):
        print("held", flush=True)
        _wait_for_release()


def sync_run(db: str, log: str) -> None:
    """Take the sync lock the way a sync does and write start/end marks around a pause."""
    from mentordesk.storage.locks import SyncAlreadyRunning, sync_lock

    print("ready", flush=True)
    try:
        with sync_lock(Path(db), wait=5.0), open(log, "a", encoding="utf-8") as fh:
            fh.write(f"start {time.monotonic()}\n")
            fh.flush()
            time.sleep(0.3)
            fh.write(f"end {time.monotonic()}\n")
    except SyncAlreadyRunning:
        print("skipped", flush=True)


def save_note(db: str, note_id: str, text: str) -> None:
    from mentordesk.services.notes import NoteService
    from mentordesk.storage.database import open_database

    database = open_database(Path(db))
    try:
        NoteService(database).save_note_body(int(note_id), text)
    finally:
        database.close()
    print("saved", flush=True)


def commit_and_hang(db: str) -> None:
    """Commit a mentee through the app's storage, then wait to be killed: the commit stays
    in the WAL, not yet checkpointed into the file."""
    from mentordesk.storage.database import open_database
    from mentordesk.storage.schema import Mentee

    database = open_database(Path(db))
    with database.transaction() as s:
        s.add(Mentee(name="Committed by a process that then crashed"))
    print("held", flush=True)
    _wait_for_release()


def save_loop(db: str, note_id: str, out: str) -> None:
    """Save the note the way the app's autosave does, every 50 ms until told to stop; each
    save is logged as "start end ok|failed" (wall-clock seconds) when it returns."""
    import threading

    from mentordesk.errors import KnownError
    from mentordesk.services.notes import NoteService
    from mentordesk.storage.database import open_database

    database = open_database(Path(db))
    notes = NoteService(database)
    stop = threading.Event()

    def wait_then_stop() -> None:
        _wait_for_release()
        stop.set()

    threading.Thread(target=wait_then_stop, daemon=True).start()
    print("held", flush=True)
    with open(out, "w", encoding="utf-8") as log:
        i = 0
        while not stop.is_set():
            start = time.time()
            try:
                notes.save_note_body(int(note_id), f"saved during the import {i}")
                result = "ok"
            except KnownError:
                result = "failed"
            log.write(f"{start} {time.time()} {result} {i}\n")
            log.flush()
            i += 1
            stop.wait(0.05)
    database.close()


def import_csv(db: str, csv: str) -> None:
    """Import ``csv`` into ``db``, printing each step as it starts, then "done N"."""
    from mentordesk.services.csv_io import import_mentees_csv
    from mentordesk.storage.database import open_database

    database = open_database(Path(db))
    last: list[str] = [""]

    def progress(_done: int, _total: int, what: str) -> None:
        step = what.split()[0]
        if step != last[0]:
            last[0] = step
            print(step, flush=True)

    report = import_mentees_csv(database, Path(csv), default_zone="UTC", progress=progress)
    database.close()
    print(f"done {report.created}", flush=True)


def slow_start(db: str, seconds: str) -> None:
    """Claim ``db`` as the app does at start, and listen for second starts only after
    ``seconds`` (the app listens once its first view answers); print "activated" when a
    second start asked it to come to the front."""
    from PySide6.QtCore import QCoreApplication, QTimer

    from mentordesk.ui.single_instance import claim

    app = QCoreApplication([])
    instance = claim(Path(db))
    assert instance is not None
    instance.activate_requested.connect(lambda: print("activated", flush=True))
    print("held", flush=True)
    QTimer.singleShot(int(float(seconds) * 1000), instance.listen)
    QTimer.singleShot(30_000, app.quit)  # never outlive a test that forgot us
    app.exec()
    instance.close()


def main(argv: list[str]) -> None:
    command, *args = argv
    commands: dict[str, Callable[..., None]] = {
        "hold-write": hold_write, "hold-sync": hold_sync, "sync-run": sync_run,
        "save-note": save_note, "commit-and-hang": commit_and_hang, "save-loop": save_loop,
        "import": import_csv, "slow-start": slow_start}
    commands[command](*args)


if __name__ == "__main__":
    main(sys.argv[1:])
