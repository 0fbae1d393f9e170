"""The largest note the app accepts, typed into in the real Notes view: time per keystroke
(the key event and everything it sets off on the GUI thread), the longest GUI-thread stall,
keystroke-to-durable autosave latency, and a full-text search that finds it.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_big_note.py [--chars N]

Targets (issue 13, item 14): typing within a frame (16 ms) and autosave within a second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TYPE_SECONDS = 4.0
KEY_INTERVAL_MS = 40


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chars", type=int, default=None,
                        help="note length (default: the most a note may hold)")
    args = parser.parse_args()

    from benchmarks.notes_typing import open_notes_view, type_into
    from mentordesk.services.mentees import MenteeInput, MenteeService
    from mentordesk.services.notes import MAX_NOTE_CHARS, NoteService
    from mentordesk.services.search import SearchService
    from mentordesk.services.sessions import SessionDraft, SessionRef, SessionService
    from mentordesk.storage.database import open_database

    chars = args.chars or MAX_NOTE_CHARS - 10_000
    tmp = Path(tempfile.mkdtemp())
    db = open_database(tmp / "big.sqlite3")
    mentee = MenteeService(db).create(MenteeInput(name="Ada"))
    session = SessionService(db).schedule(SessionDraft(
        mentee.id, datetime.now(UTC) + timedelta(days=1), 60, "UTC", "Long call"))
    sid = session.ref.session_id
    notes = NoteService(db)
    note = notes.open_note(sid)
    line = "We talked about the portfolio, the promotion case and next steps.\n"
    body = (line * (chars // len(line) + 1))[:chars - 12] + "\nzanzibarite"
    notes.save_note_body(note.id, body)

    app, window, view = open_notes_view(db, tmp)
    opened = time.perf_counter()
    view.open_ref(SessionRef(sid))
    app.processEvents()
    open_ms = (time.perf_counter() - opened) * 1000
    editor = view.editor
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.End)

    typing = type_into(app, editor, "x", seconds=TYPE_SECONDS,
                       key_interval_ms=KEY_INTERVAL_MS, settle_seconds=3)
    key_ms, stalls, latencies = sorted(typing.key_ms), sorted(typing.stalls), typing.latencies
    began = time.perf_counter()
    hits = SearchService(db).search("zanzibarite")
    search_ms = (time.perf_counter() - began) * 1000
    window.close()
    app.processEvents()
    db.close()
    print(f"A {chars:,}-character note in the Notes view ({len(key_ms)} keystrokes)\n")
    print("| measure | median | p95 | worst | target |")
    print("|---|---|---|---|---|")
    print(f"| keystroke ms | {statistics.median(key_ms):.1f} | "
          f"{key_ms[int(0.95 * (len(key_ms) - 1))]:.1f} | {key_ms[-1]:.1f} | ≤ 16 |")
    print(f"| GUI stall ms | {statistics.median(stalls):.1f} | "
          f"{stalls[int(0.95 * (len(stalls) - 1))]:.1f} | {stalls[-1]:.1f} | ≤ 16 |")
    if latencies:
        latencies.sort()
        print(f"| keystroke to durable ms | {statistics.median(latencies):.0f} | "
              f"{latencies[int(0.95 * (len(latencies) - 1))]:.0f} | {latencies[-1]:.0f} | "
              "≤ 1000 |")
    print(f"| open the note ms | {open_ms:.0f} | | | |")
    print(f"| search that finds it ms | {search_ms:.0f} ({len(hits)} hit) | | | |")


if __name__ == "__main__":
    main()
