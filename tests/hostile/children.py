"""Second processes for the hostile-world tests: each holds something on a database file
until told to stop (a line on stdin, or its stdin closing), and says so on stdout first.

    python -m tests.hostile.children hold-write DB      BEGIN IMMEDIATE, like a second writer
    python -m tests.hostile.children hold-sync DB       the sync lock, like a running sync
    python -m tests.hostile.children sync-run DB LOG    one "sync": take the lock, log, pause
    python -m tests.hostile.children save-note DB ID TEXT   a second writer of a note
    python -m tests.hostile.children commit-and-hang DB     a commit left in the WAL
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


def main(argv: list[str]) -> None:
    command, *args = argv
    commands: dict[str, Callable[..., None]] = {
        "hold-write": hold_write, "hold-sync": hold_sync, "sync-run": sync_run,
        "save-note": save_note, "commit-and-hang": commit_and_hang}
    commands[command](*args)


if __name__ == "__main__":
    main(sys.argv[1:])
