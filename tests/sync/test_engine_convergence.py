"""Property: whatever faults hit the wire, repeated syncs converge to exactly one Google event
per live session — none missing, duplicated or resurrected."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentordesk.storage import sync_repo
from mentordesk.storage.database import open_database
from mentordesk.storage.schema import Session as Row
from mentordesk.sync.credentials import (
    google_credentials,
)
from mentordesk.sync.engine import CalendarSource, SyncEngine
from mentordesk.sync.errors import SyncError
from mentordesk.sync.mapping import PRIVATE_KEY
from tests.support.calendar_standin import CalendarStandIn
from tests.sync.conftest import (
    START,
    add_sessions,
    app_calendar_signin,
    client_config_in,
    delete_session,
    edit_session,
    fast_policy,
)

OPS = st.lists(st.tuples(st.sampled_from(["add", "edit", "move", "cancel", "delete", "sync"]),
                         st.integers(0, 50)), min_size=1, max_size=14)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), initial=st.integers(1, 8), ops=OPS)
def test_repeated_syncs_converge_under_faults(template_db: Path, seed: int, initial: int,
                                              ops: list[tuple[str, int]]) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="converge-"))
    standin = CalendarStandIn()
    standin.start()
    db = open_database(_copy(template_db, workdir))
    try:
        client = client_config_in(standin, workdir)
        signin = app_calendar_signin(standin)

        def sync() -> None:
            engine = SyncEngine(db, google_credentials(signin, client),
                                endpoint=standin.api_endpoint, timeout=0.3,
                                calendar=CalendarSource(create=True),
                                policy=fast_policy(max_attempts=3))
            # Offline, 5xx, rate limits: the next sync carries on.
            with contextlib.suppress(SyncError):
                engine.run()

        standin.faults.delay_seconds = 0.4
        standin.faults.set_random(0.3, seed)
        alive = add_sessions(db, initial)
        deleted: list[int] = []
        for op, n in ops:
            if op == "add":
                alive += add_sessions(db, 1 + n % 3, title=f"Added {n}")
            elif op == "sync" or not alive:
                sync()
            else:
                sid = alive[n % len(alive)]
                if op == "edit":
                    edit_session(db, sid, title=f"Edited {n}")
                elif op == "move":
                    edit_session(db, sid, start_utc=START + timedelta(hours=n))
                elif op == "cancel":
                    edit_session(db, sid, status="cancelled")
                else:
                    delete_session(db, sid)
                    alive.remove(sid)
                    deleted.append(sid)
        for _ in range(6):
            sync()
        standin.faults.clear()
        sync()
        sync()
        _check(db, standin, deleted)
    finally:
        db.close()
        standin.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _copy(template: Path, workdir: Path) -> Path:
    path = workdir / "mentordesk.sqlite3"
    shutil.copy(template, path)
    return path


def _check(db: object, standin: CalendarStandIn, deleted: list[int]) -> None:
    from mentordesk.storage.database import Database

    assert isinstance(db, Database)
    with db.reader() as s:
        rows = {r.id: (r.title, r.status, r.google_event_id, r.start_utc)
                for r in s.query(Row).all()}
        cal = sync_repo.get_state(s, "calendar_id")
        assert sync_repo.pending_count(s) == 0
    assert cal is not None
    events = standin.events(cal, include_cancelled=True)
    confirmed: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        if event["status"] == "confirmed":
            marker = event["extendedProperties"]["private"][PRIVATE_KEY]
            confirmed.setdefault(marker, []).append(event)
    live = {sid for sid, (_, status, _, _) in rows.items() if status != "cancelled"}
    assert set(confirmed) == {str(sid) for sid in live}, "missing or resurrected events"
    assert all(len(v) == 1 for v in confirmed.values()), "duplicated events"
    assert not set(rows) & set(deleted), "a locally deleted session came back"
    for sid in live:
        title, _, eid, start = rows[sid]
        event = confirmed[str(sid)][0]
        assert event["id"] == eid
        assert event["summary"] == title
        assert str(event["start"]["dateTime"]).startswith(
            start.astimezone(ZoneInfo("Europe/Berlin")).isoformat())
