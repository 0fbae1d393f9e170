"""Autosave cost: commit time, keystroke-to-durable latency, and the longest GUI-thread stall
while typing into the real notes view (offscreen Qt, real SQLite file with WAL + FULL).

    .venv/bin/python benchmarks/bench_autosave.py [DB]

With DB (e.g. the 100k-note benchmark file) the note is written among 100,000 others, so the
FTS update touches a big index; without, a fresh demo database is used.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.notes_typing import HEARTBEAT_MS, open_notes_view, type_into  # noqa: E402
from mentordesk.services.demo import generate_demo  # noqa: E402
from mentordesk.services.notes import NoteService  # noqa: E402
from mentordesk.services.sessions import SessionDraft, SessionService  # noqa: E402
from mentordesk.storage.database import Database, open_database  # noqa: E402

TYPE_SECONDS = 8.0
KEY_INTERVAL_MS = 25  # 40 keys a second: a fast typist


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def commit_cost(db: Database, session_id: int) -> list[float]:
    notes = NoteService(db)
    note = notes.open_note(session_id)
    body = ("We went through the portfolio and agreed on next steps. " * 55)[:3000]
    samples = []
    for i in range(300):
        start = time.perf_counter()
        notes.save_note_body(note.id, body + str(i))
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def typing_run(db: Database, session_id: int) -> tuple[list[float], list[float], int]:
    from PySide6.QtWidgets import QApplication

    from mentordesk.services.sessions import SessionRef

    app, window, view = open_notes_view(db, Path(tempfile.mkdtemp()), wait_seconds=20)
    for _ in range(20):
        app.processEvents()
    view.open_ref(SessionRef(session_id))
    editor = view.editor
    editor.setFocus()
    text = "Talked about the promotion case and the next portfolio piece. " * 40
    typing = type_into(app, editor, text, seconds=TYPE_SECONDS,
                       key_interval_ms=KEY_INTERVAL_MS, settle_seconds=1.5)
    window.close()
    QApplication.processEvents()
    stalls, gaps = typing.stalls, typing.gaps
    if os.environ.get("BENCH_VERBOSE"):
        print("longest stalls (ms):", sorted((round(g, 1) for g in stalls), reverse=True)[:8])
        worst = max(range(len(stalls)), key=stalls.__getitem__)
        print(f"the longest came {sum(gaps[5:worst + 5]) / 1000:.2f} s after typing began")
    return typing.latencies, stalls, typing.commits


def main() -> int:
    if len(sys.argv) > 1:
        db = open_database(Path(sys.argv[1]), check=False)
    else:
        tmp = Path(tempfile.mkdtemp())
        db = open_database(tmp / "bench.sqlite3")
        generate_demo(db, mentees=200, sessions=2000)
        # The demo rows are garbage now; collect them here rather than mid-typing.
        gc.collect()
    with db.reader() as s:
        from sqlalchemy import func, select

        from mentordesk.storage.schema import Mentee, Note

        mentee_id = s.scalar(select(func.min(Mentee.id)))
        notes = s.scalar(select(func.count()).select_from(Note))
    assert mentee_id is not None
    sessions = SessionService(db)
    one = sessions.schedule(SessionDraft(int(mentee_id), datetime.now(UTC) + timedelta(days=1),
                                         title="Autosave benchmark"))
    two = sessions.schedule(SessionDraft(int(mentee_id), datetime.now(UTC) + timedelta(days=2),
                                         title="Autosave benchmark (typing)"))
    print(f"{db.path}: {notes:,} notes; WAL, synchronous=FULL\n")
    cost = commit_cost(db, one.ref.session_id)
    print("autosave commit (3 KB note, one UPDATE + FTS reindex), 300 commits:")
    print(f"  median {statistics.median(cost):.2f} ms   p95 {pct(cost, 0.95):.2f} ms   "
          f"p99 {pct(cost, 0.99):.2f} ms   max {max(cost):.2f} ms")
    latencies, stalls, commits = typing_run(db, two.ref.session_id)
    print(f"\ntyping {TYPE_SECONDS:.0f} s at {1000 // KEY_INTERVAL_MS} keys/s into the real view "
          f"({commits} commits):")
    print(f"  keystroke → durable: median {statistics.median(latencies):.0f} ms   "
          f"p95 {pct(latencies, 0.95):.0f} ms   max {max(latencies):.0f} ms")
    print(f"  GUI thread stall beyond the {HEARTBEAT_MS} ms heartbeat: median "
          f"{statistics.median(stalls):.2f} ms   p99 {pct(stalls, 0.99):.2f} ms   "
          f"longest {max(stalls):.2f} ms (a frame is 16.7 ms)")
    db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
