"""Cold start and peak memory against a bare PySide6 window, on a benchmark-scale database.

    .venv/bin/python benchmarks/bench_startup.py [--db PATH] [--runs N]

The baseline is a bare QMainWindow with a 10,000-row QListView read with sqlite3, started
the same way (a fresh interpreter, offscreen Qt). Both report wall-clock time from just
before the process is spawned to the first paint of the window, and to "interactive" (the
mentee list filled and answering the filter; for the baseline, the same first paint).
The app's peak RSS is its own process; the start-up helper that computes the mentee list
(startup/helper.py) is reported on its own line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE = textwrap.dedent("""
    import json, resource, sqlite3, sys, time
    from PySide6.QtCore import QEvent, QObject, QStringListModel, QTimer
    from PySide6.QtWidgets import QApplication, QListView, QMainWindow

    marks = {}
    class Probe(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and "first_paint" not in marks:
                marks["first_paint"] = marks["interactive"] = time.time()
                marks["peak_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                open(sys.argv[2], "w").write(json.dumps(marks))
                QTimer.singleShot(0, app.quit)
            return False

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    probe = Probe()
    window.installEventFilter(probe)
    conn = sqlite3.connect(sys.argv[1])
    names = [r[0] for r in conn.execute("SELECT name FROM mentees ORDER BY name LIMIT 10000")]
    view = QListView()
    view.setUniformItemSizes(True)
    view.setModel(QStringListModel(names))
    window.setCentralWidget(view)
    window.resize(1200, 780)
    window.show()
    app.exec()
""")


def run_once(cmd: list[str], env: dict[str, str], out: Path) -> dict[str, float]:
    out.unlink(missing_ok=True)
    start = time.time()
    subprocess.run(cmd, env=env, check=True, timeout=120, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    marks = json.loads(out.read_text())
    return {
        "first_paint": marks["first_paint"] - start,
        "interactive": marks["interactive"] - start,
        "peak_rss_mib": marks["peak_rss_kib"] / 1024,
        # The app's start-up helper process (startup/helper.py); 0 for the baseline.
        "helper_rss_mib": marks.get("helper_peak_rss_kib", 0.0) / 1024,
        "from_helper": marks.get("list_from_helper", 0.0),
    }


def ensure_db(path: Path) -> Path:
    if not path.exists():
        print(f"generating {path} (10,000 mentees, 2,000 goals, 100,000 notes)…", flush=True)
        subprocess.run([sys.executable, "-m", "mentordesk", "--db", str(path), "demo",
                        "--mentees", "10000", "--sessions", "100000", "--goals", "2000"],
                       check=True)
    return path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) /
                        "mentordesk-bench.sqlite3")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    db = ensure_db(args.db)
    tmp = Path(tempfile.mkdtemp(prefix="md-start-"))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MENTORDESK_DATA_DIR=str(tmp / "d"),
               MENTORDESK_LOG_DIR=str(tmp / "l"), XDG_CONFIG_HOME=str(tmp / "c"),
               # Installed apps start from bytecode: without this, an inherited
               # PYTHONDONTWRITEBYTECODE=1 recompiles every module on every start. A private
               # prefix keeps the caches out of the source tree; the warm-up runs fill it.
               PYTHONPYCACHEPREFIX=str(tmp / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    bare_out, app_out = tmp / "bare.json", tmp / "app.json"
    bare_cmd = [sys.executable, "-c", BARE, str(db), str(bare_out)]
    app_cmd = [sys.executable, "-m", "mentordesk", "--db", str(db)]
    app_env = dict(env, MENTORDESK_STARTUP_PROBE=str(app_out))
    # One warm-up each so both read the file from the page cache.
    run_once(bare_cmd, env, bare_out)
    run_once(app_cmd, app_env, app_out)
    bare, app = [], []
    for _ in range(args.runs):
        bare.append(run_once(bare_cmd, env, bare_out))
        app.append(run_once(app_cmd, app_env, app_out))

    def med(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    print(f"\nCold start, median of {args.runs} alternating runs (offscreen Qt, {db.name})\n")
    # Each app run is divided by the bare run just before it: this machine's speed drifts
    # by tens of percent within a minute, which a ratio of two medians would carry.
    print("| measure | bare window | MentorDesk | ratio (median of pairs) | target |")
    print("|---|---|---|---|---|")
    for key, target, unit in (("first_paint", 1.3, "s"), ("interactive", 2.0, "s"),
                              ("peak_rss_mib", 2.0, "MiB")):
        b, a = med(bare, key), med(app, key)
        ratios = sorted(x[key] / y[key] for x, y in zip(app, bare, strict=True))
        fmt = "{:.3f}" if unit == "s" else "{:.0f}"
        print(f"| {key.replace('_', ' ')} | {fmt.format(b)} {unit} | {fmt.format(a)} {unit} "
              f"| {statistics.median(ratios):.2f}× ({ratios[0]:.2f}–{ratios[-1]:.2f}) "
              f"| ≤ {target}× |")
    used = sum(r["from_helper"] for r in app)
    print(f"\nThe mentee list came from the start-up helper in {used:.0f} of {len(app)} runs; "
          f"the helper process peaked at {med(app, 'helper_rss_mib'):.0f} MiB "
          f"(it has exited by the time the list answers).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
