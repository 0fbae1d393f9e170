"""The headless surfaces: ``run_sync`` (cron), the ICS export, per-session status."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from mentordesk.storage.database import Database
from mentordesk.storage.outbox import enqueue_session_change
from mentordesk.storage.schema import Session as Row
from mentordesk.sync.cli import run_sync
from mentordesk.sync.credentials import CredentialStore, StoredSignIn
from mentordesk.sync.engine import resolve_conflict
from mentordesk.sync.service import build_engine, choose_calendar, overview, save_settings
from mentordesk.sync.status import session_sync_status
from tests.support.calendar_standin import CalendarStandIn, Fault
from tests.sync.conftest import (
    START,
    EngineFactory,
    MemoryKeyring,
    add_mentee,
    add_session,
    add_sessions,
    edit_session,
    get_session,
)


@pytest.fixture(autouse=True)
def _drop_cli_log_handlers() -> Iterator[None]:
    """``mentordesk.cli.main`` adds a file handler to the root logger; take it off again."""
    import logging

    root = logging.getLogger()
    before = list(root.handlers)
    yield
    for handler in list(root.handlers):
        if handler not in before:
            root.removeHandler(handler)
            handler.close()


@pytest.fixture
def configured(db: Database, standin: CalendarStandIn, client_config: object,
               signin: StoredSignIn, memory_keyring: MemoryKeyring,
               monkeypatch: pytest.MonkeyPatch) -> Database:
    from mentordesk.sync.credentials import ClientConfig

    assert isinstance(client_config, ClientConfig)
    monkeypatch.setenv("MENTORDESK_CALENDAR_API", standin.api_endpoint)
    save_settings(db, client_secrets=client_config.path)
    CredentialStore().save(signin)
    choose_calendar(db, create=True)  # the mentor's answer on first connect
    return db


def test_run_sync_prints_summary(configured: Database, standin: CalendarStandIn) -> None:
    add_sessions(configured, 3)
    path = configured.path
    configured.close()
    out = io.StringIO()
    assert run_sync(path, out) == 0
    assert out.getvalue() == (
        "synced: created 3, updated 0, deleted 0, pulled 0, conflicts 0\n")


def test_run_sync_fails_with_one_line_reason(configured: Database,
                                             standin: CalendarStandIn) -> None:
    add_sessions(configured, 2)
    path = configured.path
    configured.close()
    standin.revoke_all()
    out = io.StringIO()
    assert run_sync(path, out) == 1
    text = out.getvalue()
    assert text.count("\n") == 1
    assert text.startswith("sync failed: Google access was revoked")
    assert "2 queued changes are kept" in text


def test_run_sync_not_connected(db: Database, memory_keyring: MemoryKeyring,
                                client_config: object) -> None:
    from mentordesk.sync.credentials import ClientConfig

    assert isinstance(client_config, ClientConfig)
    save_settings(db, client_secrets=client_config.path)
    path = db.path
    db.close()
    out = io.StringIO()
    assert run_sync(path, out) == 1
    assert "not connected" in out.getvalue()


def test_run_sync_quota_is_not_finished(configured: Database,
                                        standin: CalendarStandIn) -> None:
    add_sessions(configured, 1)
    path = configured.path
    configured.close()
    standin.faults.add(Fault("status", 403, "quotaExceeded", scope="inner",
                             match="POST /calendar"))
    out = io.StringIO()
    assert run_sync(path, out) == 1
    assert "Google paused edits; retrying at" in out.getvalue()


def test_primary_mode_needs_events_scope(configured: Database) -> None:
    from mentordesk.sync.errors import SyncError

    save_settings(configured, mode="primary")
    with pytest.raises(SyncError, match="main calendar"):
        build_engine(configured)


def test_session_status_through_its_life(db: Database, standin: CalendarStandIn,
                                         make_engine: EngineFactory) -> None:
    sid = add_session(db, title="Status")
    assert session_sync_status(db, sid).state == "pending"
    make_engine().run()
    assert session_sync_status(db, sid).state == "synced"
    eid = get_session(db, sid).google_event_id or ""
    cal = standin.calendar_by_summary("MentorDesk")
    assert cal is not None
    standin.remote_patch(cal.id, eid, {"summary": "Theirs"})
    edit_session(db, sid, title="Mine")
    make_engine().run()
    status = session_sync_status(db, sid)
    assert status.state == "conflict"
    assert status.conflict_fields == ("title",)
    assert (status.mine["title"], status.google["title"]) == ("Mine", "Theirs")
    assert overview(db).conflicts == 1
    resolve_conflict(db, sid, keep="mine")
    make_engine().run()
    assert session_sync_status(db, sid).state == "synced"
    edit_session(db, sid, duration_minutes=0)
    make_engine().run()
    status = session_sync_status(db, sid)
    assert status.state == "error"
    assert status.error_field == "duration"
    assert overview(db).errors == 1


def test_export_ics_round_trips(db: Database, tmp_path: Path) -> None:
    from icalendar import Calendar

    from mentordesk.services.ics_export import export_ics

    mentee = add_mentee(db, "Ada", "ada@example.com")
    single = add_session(db, title="One-off", mentee_id=mentee, agenda="Plan")
    series = add_session(db, title="Weekly", rrule="FREQ=WEEKLY;COUNT=5", tz="America/New_York")
    with db.transaction() as s:
        for offset, status, moved in ((7, "cancelled", 0), (14, "scheduled", 2)):
            original = START + timedelta(days=offset)
            row = Row(title="Weekly", start_utc=original + timedelta(hours=moved),
                      timezone="America/New_York", duration_minutes=60, series_id=series,
                      original_start_utc=original, status=status)
            s.add(row)
            s.flush()
            enqueue_session_change(s, row)
    target = tmp_path / "out" / "calendar.ics"
    assert export_ics(db, target) == 3
    cal = Calendar.from_ical(target.read_bytes())
    events = cal.walk("VEVENT")
    assert len(events) == 3
    by_summary: dict[str, list[object]] = {}
    for event in events:
        by_summary.setdefault(str(event["summary"]), []).append(event)
    one = by_summary["One-off"][0]
    assert str(one["description"]) == "Plan"  # type: ignore[index]
    weekly = [e for e in by_summary["Weekly"] if "RRULE" in e]  # type: ignore[operator]
    override = [e for e in by_summary["Weekly"] if "RECURRENCE-ID" in e]  # type: ignore[operator]
    assert len(weekly) == 1 and len(override) == 1
    master = weekly[0]
    assert master["RRULE"]["FREQ"] == ["WEEKLY"]  # type: ignore[index]
    assert master["DTSTART"].dt.tzinfo.key == "America/New_York"  # type: ignore[index]
    assert master["DTSTART"].params["TZID"] == "America/New_York"  # type: ignore[index]
    exdates = [d.dt for d in master["EXDATE"].dts]  # type: ignore[index]
    assert exdates == [(START + timedelta(days=7)).astimezone(exdates[0].tzinfo)]
    assert override[0]["UID"] == master["UID"]  # type: ignore[index]
    assert b"BEGIN:VTIMEZONE" in target.read_bytes()
    assert b"TZID:America/New_York" in target.read_bytes()
    assert json.dumps(single)  # ids are plain ints


def test_mentordesk_sync_command_and_its_log_hold_no_token(
        configured: Database, standin: CalendarStandIn, signin: StoredSignIn,
        isolated_user_dirs: Path) -> None:
    import logging

    from mentordesk.cli import main
    from mentordesk.logging_setup import log_file

    add_sessions(configured, 4)
    path = configured.path
    configured.close()
    out, err = io.StringIO(), io.StringIO()
    assert main(["--db", str(path), "sync"], out=out, err=err) == 0
    standin.revoke_all()
    assert main(["--db", str(path), "sync"], out=out, err=err) == 1
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "created 4" in out.getvalue()
    log_text = log_file().read_bytes()
    assert b"sync finished" in log_text
    assert standin.issued_access_tokens
    for secret in [signin.refresh_token, *standin.issued_access_tokens]:
        assert secret.encode() not in log_text
        for db_file in path.parent.glob(path.name + "*"):
            assert secret.encode() not in db_file.read_bytes(), db_file.name


def test_mentordesk_export_ics_command(db: Database, tmp_path: Path) -> None:
    from icalendar import Calendar

    from mentordesk.cli import main

    add_session(db, title="Exported", rrule="FREQ=MONTHLY;COUNT=3")
    path = db.path
    db.close()
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "calendar.ics"
    assert main(["--db", str(path), "export", str(target)], out=out, err=err) == 0, \
        err.getvalue()
    assert out.getvalue() == f"Exported 1 session to {target}\n"
    event = Calendar.from_ical(target.read_bytes()).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Exported"
    assert b"RRULE:FREQ=MONTHLY;COUNT=3" in target.read_bytes()
