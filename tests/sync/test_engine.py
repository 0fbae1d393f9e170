"""The sync engine over real HTTP against the Calendar stand-in (real client library)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from mentordesk.storage import sync_repo
from mentordesk.storage.database import Database
from mentordesk.sync.engine import CalendarSource, resolve_conflict
from mentordesk.sync.errors import (
    AuthRevoked,
    CalendarMissing,
    MassDeleteBlocked,
    Offline,
)
from mentordesk.sync.mapping import PRIVATE_KEY
from mentordesk.sync.service import save_settings
from tests.support.calendar_standin import CalendarStandIn, Fault
from tests.sync.conftest import (
    START,
    EngineFactory,
    add_mentee,
    add_session,
    add_sessions,
    calendar_id,
    delete_session,
    edit_session,
    get_session,
)


def pending(db: Database) -> int:
    with db.reader() as s:
        return sync_repo.pending_count(s)


def by_session(standin: CalendarStandIn, cal: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for event in standin.events(cal):
        sid = event.get("extendedProperties", {}).get("private", {}).get(PRIVATE_KEY)
        out.setdefault(str(sid), []).append(event)
    return out


def test_first_sync_creates_calendar_and_events(db: Database, standin: CalendarStandIn,
                                                make_engine: EngineFactory) -> None:
    mentee = add_mentee(db, "Ada", "ada@example.com")
    one = add_session(db, title="Kick-off", mentee_id=mentee, agenda="Goals")
    series = add_session(db, title="Weekly", rrule="FREQ=WEEKLY;INTERVAL=2",
                         start=START + timedelta(days=1))
    summary = make_engine().run()
    assert summary.created == 2
    assert summary.errors == 0
    assert pending(db) == 0
    cal = calendar_id(db)
    assert standin.calendars[cal].summary == "MentorDesk"
    events = by_session(standin, cal)
    assert set(events) == {str(one), str(series)}
    kickoff = events[str(one)][0]
    assert kickoff["summary"] == "Kick-off"
    assert kickoff["description"] == "Goals"
    # Invitations are off until the mentor turns them on: the mentee is not a guest.
    assert "attendees" not in kickoff
    assert kickoff["id"] == get_session(db, one).google_event_id
    weekly = events[str(series)][0]
    assert weekly["recurrence"] == ["RRULE:FREQ=WEEKLY;INTERVAL=2"]
    assert weekly["start"]["timeZone"] == weekly["end"]["timeZone"] == "Europe/Berlin"
    row = get_session(db, one)
    assert row.google_etag == kickoff["etag"]
    # A second sync with nothing to do only lists changes (our own echoes are skipped).
    standin.reset_log()
    again = make_engine().run()
    assert (again.created, again.updated, again.pulled) == (0, 0, 0)
    assert [r.path for r in standin.log if r.path != "/token"] == [
        f"/calendar/v3/calendars/{cal}/events"]


def test_dropped_answer_after_insert_leaves_exactly_one_event(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    ids = add_sessions(db, 3)
    # The server creates the events, then the connection dies before the answer; twice, so
    # both httplib2's own resend and our retry see the lost answers.
    standin.faults.add(Fault("drop_after", match="POST /batch"), times=2)
    summary = make_engine().run()
    cal = calendar_id(db)
    events = by_session(standin, cal)
    assert sorted(events) == sorted(str(i) for i in ids)
    assert all(len(v) == 1 for v in events.values())
    assert len(standin.events(cal, include_cancelled=True)) == 3
    assert summary.errors == 0
    assert pending(db) == 0
    batches = [r for r in standin.log if r.path == "/batch/calendar/v3"]
    assert len(batches) >= 3 and batches[0].fault == "drop_after"
    for sid in ids:
        row = get_session(db, sid)
        assert row.google_etag == events[str(sid)][0]["etag"]


def test_adopt_revives_event_deleted_in_google(db: Database, standin: CalendarStandIn,
                                               make_engine: EngineFactory) -> None:
    sid = add_session(db, title="Revive me")
    make_engine().run()
    cal = calendar_id(db)
    eid = get_session(db, sid).google_event_id
    assert eid is not None
    # Google has the (deleted) event but we lost our etag, e.g. restored an old backup.
    standin.remote_cancel(cal, eid)
    with db.transaction() as s:
        from mentordesk.storage.schema import Session as Row
        row = s.get(Row, sid)
        assert row is not None
        row.google_etag = None
        row.sync_snapshot = None
        row.title = "Revived"
        from mentordesk.storage.outbox import enqueue_session_change
        enqueue_session_change(s, row)
    make_engine().run(allow_mass_delete=True)
    event = standin.get_event(cal, eid)
    assert event["status"] == "confirmed"
    assert event["summary"] == "Revived"
    assert len(standin.events(cal, include_cancelled=True)) == 1
    assert get_session(db, sid).status == "scheduled"


def test_remote_move_and_cancel_are_pulled(db: Database, standin: CalendarStandIn,
                                           make_engine: EngineFactory) -> None:
    moved, cancelled, kept = add_sessions(db, 3)
    make_engine().run()
    cal = calendar_id(db)
    new_start = START + timedelta(days=10, hours=3)
    standin.remote_move(cal, get_session(db, moved).google_event_id or "", new_start,
                        new_start + timedelta(minutes=90))
    standin.remote_cancel(cal, get_session(db, cancelled).google_event_id or "")
    summary = make_engine().run()
    assert summary.pulled == 2
    row = get_session(db, moved)
    assert row.start_utc == new_start
    assert row.duration_minutes == 90
    assert get_session(db, cancelled).status == "cancelled"
    assert get_session(db, kept).status == "scheduled"
    assert pending(db) == 0
    # Nothing echoes back: the next sync pushes nothing.
    standin.reset_log()
    assert make_engine().run().updated == 0
    assert standin.request_count("/batch") == 0


def test_local_edit_cancel_and_delete_are_pushed(db: Database, standin: CalendarStandIn,
                                                 make_engine: EngineFactory) -> None:
    edited, cancelled, deleted = add_sessions(db, 3)
    make_engine().run()
    cal = calendar_id(db)
    deleted_eid = get_session(db, deleted).google_event_id or ""
    edit_session(db, edited, title="New title", start_utc=START + timedelta(hours=5))
    edit_session(db, cancelled, status="cancelled")
    delete_session(db, deleted)
    summary = make_engine().run()
    assert (summary.updated, summary.deleted) == (1, 2)
    event = standin.get_event(cal, get_session(db, edited).google_event_id or "")
    assert event["summary"] == "New title"
    assert event["start"]["dateTime"].startswith("2026-03-02T15:00:00+01:00")
    assert standin.get_event(cal, get_session(db, cancelled).google_event_id or "")[
        "status"] == "cancelled"
    assert standin.get_event(cal, deleted_eid)["status"] == "cancelled"
    assert pending(db) == 0
    # The deleted session does not come back from the pull (no resurrection).
    make_engine().run()
    with db.reader() as s:
        from mentordesk.storage.schema import Session as Row
        assert s.get(Row, deleted) is None
        assert s.query(Row).count() == 2


def test_conflict_on_both_sides_then_keep_mine(db: Database, standin: CalendarStandIn,
                                               make_engine: EngineFactory) -> None:
    sid = add_session(db, title="Original", agenda="a")
    make_engine().run()
    cal = calendar_id(db)
    eid = get_session(db, sid).google_event_id or ""
    standin.remote_patch(cal, eid, {"summary": "Google title", "description": "b"})
    edit_session(db, sid, title="My title")
    summary = make_engine().run()
    assert summary.conflicts == 1
    row = get_session(db, sid)
    conflict = json.loads(row.sync_conflict or "")
    assert conflict["fields"] == ["title"]
    assert conflict["mine"]["title"] == "My title"
    assert conflict["google"]["title"] == "Google title"
    assert row.agenda == "b"  # the non-conflicting change from Google was taken
    assert standin.get_event(cal, eid)["summary"] == "Google title"
    # Unresolved conflicts are not pushed.
    assert make_engine().run().updated == 0
    resolve_conflict(db, sid, keep="mine")
    make_engine().run()
    assert standin.get_event(cal, eid)["summary"] == "My title"
    assert standin.get_event(cal, eid)["description"] == "b"
    assert get_session(db, sid).sync_conflict is None
    assert pending(db) == 0


def test_conflict_use_google(db: Database, standin: CalendarStandIn,
                             make_engine: EngineFactory) -> None:
    sid = add_session(db, title="Original")
    make_engine().run()
    cal = calendar_id(db)
    eid = get_session(db, sid).google_event_id or ""
    standin.remote_patch(cal, eid, {"summary": "Google title"})
    edit_session(db, sid, title="My title")
    make_engine().run()
    resolve_conflict(db, sid, keep="google")
    assert get_session(db, sid).title == "Google title"
    assert pending(db) == 0
    standin.reset_log()
    make_engine().run()
    assert standin.request_count("/batch") == 0
    assert standin.get_event(cal, eid)["summary"] == "Google title"


def test_412_with_only_google_owned_changes_repatches_without_conflict(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    mentee = add_mentee(db, "Ada", "ada@example.com")
    sid = add_session(db, title="Original", mentee_id=mentee)
    save_settings(db, invitations="all")  # the mentee is a guest who can reply
    make_engine().run()
    cal = calendar_id(db)
    eid = get_session(db, sid).google_event_id or ""
    edit_session(db, sid, title="Renamed")
    old_etag = get_session(db, sid).google_etag

    def google_side() -> None:
        standin.remote_set_color(cal, eid, "5")
        standin.remote_reply(cal, eid, "ada@example.com", "accepted")

    # Google's side changes between our pull and our push: the PATCH meets a new etag.
    standin.faults.before("POST /batch", google_side)
    standin.reset_log()
    summary = make_engine().run()
    statuses = [r.status for r in standin.log if r.path == "/batch/calendar/v3"]
    assert len(statuses) == 3  # PATCH (412), GET, PATCH again
    assert summary.conflicts == 0
    event = standin.get_event(cal, eid)
    assert event["summary"] == "Renamed"
    assert event["colorId"] == "5"
    assert event["attendees"][0]["responseStatus"] == "accepted"
    row = get_session(db, sid)
    assert row.sync_conflict is None
    assert row.google_etag == event["etag"] != old_etag
    assert pending(db) == 0


def test_412_with_owned_field_changed_on_both_sides_is_a_conflict(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    sid = add_session(db, title="Original")
    make_engine().run()
    cal = calendar_id(db)
    eid = get_session(db, sid).google_event_id or ""
    edit_session(db, sid, start_utc=START + timedelta(hours=1))
    new = START + timedelta(hours=2)
    standin.faults.before("POST /batch", lambda: standin.remote_move(
        cal, eid, new, new + timedelta(hours=1)))
    summary = make_engine().run()
    assert summary.conflicts == 1
    conflict = json.loads(get_session(db, sid).sync_conflict or "")
    assert conflict["fields"] == ["start"]
    assert standin.get_event(cal, eid)["start"]["dateTime"].startswith("2026-03-02T12:00")


def test_full_resync_after_410_neither_duplicates_nor_wipes(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    ids = add_sessions(db, 4)
    make_engine().run()
    cal = calendar_id(db)
    standin.invalidate_sync_tokens()
    standin.remote_add(cal, "Added in Google", START + timedelta(days=30),
                       START + timedelta(days=30, hours=1))
    edit_session(db, ids[0], title="Local edit")
    summary = make_engine().run()
    assert summary.full_resync
    assert summary.pulled == 1
    assert [r.status for r in standin.log if "/events" in r.path and r.method == "GET"][
        -2:] == [410, 200]
    with db.reader() as s:
        from mentordesk.storage.schema import Session as Row
        rows = s.query(Row).all()
        assert len(rows) == 5
        assert all(r.status == "scheduled" for r in rows)
    events = standin.events(cal)
    assert len(events) == 5
    assert any(e["summary"] == "Local edit" for e in events)
    # The new token works: the following sync is incremental again.
    assert not make_engine().run().full_resync


def test_invalid_sync_token_400_also_triggers_full_resync(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    add_sessions(db, 2)
    make_engine().run()
    with db.transaction() as s:
        sync_repo.set_state(s, "sync_token", "garbage")
    summary = make_engine().run()
    assert summary.full_resync
    assert len(standin.events(calendar_id(db))) == 2


def test_revoked_token_stops_and_keeps_queue(db: Database, standin: CalendarStandIn,
                                             make_engine: EngineFactory) -> None:
    add_sessions(db, 2)
    make_engine().run()
    standin.revoke_all()
    add_sessions(db, 3, title="Queued")
    with pytest.raises(AuthRevoked) as info:
        make_engine().run()
    assert info.value.pending == 3
    assert "Reconnect" in str(info.value)
    assert pending(db) == 3
    # Reconnecting gives a new refresh token; the queue goes out then.
    from mentordesk.sync.credentials import SCOPE_APP_CALENDAR, StoredSignIn

    fresh = StoredSignIn(standin.issue_refresh_token([SCOPE_APP_CALENDAR]),
                         (SCOPE_APP_CALENDAR,))
    assert make_engine(signin=fresh).run().created == 3
    assert pending(db) == 0


def test_offline_keeps_outbox_and_next_sync_catches_up(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    add_sessions(db, 2)
    make_engine().run()
    port = standin.port
    standin.stop()
    add_sessions(db, 2, title="Offline edit")
    with pytest.raises(Offline) as info:
        make_engine().run()
    assert info.value.pending == 2
    assert str(info.value).startswith("Offline — 2 changes queued")
    assert pending(db) == 2
    standin.start(port)
    assert make_engine().run().created == 2
    assert pending(db) == 0
    assert len(standin.events(calendar_id(db))) == 4


def test_thousand_sessions_in_few_requests(db: Database, standin: CalendarStandIn,
                                           make_engine: EngineFactory) -> None:
    import time

    add_sessions(db, 1000)
    began = time.perf_counter()
    summary = make_engine().run()
    elapsed = time.perf_counter() - began
    assert summary.created == 1000
    assert len(standin.log) <= 25, [r.path for r in standin.log]
    assert len(standin.events(calendar_id(db))) == 1000
    assert pending(db) == 0
    print(f"\n1000 sessions: {len(standin.log)} HTTP requests, {elapsed:.2f} s")


def test_quota_exceeded_pauses_writes_for_an_hour(db: Database, standin: CalendarStandIn,
                                                  make_engine: EngineFactory) -> None:
    from datetime import UTC, datetime

    add_sessions(db, 3)
    standin.faults.add(Fault("status", 403, "quotaExceeded", scope="inner",
                             match="POST /calendar/v3/calendars/"))
    summary = make_engine().run()
    assert summary.quota_paused_until is not None
    wait = summary.quota_paused_until - datetime.now(UTC)
    assert timedelta(minutes=55) < wait <= timedelta(hours=1)
    with db.reader() as s:
        assert sync_repo.get_state(s, "quota_paused_until")
    assert pending(db) >= 1
    # While paused, syncs read but do not write.
    standin.reset_log()
    again = make_engine().run()
    assert again.quota_paused_until is not None
    assert standin.request_count("/batch") == 0
    with db.transaction() as s:
        sync_repo.set_state(s, "quota_paused_until", None)
    make_engine().run()
    assert pending(db) == 0
    assert len(standin.events(calendar_id(db))) == 3


def test_rate_limits_retry_after_the_servers_delay(db: Database, standin: CalendarStandIn,
                                                   make_engine: EngineFactory) -> None:
    from tests.sync.conftest import fast_policy

    slept: list[float] = []
    add_sessions(db, 2)
    standin.faults.add(Fault("status", 429, "rateLimitExceeded", retry_after=2,
                             match="POST /batch"))
    standin.faults.add(Fault("status", 403, "userRateLimitExceeded", scope="inner",
                             match="POST /calendar"))
    summary = make_engine(policy=fast_policy(sleep=slept.append)).run()
    assert summary.created == 2
    assert slept[0] >= 2.0  # Retry-After honoured
    assert len(slept) == 2 and slept[1] < 0.1  # per-call rate limit retried soon


def test_meet_link_round_trip(db: Database, standin: CalendarStandIn,
                              make_engine: EngineFactory) -> None:
    sid = add_session(db, title="With Meet", want_meet=True)
    make_engine().run()
    cal = calendar_id(db)
    row = get_session(db, sid)
    event = standin.get_event(cal, row.google_event_id or "")
    assert row.meeting_link and row.meeting_link.startswith("https://meet.google.com/")
    assert event["hangoutLink"] == row.meeting_link
    # A new requestId for each request: Google ignores one it has seen before.
    request_id = event["conferenceData"]["createRequest"]["requestId"]
    assert request_id not in str(row.google_event_id) and len(request_id) >= 16
    # Editing the session keeps the same conference.
    edit_session(db, sid, title="Renamed")
    make_engine().run()
    assert get_session(db, sid).meeting_link == row.meeting_link
    assert standin.get_event(cal, row.google_event_id or "")["hangoutLink"] == row.meeting_link
    # Asking for Meet later on an existing event adds one with a PATCH.
    other = add_session(db, title="Later Meet")
    make_engine().run()
    edit_session(db, other, want_meet=True)
    make_engine().run()
    link = get_session(db, other).meeting_link
    assert link and link.startswith("https://meet.google.com/") and link != row.meeting_link


def test_mass_delete_guard_stops_and_asks(db: Database, standin: CalendarStandIn,
                                          make_engine: EngineFactory) -> None:
    ids = add_sessions(db, 10)
    make_engine().run()
    cal = calendar_id(db)
    for sid in ids[:6]:
        standin.remote_cancel(cal, get_session(db, sid).google_event_id or "")
    with pytest.raises(MassDeleteBlocked) as info:
        make_engine().run()
    assert (info.value.count, info.value.total) == (6, 10)
    assert all(get_session(db, sid).status == "scheduled" for sid in ids)
    # Asked again, still blocked; confirmed, applied.
    with pytest.raises(MassDeleteBlocked):
        make_engine().run()
    make_engine().run(allow_mass_delete=True)
    assert [get_session(db, sid).status for sid in ids].count("cancelled") == 6


def test_event_added_in_google_becomes_session_matched_by_attendee(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    mentee = add_mentee(db, "Grace", "Grace@Example.com")
    make_engine().run()
    cal = calendar_id(db)
    standin.remote_add(cal, "Coffee chat", START, START + timedelta(minutes=30),
                       attendees=("mentor@example.com", "grace@example.com"),
                       tz="America/New_York")
    standin.remote_add(cal, "Unknown person", START, START + timedelta(minutes=30),
                       attendees=("someone@else.org",))
    make_engine().run()
    with db.reader() as s:
        from mentordesk.storage.schema import Session as Row
        rows = {r.title: (r.mentee_id, r.timezone, r.duration_minutes)
                for r in s.query(Row).all()}
    assert rows["Coffee chat"] == (mentee, "America/New_York", 30)
    assert rows["Unknown person"][0] is None
    assert pending(db) == 0


def test_invalid_data_is_a_per_session_error_not_retried(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    bad_zone = add_session(db, title="Bad zone", tz="Mars/Olympus_Mons")
    refused = add_session(db, title="Refused by Google")
    good = add_session(db, title="Fine")
    standin.faults.add(Fault("status", 400, "invalid", scope="inner", match="POST /calendar"))
    # The fault hits the first insert sent, which is "Refused by Google" (Bad zone is
    # refused locally before anything is sent).
    summary = make_engine().run()
    assert summary.errors == 2
    assert "time zone" in (get_session(db, bad_zone).sync_error or "")
    assert get_session(db, refused).sync_error
    assert get_session(db, good).sync_error is None
    standin.reset_log()
    make_engine().run()
    assert standin.request_count("/batch") == 0  # not retried until edited
    edit_session(db, bad_zone, timezone="Europe/Paris")
    assert make_engine().run().created == 1
    assert get_session(db, bad_zone).sync_error is None


def test_cancelled_occurrence_is_an_instance_of_the_series_not_a_rewrite(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    from mentordesk.storage.outbox import enqueue_session_change
    from mentordesk.storage.schema import Session as Row

    master = add_session(db, title="Weekly", rrule="FREQ=WEEKLY")
    make_engine().run()
    cal = calendar_id(db)
    with db.transaction() as s:
        occurrence = Row(title="Weekly", start_utc=START + timedelta(days=7),
                         timezone="Europe/Berlin", duration_minutes=60, series_id=master,
                         original_start_utc=START + timedelta(days=7), status="cancelled")
        s.add(occurrence)
        s.flush()
        occurrence_id = occurrence.id
        enqueue_session_change(s, occurrence)
    master_eid = get_session(db, master).google_event_id or ""
    series_etag = standin.get_event(cal, master_eid)["etag"]
    make_engine().run()
    # Google's way: the series is untouched, the occurrence is its cancelled instance.
    event = standin.get_event(cal, master_eid)
    assert event["recurrence"] == ["RRULE:FREQ=WEEKLY"]
    assert event["etag"] == series_etag
    instance = standin.get_event(cal, f"{master_eid}_20260309T090000Z")
    assert instance["status"] == "cancelled"
    assert instance["recurringEventId"] == master_eid
    assert get_session(db, occurrence_id).google_event_id == instance["id"]
    assert pending(db) == 0
    assert len(standin.events(cal)) == 1


def test_missing_calendar_is_reported_and_can_be_recreated(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    add_sessions(db, 3)
    make_engine().run()
    old = calendar_id(db)
    standin.delete_calendar(old)
    add_sessions(db, 1, title="New")
    with pytest.raises(CalendarMissing):
        make_engine().run()
    assert pending(db) == 1
    queued = make_engine().recreate_calendar()
    assert queued == 4
    make_engine().run()
    new = calendar_id(db)
    assert new != old
    assert len(standin.events(new)) == 4
    assert pending(db) == 0


def test_session_deleted_without_outbox_entry_is_removed_not_resurrected(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    from mentordesk.storage.schema import Mentee

    mentee = add_mentee(db, "Leaving", "leaving@example.com")
    kept = add_session(db, title="Stays")
    gone = add_session(db, title="Cascade", mentee_id=mentee)
    make_engine().run()
    cal = calendar_id(db)
    gone_eid = get_session(db, gone).google_event_id or ""
    with db.transaction() as s:  # the FK cascade deletes the session, queuing nothing
        s.delete(s.get(Mentee, mentee))
    standin.invalidate_sync_tokens()  # a full relist sees every event again
    make_engine().run()
    assert standin.get_event(cal, gone_eid)["status"] == "cancelled"
    with db.reader() as s:
        from mentordesk.storage.schema import Session as Row
        assert [r.id for r in s.query(Row).all()] == [kept]
    assert pending(db) == 0  # queued by the pull, sent by the push of the same sync


def test_lost_database_rebuilds_mapping_from_google(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory,
        template_db: object, tmp_path: object) -> None:
    import shutil
    from pathlib import Path

    from mentordesk.storage.database import open_database

    add_sessions(db, 3)
    remembered: list[str] = []
    make_engine(calendar=CalendarSource(create=True, remember=remembered.append)).run()
    assert remembered == [calendar_id(db)]
    assert isinstance(template_db, Path) and isinstance(tmp_path, Path)
    fresh_path = tmp_path / "fresh.sqlite3"
    shutil.copy(template_db, fresh_path)
    fresh = open_database(fresh_path)
    try:
        # The new file finds the calendar kept with the sign-in, not by listing calendars
        # (calendar.app.created may not list them).
        summary = make_engine(database=fresh,
                              calendar=CalendarSource(remembered=remembered[0])).run()
        assert summary.pulled == 3
        with fresh.reader() as s:
            from mentordesk.storage.schema import Session as Row
            titles = sorted(r.title for r in s.query(Row).all())
        assert titles == ["Session 0", "Session 1", "Session 2"]
        assert len(standin.calendars) == 2  # primary + the one MentorDesk calendar, found
    finally:
        fresh.close()


def test_new_session_never_takes_over_a_deleted_sessions_pending_delete(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    first, last = add_sessions(db, 2)
    make_engine().run()
    cal = calendar_id(db)
    old_eid = get_session(db, last).google_event_id or ""
    delete_session(db, last)  # the highest id: SQLite would hand it out again without
    newcomer = add_session(db, title="Newcomer")  # AUTOINCREMENT
    assert newcomer > last
    make_engine().run()
    assert standin.get_event(cal, old_eid)["status"] == "cancelled"
    assert sorted(e["summary"] for e in standin.events(cal)) == ["Newcomer", "Session 0"]
    assert first in {int(k) for k in by_session(standin, cal)}


def test_timeout_after_the_server_did_the_work_leaves_one_event(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    ids = add_sessions(db, 2)
    # The server creates the events, then answers too late for the client's timeout.
    standin.faults.add(Fault("delay", delay=0.6, match="POST /batch"))
    summary = make_engine(timeout=0.3).run()
    assert summary.errors == 0
    events = by_session(standin, calendar_id(db))
    assert sorted(events) == sorted(str(i) for i in ids)
    assert all(len(v) == 1 for v in events.values())
    assert pending(db) == 0
