"""Start-up of installed MentorDesk builds, side by side (e.g. the venv install against the
PyInstaller bundle), on one database:

    python3 scripts/compare_startup.py --db DEMO.sqlite3 [--runs 5] \\
        venv=/tmp/x/venv/bin/mentordesk bundle=/tmp/x/dist/mentordesk/mentordesk

Only the standard library. Each run is a fresh process with ``MENTORDESK_STARTUP_PROBE``
(mentordesk/ui/startup/probe.py), which records when the window first painted and when the
first view became interactive and then quits; times count from just before the spawn. Runs
alternate between the builds (the machine's speed drifts), after one unmeasured warm-up run
of each (the first start reads the files from disk). Uses the X display when there is one
(xcb), else offscreen. Prints the medians and the ratio of each build to the first.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path


def run_once(command: str, db: Path, scratch: Path) -> dict[str, float]:
    probe = scratch / "probe.json"
    probe.unlink(missing_ok=True)
    home = scratch / "home"
    env = dict(os.environ, MENTORDESK_STARTUP_PROBE=str(probe), HOME=str(home),
               XDG_CONFIG_HOME=str(home / ".config"), MENTORDESK_DATA_DIR=str(home / "data"),
               MENTORDESK_LOG_DIR=str(home / "log"),
               QT_QPA_PLATFORM="xcb" if os.environ.get("DISPLAY") else "offscreen")
    env.pop("MENTORDESK_SMOKE", None)
    start = time.time()
    subprocess.run([command, "--db", str(db)], env=env, cwd=scratch, check=True, timeout=120,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ended = time.time()
    marks = json.loads(probe.read_text(encoding="utf-8"))
    return {"first_paint": marks["first_paint"] - start,
            "interactive": marks["interactive"] - start,
            "exited": ended - start,
            "peak_rss_mib": marks.get("peak_rss_kib", 0.0) / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("builds", nargs="+", metavar="NAME=COMMAND")
    args = parser.parse_args()
    builds = [tuple(b.split("=", 1)) for b in args.builds]
    results: dict[str, list[dict[str, float]]] = {name: [] for name, _ in builds}
    with tempfile.TemporaryDirectory(prefix="mentordesk-startup-") as tmp:
        scratch = Path(tmp)
        for _name, command in builds:
            run_once(command, args.db.resolve(), scratch)  # warm-up: files into the cache
        for _ in range(args.runs):
            for name, command in builds:
                results[name].append(run_once(command, args.db.resolve(), scratch))
    platform = "xcb" if os.environ.get("DISPLAY") else "offscreen"
    print(f"start-up on {args.db.name}, {platform}, median of {args.runs} interleaved runs:")
    base = None
    for name, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        if base is None:
            base = med
        ratio = med["interactive"] / base["interactive"]
        each = ", ".join(f"{r['interactive']:.3f}" for r in runs)
        print(f"  {name:<8} first paint {med['first_paint']:.3f} s, interactive "
              f"{med['interactive']:.3f} s ({ratio:.2f}x of {builds[0][0]}), process exit "
              f"{med['exited']:.3f} s, peak RSS {med['peak_rss_mib']:.0f} MiB  "
              f"[interactive runs: {each}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
