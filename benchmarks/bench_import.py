"""CSV import at scale: time, the longest write-lock hold, and how long a note save made by
another process waits while the import runs.

    .venv/bin/python benchmarks/bench_import.py [--rows 1000 10000 100000]
                                                [--variant plain capture no-team-triggers]
                                                [--timeout 900] [--no-reimport]

Each size runs in a child process (so a slow run can be cut off at ``--timeout``) on a fresh
file in a temp folder that already holds one mentee with a session note. While the import
runs, two more processes watch the same file:

* a *saver* saves that note through ``NoteService`` (what the app's autosave does) every
  0.2 s and records how long each save took;
* a *prober* tries ``BEGIN IMMEDIATE`` without waiting every 2 ms; the longest stretch in
  which it never got the lock is the longest time the import held the write lock.

The CSV has realistic rows (unique name and email, zone, cadence, link, two tags from a
pool of 40, ~200 characters of notes). After the first import the same file is imported
again (every row matches someone: all updates, nothing changes) unless ``--no-reimport``.

Variants: ``plain`` (a desk not in a team: the team triggers run but queue nothing),
``capture`` (a desk in a team: every new row is queued in the team outbox),
``no-team-triggers`` (the team triggers dropped, to see what they cost).

Run it against another checkout (e.g. the code before a change) with
``PYTHONPATH=/that/checkout .venv/bin/python benchmarks/bench_import.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if "PYTHONPATH" not in os.environ:
    sys.path.insert(0, str(ROOT))

ZONES = ("Europe/Berlin", "Asia/Kolkata", "America/New_York", "UTC", "Africa/Lagos",
         "America/Sao_Paulo", "Asia/Tokyo", "Australia/Sydney")
CADENCES = ("weekly", "every 2 weeks", "monthly", "every 10 days")
TAGS = tuple(f"topic-{i}" for i in range(40))
WORDS = ("portfolio", "career", "design", "data", "leadership", "interview", "feedback",
         "product", "growth", "python", "research", "writing", "hiring", "promotion",
         "negotiation", "roadmap")


def write_csv(path: Path, rows: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    lines = ["name,email,timezone,cadence,meeting_link,tags,notes"]
    for i in range(rows):
        notes = " ".join(rnd.choice(WORDS) for _ in range(28))
        tags = f"{rnd.choice(TAGS)}; {rnd.choice(TAGS)}"
        lines.append(f"Mentee {i:06d} {rnd.choice(WORDS).title()},m{i}@example.org,"
                     f"{rnd.choice(ZONES)},{rnd.choice(CADENCES)},"
                     f"https://meet.example.org/m{i},\"{tags}\",\"{notes}\"")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- the watchers (separate processes) -----------------------------------------------------

def saver(db: str, note_id: str, out: str) -> None:
    from mentordesk.errors import KnownError
    from mentordesk.services.notes import NoteService
    from mentordesk.storage.database import open_database

    database = open_database(Path(db))
    notes = NoteService(database)
    samples: list[tuple[float, float, bool]] = []
    print("ready", flush=True)
    stop = Path(out + ".stop")
    i = 0
    while not stop.exists():
        start = time.time()
        try:
            notes.save_note_body(int(note_id), f"saved while importing {i}")
            saved = True
        except KnownError:  # busy for longer than the app's 5 s busy timeout
            saved = False
        samples.append((start, time.time() - start, saved))
        i += 1
        time.sleep(0.2)
    database.close()
    Path(out).write_text(json.dumps(samples))


def prober(db: str, out: str) -> None:
    conn = sqlite3.connect(db, isolation_level=None, timeout=0)
    conn.execute("PRAGMA busy_timeout=0")
    print("ready", flush=True)
    stop = Path(out + ".stop")
    busy_since: float | None = None
    holds: list[tuple[float, float]] = []
    while not stop.exists():
        now = time.time()
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            if busy_since is not None:
                holds.append((busy_since, now - busy_since))
                busy_since = None
        except sqlite3.OperationalError:
            if busy_since is None:
                busy_since = now
        time.sleep(0.002)
    conn.close()
    Path(out).write_text(json.dumps(holds))


def _start(*args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE,
                            text=True, env=dict(os.environ))
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


# -- one measured size (a child process) ---------------------------------------------------

def one(rows: int, variant: str, reimport: bool) -> dict[str, object]:
    from mentordesk.services.csv_io import import_mentees_csv
    from mentordesk.storage.database import open_database
    from mentordesk.storage.schema import Mentee, Note, Session

    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    path = folder / "desk.sqlite3"
    db = open_database(path)
    from datetime import UTC, datetime

    with db.transaction() as s:
        m = Mentee(name="Already here", email="here@example.org")
        s.add(m)
        s.flush()
        session = Session(mentee_id=m.id, start_utc=datetime.now(UTC), status="held")
        s.add(session)
        s.flush()
        note = Note(mentee_id=m.id, session_id=session.id, body="start")
        s.add(note)
        s.flush()
        note_id = note.id
    conn = sqlite3.connect(path)
    if variant == "capture":
        conn.execute("INSERT OR REPLACE INTO team_state(key, value) VALUES ('capture', '1')")
    elif variant == "no-team-triggers":
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='trigger' AND name LIKE 'team_%'")]
        for name in names:
            conn.execute(f"DROP TRIGGER {name}")
    conn.commit()
    conn.close()
    csv_path = folder / "mentees.csv"
    write_csv(csv_path, rows)

    result: dict[str, object] = {"rows": rows, "variant": variant,
                                 "csv_mb": round(csv_path.stat().st_size / 1e6, 1)}
    for label in ("first", "again") if reimport else ("first",):
        save_out, probe_out = str(folder / f"saves-{label}"), str(folder / f"holds-{label}")
        watchers = [_start("--saver", str(path), str(note_id), save_out),
                    _start("--prober", str(path), probe_out)]
        time.sleep(0.3)
        start = time.time()
        cpu = time.process_time()
        report = import_mentees_csv(db, csv_path, default_zone="UTC")
        end = time.time()
        cpu = time.process_time() - cpu
        time.sleep(0.3)
        for out in (save_out, probe_out):
            Path(out + ".stop").touch()
        for proc in watchers:
            proc.wait(timeout=60)
        samples = [(t, d, ok) for t, d, ok in json.loads(Path(save_out).read_text())
                   if start <= t <= end]
        saves = [d for _t, d, _ok in samples]
        holds = [d for t, d in json.loads(Path(probe_out).read_text())
                 if t <= end and t + d >= start]
        result[label] = {
            "seconds": round(end - start, 2), "cpu_seconds": round(cpu, 2),
            "created": report.created, "updated": report.updated,
            "longest_lock_hold_s": round(max(holds, default=0.0), 3),
            "saves_during_import": len(saves),
            "saves_failed": sum(1 for _t, _d, ok in samples if not ok),
            "save_p50_ms": round(statistics.median(saves) * 1000, 1) if saves else None,
            "save_max_ms": round(max(saves) * 1000, 1) if saves else None,
        }
    if variant == "capture":
        with sqlite3.connect(path) as check:
            result["team_outbox_rows"] = check.execute(
                "SELECT count(*) FROM team_outbox").fetchone()[0]
    db.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--variant", nargs="+", default=["plain"],
                        choices=["plain", "capture", "no-team-triggers"])
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--no-reimport", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--saver", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--prober", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.saver:
        saver(*args.saver)
        return 0
    if args.prober:
        prober(*args.prober)
        return 0
    if args.one is not None:
        print(json.dumps(one(args.one, args.variant[0], not args.no_reimport)))
        return 0
    print(f"{'rows':>7} {'variant':<17} {'run':<6} {'seconds':>8} {'cpu s':>6} "
          f"{'rows/s':>8} {'lock hold s':>11} {'saves':>5} {'save p50 ms':>11} "
          f"{'save max ms':>11} {'failed':>6}")
    for variant in args.variant:
        for rows in args.rows:
            cmd = [sys.executable, __file__, "--one", str(rows), "--variant", variant]
            if args.no_reimport:
                cmd.append("--no-reimport")
            try:
                done = subprocess.run(cmd, capture_output=True, text=True,
                                      timeout=args.timeout, check=False)
            except subprocess.TimeoutExpired:
                print(f"{rows:>7} {variant:<17} first  unfinished after {args.timeout:.0f} s")
                continue
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return 1
            result = json.loads(done.stdout.strip().splitlines()[-1])
            for label in ("first", "again"):
                run = result.get(label)
                if not isinstance(run, dict):
                    continue
                secs = float(run["seconds"])
                print(f"{rows:>7} {variant:<17} {label:<6} {secs:>8.2f} "
                      f"{float(run['cpu_seconds']):>6.2f} {rows / secs:>8.0f} "
                      f"{float(run['longest_lock_hold_s']):>11.3f} "
                      f"{run['saves_during_import']:>5} {run['save_p50_ms']!s:>11} "
                      f"{run['save_max_ms']!s:>11} {run['saves_failed']:>6}")
            if "team_outbox_rows" in result:
                print(f"{'':>7} team outbox rows queued: {result['team_outbox_rows']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
