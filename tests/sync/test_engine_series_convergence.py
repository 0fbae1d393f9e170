"""One weekly series, its occurrences moved and cancelled on both sides between syncs (some
syncs under faults): after the dust settles, every occurrence reads the same in MentorDesk
and in Google, and the series itself was never rewritten."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentordesk.services.sessions import SessionRef, SessionService
from mentordesk.storage import sync_repo
from mentordesk.storage.database import Database, open_database
from mentordesk.storage.schema import Session as Row
from mentordesk.sync.credentials import (
    google_credentials,
)
from mentordesk.sync.engine import CalendarSource, SyncEngine, resolve_conflict
from mentordesk.sync.errors import SyncError
from mentordesk.sync.mapping import original_start
from tests.support.calendar_standin import CalendarStandIn
from tests.sync.conftest import (
    START,
    add_session,
    app_calendar_signin,
    client_config_in,
    fast_policy,
)

WEEK = timedelta(days=7)
WEEKS = 6
OPS = st.lists(st.tuples(st.sampled_from(["local_move", "local_cancel", "google_move",
                                          "google_cancel", "sync", "faulty_sync"]),
                         st.integers(1, WEEKS - 1), st.integers(1, 5)),
               min_size=1, max_size=12)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), ops=OPS)
def test_occurrences_converge_when_both_sides_change_them(template_db: Path, seed: int,
                                                         ops: list[tuple[str, int, int]]
                                                         ) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="series-"))
    standin = CalendarStandIn()
    standin.start()
    shutil.copy(template_db, workdir / "db.sqlite3")
    db = open_database(workdir / "db.sqlite3")
    try:
        client = client_config_in(standin, workdir)
        signin = app_calendar_signin(standin)

        def sync(faults: bool = False) -> None:
            if faults:
                standin.faults.set_random(0.3, seed)
            engine = SyncEngine(db, google_credentials(signin, client),
                                endpoint=standin.api_endpoint, timeout=0.5,
                                policy=fast_policy(max_attempts=3),
                                calendar=CalendarSource(create=True))
            with contextlib.suppress(SyncError):
                engine.run()
            standin.faults.clear()

        # UTC: the weeks below are exact instants (a Berlin series moves in UTC at DST).
        master = add_session(db, title="Weekly", rrule="FREQ=WEEKLY", tz="UTC")
        sync()
        cal, master_eid = _ids(db, master)
        series_before = standin.get_event(cal, master_eid)
        service = SessionService(db)
        for op, week, hours in ops:
            original = START + week * WEEK
            if op == "local_move":
                ref = _ref(db, master, original)
                service.update(ref, start_utc=original + timedelta(hours=hours))
            elif op == "local_cancel":
                service.cancel(_ref(db, master, original))
            elif op == "google_move":
                moved = original + timedelta(hours=-hours)
                standin.remote_move_occurrence(cal, master_eid, original, moved,
                                               moved + timedelta(hours=1))
            elif op == "google_cancel":
                standin.remote_cancel_occurrence(cal, master_eid, original)
            else:
                sync(faults=op == "faulty_sync")
        for _ in range(3):
            sync()
        # Both sides changed one occurrence between two syncs: the mentor picks one.
        with db.reader() as s:
            conflicted = [r.id for r in sync_repo.conflicted_sessions(s)]
        for sid in conflicted:
            resolve_conflict(db, sid, "google")
        sync()
        sync()
        with db.reader() as s:
            assert sync_repo.pending_count(s) == 0
        assert _local_view(db, master) == _google_view(standin, cal, master_eid)
        series_after = standin.get_event(cal, master_eid)
        assert series_after["recurrence"] == series_before["recurrence"] == [
            "RRULE:FREQ=WEEKLY"]
        assert series_after["start"] == series_before["start"]
    finally:
        db.close()
        standin.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _ids(db: Database, master: int) -> tuple[str, str]:
    with db.reader() as s:
        cal = sync_repo.get_state(s, "calendar_id")
        row = s.get(Row, master)
        assert cal and row is not None and row.google_event_id
        return cal, row.google_event_id


def _ref(db: Database, master: int, original: datetime) -> SessionRef:
    with db.reader() as s:
        for row in sync_repo.exceptions_of(s, [master])[master]:
            if row.original_start_utc == original:
                return SessionRef(row.id)
    return SessionRef(master, original)


def _local_view(db: Database, master: int) -> dict[datetime, tuple[str, datetime | None]]:
    view: dict[datetime, tuple[str, datetime | None]] = {
        START + k * WEEK: ("confirmed", START + k * WEEK) for k in range(WEEKS)}
    with db.reader() as s:
        for row in sync_repo.exceptions_of(s, [master])[master]:
            assert row.original_start_utc is not None
            view[row.original_start_utc] = (
                ("cancelled", None) if row.status == "cancelled" else ("confirmed",
                                                                       row.start_utc))
    return view


def _google_view(standin: CalendarStandIn, cal: str,
                 master_eid: str) -> dict[datetime, tuple[str, datetime | None]]:
    view: dict[datetime, tuple[str, datetime | None]] = {
        START + k * WEEK: ("confirmed", START + k * WEEK) for k in range(WEEKS)}
    for event in standin.events(cal, include_cancelled=True):
        if event.get("recurringEventId") != master_eid:
            continue
        original = original_start(event, "UTC")
        assert original is not None
        if event["status"] == "cancelled":
            view[original] = ("cancelled", None)
        else:
            start = datetime.fromisoformat(event["start"]["dateTime"])
            view[original] = ("confirmed", start)
    return view
