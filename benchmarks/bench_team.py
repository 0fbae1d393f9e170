"""Team mode at program scale: many desks, one PostgreSQL on this machine.

    .venv/bin/python -m benchmarks.bench_team --desks 200      # the issue's scale (long)
    .venv/bin/python -m benchmarks.bench_team --desks 10       # a quick look

Each desk is one mentor's SQLite file (``--mentees`` mentees with ``--notes`` notes each and a
goal), joined with the real replication code (membership.join: queue everything, first
push). It starts its own throwaway PostgreSQL cluster (tests/support/pg_cluster.py), reports:

- first push of a desk (joining with existing data) and rows/s through the server,
- a desk's first full sync (a mentor's second computer: pull everything),
- an idle pull: wall time of one round trip, and the server's own execution time,
- server CPU (all postgres processes) per 1,000 changes pushed,
- a steady round: one note edited on one desk, pushed, and pulled by its second desk.

Not part of the test run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import psutil  # type: ignore[import-untyped]
from sqlalchemy import create_engine, insert, select, text

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _keyring() -> None:
    import keyring

    from tests.support.keyrings import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())


def _seed(path: Path, mentees: int, notes: int, seed: int) -> None:
    from mentordesk.storage.database import open_database
    from mentordesk.storage.schema import Goal, Mentee, Note
    from mentordesk.storage.team_tables import new_uid

    db = open_database(path)
    now = datetime.now(UTC)
    body = ("We talked about the portfolio, the next interview and what to read. " * 4)
    with db.transaction() as s:
        rows = [{"uid": new_uid(), "name": f"Mentee {seed}-{i}", "timezone": "UTC",
                 "cadence_interval": 2, "cadence_unit": "weeks", "background": "",
                 "archived": False, "created_at": now, "updated_at": now}
                for i in range(mentees)]
        s.execute(insert(Mentee), rows)
        ids = list(s.scalars(select(Mentee.id).order_by(Mentee.id)))
        s.execute(insert(Goal), [{"uid": new_uid(), "mentee_id": m, "column_id": 1,
                                  "title": "Ship a portfolio", "position": 0,
                                  "description": "", "target_unit": "",
                                  "progress_mode": "milestones", "created_at": now,
                                  "updated_at": now} for m in ids])
        s.execute(insert(Note), [{"uid": new_uid(), "mentee_id": m, "body": f"{body}{k}",
                                  "private": False, "created_at": now, "updated_at": now}
                                 for m in ids for k in range(notes)])
    db.close()


def _desk(job: tuple[str, str, str, int, int, int]) -> tuple[float, int]:
    """Seed one desk and join (first push). Returns (seconds, rows pushed)."""
    folder, code, _name, mentees, notes, seed = job
    _keyring()
    from mentordesk.storage.database import open_database
    from mentordesk.team.membership import join

    path = Path(folder) / f"desk{seed}.sqlite3"
    _seed(path, mentees, notes, seed)
    db = open_database(path)
    start = time.perf_counter()
    join(db, code)
    took = time.perf_counter() - start
    db.close()
    return took, mentees * (notes + 1) + 1 + 4


def _postgres_cpu(pid: int) -> float:
    total = 0.0
    try:
        main = psutil.Process(pid)
        for p in [main, *main.children(recursive=True)]:
            try:
                t = p.cpu_times()
                total += t.user + t.system + t.children_user + t.children_system
            except psutil.Error:
                pass
    except psutil.Error:
        pass
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--desks", type=int, default=200)
    parser.add_argument("--mentees", type=int, default=50)
    parser.add_argument("--notes", type=int, default=100, help="notes per mentee")
    parser.add_argument("--jobs", type=int, default=2, help="desks joining at once")
    args = parser.parse_args(argv)

    from mentordesk.storage import team_server as server
    from mentordesk.storage.database import open_database
    from mentordesk.storage.schema import Note
    from mentordesk.team.membership import JoinCode, ServerAddress, join, replicator_for
    from tests.support.pg_cluster import start_cluster

    _keyring()
    cluster = start_cluster()
    folder = Path(tempfile.mkdtemp(prefix="bench-team-"))
    try:
        root = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with root.connect() as conn:
            conn.execute(text('CREATE DATABASE "program"'))
        root.dispose()
        admin = server.make_engine(server.server_url(cluster.url("program")), pooled=False)
        server.migrate(admin)
        address = ServerAddress("127.0.0.1", cluster.port, "program", "prefer")
        codes = []
        with admin.begin() as conn:
            for i in range(args.desks):
                name = f"mentor{i}"
                codes.append(JoinCode(address, name, server.create_member(
                    conn, name, coordinator=False)).encode())
        print(f"{args.desks} desks x {args.mentees} mentees x {args.notes} notes each "
              f"(PostgreSQL {cluster.bindir.parent.name}, {args.jobs} desks at a time)")

        pid = cluster.postmaster_pid() or 0
        cpu0, wall0 = _postgres_cpu(pid), time.perf_counter()
        jobs = [(str(folder), codes[i], f"mentor{i}", args.mentees, args.notes, i)
                for i in range(args.desks)]
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            results = list(pool.map(_desk, jobs))
        wall = time.perf_counter() - wall0
        cpu = _postgres_cpu(pid) - cpu0
        rows = sum(r for _t, r in results)
        pushes = [t for t, _r in results]
        print(f"first push of a desk (join with data): median {statistics.median(pushes):.2f} s, "
              f"max {max(pushes):.2f} s for {results[0][1]} rows")
        print(f"changes through the server: {rows} in {wall:.1f} s = {rows / wall:,.0f}/s "
              f"(incl. seeding the desks' files)")
        print(f"server CPU: {cpu:.1f} s = {1000 * cpu / rows:.2f} s per 1,000 changes")

        # A mentor's second computer: an empty file, the first full sync pulls everything.
        second = open_database(folder / "second.sqlite3")
        start = time.perf_counter()
        join(second, codes[0])
        first_full = time.perf_counter() - start
        with second.reader() as s:
            pulled = len(list(s.scalars(select(Note.id))))
        print(f"first full sync of a desk: {first_full:.2f} s ({pulled} notes pulled)")

        # Idle pulls: nothing changed for this mentor.
        replicator, _m = replicator_for(second)
        replicator.sync()
        times = []
        for _ in range(50):
            t0 = time.perf_counter()
            replicator.pull()
            times.append((time.perf_counter() - t0) * 1000)
        with second.reader() as s:
            from mentordesk.storage import team_local

            cursor = team_local.get_state(s, "cursor") or "0"
        with replicator.engine.connect() as conn:
            plans = []
            for _ in range(20):
                plan = conn.execute(text("EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM "
                                         "team.changes(CAST(:c AS xid8))"), {"c": cursor}
                                    ).scalar_one()
                plans.append(float(plan[0]["Execution Time"]) + float(plan[0]["Planning Time"]))
        print(f"idle pull: one round trip, median {statistics.median(times):.2f} ms wall "
              f"(desk side included), server time median {statistics.median(plans):.2f} ms")

        # Steady state: one edit on desk 0, its second computer pulls it.
        first = open_database(folder / "desk0.sqlite3")
        first_rep, _m = replicator_for(first)
        with first.transaction() as s:
            s.scalars(select(Note).limit(1)).one().body = "edited once"
        t0 = time.perf_counter()
        first_rep.sync()
        replicator.sync()
        print(f"one edit pushed and pulled by the second desk: "
              f"{(time.perf_counter() - t0) * 1000:.1f} ms")
        first_rep.engine.dispose()
        replicator.engine.dispose()
        first.close()
        second.close()
        admin.dispose()
    finally:
        cluster.stop("immediate")
        cluster.remove()
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
