"""Sync of 1,000 new sessions against the local Calendar stand-in: HTTP requests used and
the longest GUI-thread stall meanwhile (a 5 ms QTimer measures the event loop's gaps).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_sync.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


CHILD = """
import json, sys
from tests.support.calendar_standin import CalendarStandIn
from mentordesk.sync.credentials import SCOPE_APP_CALENDAR
server = CalendarStandIn()
server.start()
print(json.dumps({"endpoint": server.api_endpoint, "client_secrets": server.client_secrets(),
                  "refresh_token": server.issue_refresh_token([SCOPE_APP_CALENDAR])}),
      flush=True)
for line in sys.stdin:
    if line.strip() == "count":
        print(server.request_count(), flush=True)
server.stop()
"""


class RemoteStandIn:
    def __init__(self) -> None:
        import subprocess

        root = str(Path(__file__).resolve().parent.parent)
        self.proc = subprocess.Popen([sys.executable, "-c", CHILD], cwd=root, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=dict(os.environ, PYTHONPATH=root))
        assert self.proc.stdout is not None
        self.info: dict[str, Any] = json.loads(self.proc.stdout.readline())

    def request_count(self) -> int:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("count\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def one_run(sessions: int) -> dict[str, float]:
    from PySide6.QtCore import QEventLoop

    from mentordesk.storage.database import open_database
    from mentordesk.sync.credentials import (
        SCOPE_APP_CALENDAR,
        StoredSignIn,
        google_credentials,
        load_client_config,
    )
    from mentordesk.sync.engine import CalendarSource, SyncEngine
    from mentordesk.ui.sync import texts
    from mentordesk.ui.sync.controller import SyncController
    from tests.support.event_loop_gaps import EventLoopGaps
    from tests.sync.conftest import add_sessions, fast_policy

    tmp = Path(tempfile.mkdtemp(prefix="md-bench-sync-"))
    # Google is another machine: the stand-in runs in its own process so its threads do
    # not compete with the app's GUI thread for the GIL.
    server = RemoteStandIn()
    db = open_database(tmp / "s.sqlite3")
    try:
        secrets = tmp / "client_secret.json"
        secrets.write_text(json.dumps(server.info["client_secrets"]))
        config = load_client_config(secrets)
        signin = StoredSignIn(server.info["refresh_token"],
                              (SCOPE_APP_CALENDAR,), "mentor@example.com")
        add_sessions(db, sessions)

        def factory(database: Any, **kwargs: Any) -> SyncEngine:
            kwargs.setdefault("policy", fast_policy())
            kwargs.setdefault("endpoint", server.info["endpoint"])
            kwargs.setdefault("calendar", CalendarSource(create=True))
            return SyncEngine(database, google_credentials(signin, config), **kwargs)

        controller = SyncController(db, engine_factory=factory)
        meter = EventLoopGaps(interval_ms=5)
        loop = QEventLoop()
        controller.sync_finished.connect(lambda _r: loop.quit())
        before = server.request_count()
        start = time.perf_counter()
        meter.start()
        controller.sync_now()
        loop.exec()
        elapsed = time.perf_counter() - start
        meter.stop()
        assert controller.view.state == texts.SYNCED, controller.view.state
        controller.shutdown()
        return {
            "requests": server.request_count() - before,
            "seconds": elapsed,
            "max_stall_ms": meter.max_stall_ms,
        }
    finally:
        db.close()
        server.stop()


def main() -> int:
    from mentordesk.ui.app import create_application

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--warm-up", action="store_true",
                        help="sync 10 sessions first, so the Google client stack is loaded "
                        "(the first sync of a process also imports and initializes it)")
    args = parser.parse_args()
    create_application()
    if args.warm_up:
        one_run(10)
    results = [one_run(args.sessions) for _ in range(args.runs)]
    print(f"\nSync of {args.sessions} new sessions, {args.runs} runs\n")
    print("| measure | median | worst | target |")
    print("|---|---|---|---|")
    for key, target in (("requests", "≤ 25"), ("seconds", ""), ("max_stall_ms", "≤ 50 ms")):
        values = [r[key] for r in results]
        print(f"| {key.replace('_', ' ')} | {statistics.median(values):.1f} | "
              f"{max(values):.1f} | {target} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
