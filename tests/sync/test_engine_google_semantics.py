"""The sync against Google's documented semantics (the Calendar v3 discovery document and
Google's guides on recurring events, synchronization, errors and scopes), one test per way
the first version broke against the real service. Each drives the real client library over
HTTP against the stand-in, which models the same semantics."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mentordesk.services.ics_export import export_ics
from mentordesk.services.sessions import SessionRef, SessionService
from mentordesk.storage import sync_repo
from mentordesk.storage.database import Database
from mentordesk.storage.schema import Session as Row
from mentordesk.sync.credentials import (
    SCOPE_APP_CALENDAR,
    SCOPE_EVENTS,
    ClientConfig,
    CredentialStore,
    StoredSignIn,
)
from mentordesk.sync.engine import CalendarSource
from mentordesk.sync.errors import (
    ApiNotEnabled,
    CalendarChoiceNeeded,
    PermissionMissing,
)
from mentordesk.sync.mapping import PRIVATE_KEY
from mentordesk.sync.service import build_engine, choose_calendar, save_settings
from mentordesk.sync.status import session_sync_status
from tests.support.calendar_standin import CalendarStandIn, Fault
from tests.support.calendar_standin import wait_until as wait_for
from tests.sync.conftest import (
    START,
    EngineFactory,
    MemoryKeyring,
    add_mentee,
    add_session,
    calendar_id,
    edit_session,
    get_session,
)

WEEK = timedelta(days=7)


def pending(db: Database) -> int:
    with db.reader() as s:
        return sync_repo.pending_count(s)


def rows(db: Database) -> list[Row]:
    with db.reader() as s:
        found = list(s.query(Row).order_by(Row.id).all())
        for row in found:
            s.expunge(row)
        return found


def batch_calls(standin: CalendarStandIn) -> int:
    return sum(r.inner for r in standin.log if r.path == "/batch/calendar/v3")


def upcoming_starts(db: Database, *, include_cancelled: bool = False) -> list[datetime]:
    records = SessionService(db).upcoming(START - timedelta(days=1), START + 5 * WEEK,
                                          include_cancelled=include_cancelled)
    return [r.start_utc for r in records if r.status != "cancelled" or include_cancelled]


# ---- 1. exceptions of a series --------------------------------------------------------


def test_occurrence_cancelled_in_google_is_cancelled_here_and_the_series_stays(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory,
        tmp_path: Path) -> None:
    master = add_session(db, title="Weekly", rrule="FREQ=WEEKLY")
    make_engine().run()
    cal = calendar_id(db)
    master_eid = get_session(db, master).google_event_id or ""
    standin.remote_cancel_occurrence(cal, master_eid, START + WEEK)
    summary = make_engine().run()
    assert summary.pulled == 1
    assert START + WEEK not in upcoming_starts(db)
    assert START + 2 * WEEK in upcoming_starts(db)
    series = get_session(db, master)
    assert series.rrule == "FREQ=WEEKLY" and series.status == "scheduled"
    ics = tmp_path / "sessions.ics"
    export_ics(db, ics)
    assert "EXDATE" in ics.read_text() or "RECURRENCE-ID" in ics.read_text()
    # Nothing to send back: the series in Google was never rewritten.
    standin.reset_log()
    make_engine().run()
    assert batch_calls(standin) == 0
    assert standin.get_event(cal, master_eid)["recurrence"] == ["RRULE:FREQ=WEEKLY"]


def test_occurrence_moved_in_google_moves_here(db: Database, standin: CalendarStandIn,
                                               make_engine: EngineFactory,
                                               tmp_path: Path) -> None:
    mentee = add_mentee(db, "Ada", "ada@example.com")
    master = add_session(db, title="Weekly", rrule="FREQ=WEEKLY", mentee_id=mentee)
    make_engine().run()
    cal = calendar_id(db)
    master_eid = get_session(db, master).google_event_id or ""
    moved = START + WEEK + timedelta(hours=3)
    standin.remote_move_occurrence(cal, master_eid, START + WEEK, moved,
                                   moved + timedelta(hours=1), summary="Weekly (moved)")
    make_engine().run()
    starts = upcoming_starts(db)
    assert moved in starts and START + WEEK not in starts
    # The Mentees view's "next session" follows the move too.
    from mentordesk.services.mentee_rows import list_rows

    [mentee_row] = list_rows(db, now=START + timedelta(days=1))
    assert mentee_row.next_session == moved
    exception = next(r for r in rows(db) if r.series_id == master)
    assert exception.original_start_utc == START + WEEK
    assert exception.title == "Weekly (moved)" and exception.mentee_id == mentee
    text = (tmp_path / "s.ics")
    export_ics(db, text)
    assert "RECURRENCE-ID" in text.read_text()
    standin.reset_log()
    make_engine().run()
    assert batch_calls(standin) == 0


def test_one_occurrence_edited_here_patches_googles_instance(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    master = add_session(db, title="Weekly", rrule="FREQ=WEEKLY")
    make_engine().run()
    cal = calendar_id(db)
    master_eid = get_session(db, master).google_event_id or ""
    series_etag = standin.get_event(cal, master_eid)["etag"]
    service = SessionService(db)
    moved = START + 2 * WEEK + timedelta(hours=2)
    service.update(SessionRef(master, START + 2 * WEEK), start_utc=moved, title="Later today")
    service.cancel(SessionRef(master, START + 3 * WEEK))
    make_engine().run()
    assert pending(db) == 0
    # The series itself is not rewritten; its instances carry the change.
    series = standin.get_event(cal, master_eid)
    assert series["etag"] == series_etag and series["recurrence"] == ["RRULE:FREQ=WEEKLY"]
    instance = standin.get_event(cal, f"{master_eid}_20260316T090000Z")
    assert instance["recurringEventId"] == master_eid
    assert instance["summary"] == "Later today"
    assert instance["start"]["dateTime"].startswith("2026-03-16T12:00:00+01:00")
    assert standin.get_event(cal, f"{master_eid}_20260323T090000Z")["status"] == "cancelled"
    live = standin.events(cal)
    assert [e["id"] for e in live if "recurringEventId" not in e] == [master_eid]


def test_series_and_its_changed_occurrence_first_pushed_together(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    master = add_session(db, title="Weekly", rrule="FREQ=WEEKLY")
    SessionService(db).update(SessionRef(master, START + WEEK), title="Special")
    make_engine().run()
    assert pending(db) == 0
    cal = calendar_id(db)
    master_eid = get_session(db, master).google_event_id or ""
    assert standin.get_event(cal, f"{master_eid}_20260309T090000Z")["summary"] == "Special"


# ---- 2. series with an end ------------------------------------------------------------


@pytest.mark.parametrize("rule", ["FREQ=WEEKLY;UNTIL=20260601T085959Z", "FREQ=WEEKLY;COUNT=6",
                                  "FREQ=DAILY;INTERVAL=2;UNTIL=20260331"])
def test_series_with_an_end_push_and_pull_intact(rule: str, db: Database,
                                                 standin: CalendarStandIn,
                                                 make_engine: EngineFactory) -> None:
    sid = add_session(db, title="Ending", rrule=rule)
    summary = make_engine().run()
    assert summary.errors == 0 and summary.created == 1
    row = get_session(db, sid)
    assert row.sync_error is None
    cal = calendar_id(db)
    event = standin.get_event(cal, row.google_event_id or "")
    assert event["recurrence"] == [f"RRULE:{rule}"]
    standin.remote_patch(cal, event["id"], {"summary": "Ending (renamed in Google)"})
    make_engine().run()
    row = get_session(db, sid)
    assert row.rrule == rule and row.title == "Ending (renamed in Google)"
    assert standin.get_event(cal, event["id"])["recurrence"] == [f"RRULE:{rule}"]


def test_a_rule_mentordesk_refuses_says_so_and_sends_nothing(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    sid = add_session(db, title="Broken", rrule="FREQ=WEEKLY;BYDAY=XX")
    standin.reset_log()
    summary = make_engine().run()
    assert summary.errors == 1
    error = get_session(db, sid).sync_error or ""
    assert "Google" not in error.split("(")[0] or error.startswith("Not sent to Google")
    assert not error.startswith("Google refused")
    assert session_sync_status(db, sid).error_field == "recurrence"
    assert batch_calls(standin) == 0


# ---- 3. which calendar ----------------------------------------------------------------


@pytest.fixture
def wired(db: Database, standin: CalendarStandIn, client_config: ClientConfig,
          memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> CredentialStore:
    """The real wiring (settings, keyring, build_engine) with an app-created-scope sign-in."""
    monkeypatch.setenv("MENTORDESK_CALENDAR_API", standin.api_endpoint)
    save_settings(db, client_secrets=client_config.path)
    store = CredentialStore()
    store.save(StoredSignIn(standin.issue_refresh_token([SCOPE_APP_CALENDAR]),
                            (SCOPE_APP_CALENDAR,), "mentor@example.com"))
    return store


def _fresh_file(template_db: Path, tmp_path: Path, name: str,
                client_config: ClientConfig) -> Database:
    import shutil

    from mentordesk.storage.database import open_database

    path = tmp_path / name
    shutil.copy(template_db, path)
    database = open_database(path)
    save_settings(database, client_secrets=client_config.path)
    return database


def test_app_created_scope_never_makes_a_second_mentordesk_calendar(
        db: Database, standin: CalendarStandIn, wired: CredentialStore, template_db: Path,
        tmp_path: Path, client_config: ClientConfig) -> None:
    add_session(db, title="First file")
    with pytest.raises(CalendarChoiceNeeded):
        build_engine(db).run()  # nobody said to create one, and it may not look
    assert [c.summary for c in standin.calendars.values()] == ["mentor@example.com"]
    choose_calendar(db, create=True)
    build_engine(db).run()
    first = calendar_id(db)
    signin = wired.load()
    assert signin is not None and signin.calendar_id == first  # kept with the sign-in
    # A new file, a restored one: the calendar is found through the sign-in.
    other = _fresh_file(template_db, tmp_path, "second.sqlite3", client_config)
    try:
        add_session(other, title="Second file", start=START + timedelta(hours=5))
        build_engine(other).run()
        assert calendar_id(other) == first
    finally:
        other.close()
    # Main calendar mode and back: still the same calendar.
    save_settings(db, mode="app")
    assert sum(1 for c in standin.calendars.values() if c.summary == "MentorDesk") == 1
    titles = sorted(e["summary"] for e in standin.events(first))
    assert titles == ["First file", "Second file"]


def test_a_second_computer_uses_the_calendar_id_the_mentor_gives(
        db: Database, standin: CalendarStandIn, wired: CredentialStore, template_db: Path,
        tmp_path: Path, client_config: ClientConfig, memory_keyring: MemoryKeyring) -> None:
    choose_calendar(db, create=True)
    add_session(db, title="Laptop")
    build_engine(db).run()
    cal = calendar_id(db)
    # The desktop: its own keyring (a new sign-in, no calendar id) and its own file.
    memory_keyring.store.clear()
    wired.save(StoredSignIn(standin.issue_refresh_token([SCOPE_APP_CALENDAR]),
                            (SCOPE_APP_CALENDAR,)))
    desk = _fresh_file(template_db, tmp_path, "desk.sqlite3", client_config)
    try:
        with pytest.raises(CalendarChoiceNeeded):
            build_engine(desk).run()
        choose_calendar(desk, calendar_id=cal)
        summary = build_engine(desk).run()
        assert calendar_id(desk) == cal and summary.pulled == 1
        assert [r.title for r in rows(desk)] == ["Laptop"]
    finally:
        desk.close()
    assert sum(1 for c in standin.calendars.values() if c.summary == "MentorDesk") == 1


def test_listing_calendars_with_the_app_scope_is_refused_in_googles_shape(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    from mentordesk.sync.engine import SyncEngine

    engine: SyncEngine = make_engine(calendar=CalendarSource(can_list=True))
    with pytest.raises(PermissionMissing, match="list your calendars"):
        engine.run()


# ---- 4. minimal deleted payloads ------------------------------------------------------


def test_series_deleted_in_google_is_cancelled_not_turned_into_a_one_off(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    sid = add_session(db, title="Weekly", rrule="FREQ=WEEKLY;INTERVAL=2")
    make_engine().run()
    cal = calendar_id(db)
    eid = get_session(db, sid).google_event_id or ""
    standin.remote_cancel(cal, eid)
    page = standin.handle_api("GET", f"/calendar/v3/calendars/{cal}/events",
                              {"syncToken": _token(db)},
                              {"authorization": f"Bearer {standin.issued_access_tokens[-1]}"},
                              b"")[1]
    assert page is not None and set(page["items"][0]) <= {"kind", "etag", "id", "status"}
    make_engine().run()
    row = get_session(db, sid)
    assert row.status == "cancelled"
    assert row.rrule == "FREQ=WEEKLY;INTERVAL=2" and row.title == "Weekly"
    assert pending(db) == 0


def _token(db: Database) -> str:
    with db.reader() as s:
        token = sync_repo.get_state(s, "sync_token")
    assert token
    return token


# ---- 5. ids stay taken ----------------------------------------------------------------


def test_purged_event_gets_a_fresh_id_instead_of_a_missing_calendar(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    sid = add_session(db, title="Purged")
    make_engine().run()
    cal = calendar_id(db)
    old = get_session(db, sid).google_event_id or ""
    standin.purge_event(cal, old)
    edit_session(db, sid, title="Still wanted")
    summary = make_engine().run()  # PATCH 404 -> insert 409 -> GET 404 -> new id
    assert summary.errors == 0
    row = get_session(db, sid)
    assert row.google_event_id and row.google_event_id != old
    assert standin.get_event(cal, row.google_event_id)["summary"] == "Still wanted"
    assert calendar_id(db) == cal and pending(db) == 0


def test_a_calendar_is_called_missing_only_when_google_says_so(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    from mentordesk.sync.errors import CalendarMissing

    add_session(db)
    make_engine().run()
    standin.delete_calendar(calendar_id(db))
    add_session(db, title="After")
    with pytest.raises(CalendarMissing):
        make_engine().run()


# ---- 6. rules Google's UI writes --------------------------------------------------------


@pytest.mark.parametrize(("rule", "weekdays"), [
    ("FREQ=WEEKLY;WKST=SU;BYDAY=MO", {0}),
    ("FREQ=WEEKLY;BYDAY=MO,WE", {0, 2}),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", {0, 1, 2, 3, 4}),
    ("FREQ=WEEKLY;WKST=SU;UNTIL=20260331T215959Z;BYDAY=MO,WE", {0, 2}),
    ("FREQ=MONTHLY;BYDAY=2TU", {1}),
    ("FREQ=YEARLY;COUNT=3", {0, 1}),  # 2 March: a Monday in 2026, a Tuesday in 2027
])
def test_rules_googles_ui_writes_are_expanded_and_synced_back_unchanged(
        rule: str, weekdays: set[int], db: Database, standin: CalendarStandIn,
        make_engine: EngineFactory, tmp_path: Path) -> None:
    make_engine().run()
    cal = calendar_id(db)
    first = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Berlin
    if "2TU" in rule:
        first = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # the second Tuesday
    made = standin.remote_add(cal, "From Google", first, first + timedelta(hours=1),
                              tz="Europe/Berlin", recurrence=[f"RRULE:{rule}"])
    make_engine().run()
    row = next(r for r in rows(db) if r.google_event_id == made["id"])
    assert row.rrule == rule  # kept byte for byte
    records = SessionService(db).upcoming(first - timedelta(hours=1),
                                          first + timedelta(days=400))
    mine = [r for r in records if r.ref.session_id == row.id]
    assert mine, "the series vanished from the upcoming list"
    assert {r.start_utc.astimezone(ZoneInfoBerlin).weekday() for r in mine} == weekdays
    assert all(r.start_utc.astimezone(ZoneInfoBerlin).hour == 9 for r in mine)
    export = tmp_path / "s.ics"
    export_ics(db, export)
    folded = export.read_text().replace("\r\n ", "")
    assert _same_rule(folded, rule)
    edit_session(db, row.id, title="Renamed here")
    make_engine().run()
    event = standin.get_event(cal, made["id"])
    assert event["summary"] == "Renamed here" and event["recurrence"] == [f"RRULE:{rule}"]


ZoneInfoBerlin = __import__("zoneinfo").ZoneInfo("Europe/Berlin")


def _same_rule(ics: str, rule: str) -> bool:
    """The exported RRULE has the same parts as ``rule`` (icalendar may reorder them)."""
    return any(set(line.removeprefix("RRULE:").split(";")) == set(rule.split(";"))
               for line in ics.splitlines() if line.startswith("RRULE:"))


# ---- 7. main calendar -----------------------------------------------------------------


def test_main_calendar_imports_only_meetings_with_mentees_and_never_writes_others(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    add_mentee(db, "Ada", "ada@example.com")
    signin = StoredSignIn(standin.issue_refresh_token([SCOPE_EVENTS]), (SCOPE_EVENTS,))
    primary = standin.primary.id
    when = START + timedelta(days=2)
    end = when + timedelta(hours=1)
    for kind in ("workingLocation", "outOfOffice", "focusTime", "birthday", "fromGmail"):
        standin.remote_add(primary, kind, when, end, attendees=("ada@example.com",),
                           event_type=kind)
    standin.remote_add(primary, "Dentist", when, end)
    meeting = standin.remote_add(primary, "Ada / me", when, end,
                                 attendees=("ada@example.com",))
    make_engine(signin=signin, mode="primary").run()
    imported = rows(db)
    assert [r.title for r in imported] == ["Ada / me"]
    # Edited here: the mentor's own event is never patched or deleted by MentorDesk.
    edit_session(db, imported[0].id, title="Renamed here")
    standin.reset_log()
    make_engine(signin=signin, mode="primary").run()
    assert batch_calls(standin) == 0
    assert standin.get_event(primary, meeting["id"])["summary"] == "Ada / me"
    assert pending(db) == 0
    # Deleted here (with its mentee): still never deleted there.
    from mentordesk.storage.mentees_repo import delete_mentee

    with db.transaction() as s:
        delete_mentee(s, imported[0].mentee_id or 0)
    assert pending(db) == 0
    make_engine(signin=signin, mode="primary").run()
    assert standin.get_event(primary, meeting["id"])["status"] == "confirmed"


# ---- 8. invitations --------------------------------------------------------------------


def test_invitations_follow_the_mentors_choice(db: Database, standin: CalendarStandIn,
                                               make_engine: EngineFactory) -> None:
    mentee = add_mentee(db, "Ada", "ada@example.com")
    quiet = add_session(db, title="Quiet", mentee_id=mentee)
    make_engine().run()
    cal = calendar_id(db)
    assert "attendees" not in standin.get_event(cal, get_session(db, quiet).google_event_id
                                                or "")
    assert all("sendUpdates=none" in r.query for r in standin.log
               if r.path.startswith("/calendar/v3/calendars/") and r.method != "GET")
    save_settings(db, invitations="externalOnly")
    invited = add_session(db, title="Invited", mentee_id=mentee,
                          start=START + timedelta(days=1))
    standin.reset_log()
    make_engine().run()
    event = standin.get_event(cal, get_session(db, invited).google_event_id or "")
    assert event["attendees"] == [{"email": "ada@example.com"}]
    inner = _inner_queries(standin)
    assert inner and all("sendUpdates=externalOnly" in q for q in inner)
    with pytest.raises(ValueError):
        save_settings(db, invitations="everyone")


def _inner_queries(standin: CalendarStandIn) -> list[str]:
    """The query strings of the calls inside the batches the stand-in answered."""
    return [q for q in standin.inner_queries if "/events" in q]


# ---- 9. Meet links ---------------------------------------------------------------------


def test_a_pending_meet_conference_is_read_again_until_it_is_ready(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    standin.conference_reads_until_ready = 2
    sid = add_session(db, title="Meet", want_meet=True)
    make_engine().run()
    row = get_session(db, sid)
    assert row.meeting_link and row.meeting_link.startswith("https://meet.google.com/")
    assert pending(db) == 0


def test_a_slow_meet_conference_is_picked_up_by_the_next_sync_not_requested_twice(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    standin.conference_reads_until_ready = 5
    sid = add_session(db, title="Meet", want_meet=True)
    make_engine().run()
    assert get_session(db, sid).meeting_link is None
    assert pending(db) == 1  # still waiting for Google's conference
    requested = len(standin.used_request_ids)
    make_engine().run()
    make_engine().run()
    assert get_session(db, sid).meeting_link
    assert len(standin.used_request_ids) == requested == 1
    assert pending(db) == 0


def test_a_failed_meet_conference_shows_on_the_session_and_an_edit_asks_again(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    standin.conference_failures = 1
    sid = add_session(db, title="Meet", want_meet=True)
    make_engine().run()
    status = session_sync_status(db, sid)
    assert status.state == "error" and "Meet" in status.text
    edit_session(db, sid, title="Meet, again")
    make_engine().run()
    row = get_session(db, sid)
    assert row.meeting_link and row.sync_error is None
    assert len(standin.used_request_ids) == 2  # a new requestId, not the ignored old one


# ---- 10. errors -------------------------------------------------------------------------


def test_calendar_api_disabled_is_one_plain_line_from_the_command(
        db: Database, standin: CalendarStandIn, wired: CredentialStore) -> None:
    from mentordesk.cli import main

    choose_calendar(db, create=True)
    add_session(db)
    path = db.path
    db.close()
    standin.api_enabled = False
    out, err = io.StringIO(), io.StringIO()
    assert main(["--db", str(path), "sync"], out=out, err=err) == 1
    assert out.getvalue() == ""
    lines = err.getvalue().splitlines()
    assert len(lines) == 1 and "not enabled" in lines[0] and "Traceback" not in lines[0]
    assert "APIs & Services" in lines[0]


def test_api_disabled_and_missing_permissions_are_named_in_the_engine(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    add_session(db)
    make_engine().run()
    add_session(db, title="Later")
    standin.api_enabled = False
    with pytest.raises(ApiNotEnabled):
        make_engine().run()
    standin.api_enabled = True
    standin.faults.add(Fault("status", 403, "insufficientPermissions", scope="inner",
                             match="POST /calendar"))
    with pytest.raises(PermissionMissing):
        make_engine().run()
    assert pending(db) == 1  # nothing lost


def test_quota_exceeded_backs_off_progressively_and_says_when(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    from mentordesk.sync.engine import SyncEngine

    add_session(db)
    clock = [datetime(2026, 3, 1, 12, 0, tzinfo=UTC)]

    def engine() -> SyncEngine:
        made: SyncEngine = make_engine()
        made._now = lambda: clock[0]  # type: ignore[method-assign]
        return made

    pauses = []
    for _ in range(3):
        standin.faults.add(Fault("status", 403, "quotaExceeded", scope="inner",
                                 match="POST /calendar"))
        summary = engine().run()
        assert summary.quota_paused_until is not None
        pauses.append(summary.quota_paused_until - clock[0])
        clock[0] = summary.quota_paused_until + timedelta(seconds=1)
    policy_pause = timedelta(seconds=make_engine()._policy.quota_pause_seconds)
    assert pauses == [policy_pause, 2 * policy_pause, 4 * policy_pause]
    summary = engine().run()  # quota back: sent, and the next pause starts small again
    assert summary.created == 1 and summary.quota_paused_until is None
    with db.reader() as s:
        assert not sync_repo.get_state(s, "quota_strikes")


# ---- 12. first push of everything ------------------------------------------------------


def test_demo_database_is_pushed_whole_by_the_first_sync_and_not_again(
        db: Database, standin: CalendarStandIn, wired: CredentialStore) -> None:
    from mentordesk.cli import main
    from mentordesk.sync.cli import run_sync

    path = db.path
    db.close()
    out = io.StringIO()
    assert main(["--db", str(path), "demo", "--mentees", "6", "--sessions", "30"],
                out=out, err=io.StringIO()) == 0
    assert run_sync(path, io.StringIO(), io.StringIO(), create_calendar=True) == 0
    from mentordesk.storage.database import open_database

    database = open_database(path)
    try:
        now = datetime.now(UTC)
        with database.reader() as s:
            upcoming = [r.id for r in s.query(Row).all()
                        if r.status == "scheduled" and r.series_id is None
                        and (r.start_utc >= now or r.rrule)]
            cal = sync_repo.get_state(s, "calendar_id")
        assert upcoming, "the demo made no upcoming sessions"
        assert cal is not None
        events = standin.events(cal)
        marked = {e["extendedProperties"]["private"][PRIVATE_KEY] for e in events
                  if "recurringEventId" not in e}
        assert {str(sid) for sid in upcoming} <= marked
        assert len(marked) == len([e for e in events if "recurringEventId" not in e])
    finally:
        database.close()
    standin.reset_log()
    second = io.StringIO()
    assert run_sync(path, second, io.StringIO()) == 0
    assert second.getvalue().startswith("synced: created 0, updated 0, deleted 0")
    assert batch_calls(standin) == 0


def test_reconcile_adopts_marked_events_instead_of_duplicating(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    sid = add_session(db, title="Sent once")
    make_engine().run()
    cal = calendar_id(db)
    eid = get_session(db, sid).google_event_id
    # A restore of a backup made before that sync: the session has no event id yet.
    with db.transaction() as s:
        row = s.get(Row, sid)
        assert row is not None
        row.google_event_id = row.google_etag = row.sync_snapshot = None
        sync_repo.set_state(s, "sync_token", None)
    make_engine().run()
    assert get_session(db, sid).google_event_id == eid
    assert [e["summary"] for e in standin.events(cal)] == ["Sent once"]
    assert len(rows(db)) == 1 and pending(db) == 0


# ---- one sync at a time (two real processes) ------------------------------------------


def test_a_second_sync_of_the_same_file_waits_for_the_first_or_is_skipped(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    import subprocess
    import sys

    from mentordesk.storage.locks import SyncAlreadyRunning

    add_session(db)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path\n"
         "from mentordesk.storage.locks import sync_lock\n"
         "with sync_lock(Path(sys.argv[1])):\n"
         "    print('held', flush=True); time.sleep(30)\n", str(db.path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        standin.reset_log()
        with pytest.raises(SyncAlreadyRunning):
            make_engine().run()
        assert standin.log == [] and len(standin.calendars) == 1  # nothing was sent
    finally:
        holder.kill()
        holder.communicate()
    assert make_engine().run().created == 1  # the lock died with its holder


# ---- networks that are not Google: a Wi-Fi login page, a trickling server, deadlines ----


def test_a_wifi_login_page_is_named_as_such_and_keeps_the_queue(
        db: Database, standin: CalendarStandIn, wired: CredentialStore) -> None:
    from mentordesk.cli import main

    choose_calendar(db, create=True)
    add_session(db)
    path = db.path
    db.close()
    # Every address answers 200 with the network's login page, the token endpoint included.
    standin.faults.add(Fault("portal"), times=50)
    out, err = io.StringIO(), io.StringIO()
    assert main(["--db", str(path), "sync"], out=out, err=err) == 1
    [line] = err.getvalue().splitlines()
    assert "web page answered instead of Google" in line and "Wi-Fi" in line
    assert "1 change stays queued" in line


def test_a_server_that_trickles_cannot_hold_a_sync_for_ever(
        db: Database, standin: CalendarStandIn, make_engine: EngineFactory) -> None:
    import time

    from mentordesk.sync.errors import Offline

    add_session(db)
    # Each byte arrives well within the socket timeout; the answer never completes.
    standin.faults.add(Fault("trickle", delay=30, match="GET /calendar"), times=10)
    began = time.monotonic()
    with pytest.raises(Offline):
        make_engine(timeout=0.3, request_deadline=1.0,
                    policy=_fast(max_attempts=2)).run()
    assert time.monotonic() - began < 15  # not 30 s per attempt, nor 900 s
    assert pending(db) == 1


def test_a_whole_sync_has_a_deadline(db: Database, standin: CalendarStandIn,
                                     make_engine: EngineFactory) -> None:
    import time

    from mentordesk.sync.errors import Offline

    add_session(db)
    standin.faults.add(Fault("trickle", delay=30, match="GET /calendar"), times=50)
    began = time.monotonic()
    with pytest.raises(Offline, match="Offline"):
        make_engine(timeout=0.3, request_deadline=0.5, sync_deadline=1.5,
                    policy=_fast(max_attempts=50)).run()
    assert time.monotonic() - began < 15


def test_cancelling_aborts_the_request_in_flight(db: Database, standin: CalendarStandIn,
                                                 make_engine: EngineFactory) -> None:
    import threading
    import time

    from mentordesk.sync.errors import SyncCancelled

    add_session(db)
    standin.faults.add(Fault("trickle", delay=30, match="GET /calendar"))
    cancel = threading.Event()
    engine = make_engine(timeout=5, request_deadline=60, cancel=cancel)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            engine.run()
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    assert wait_for(lambda: any(r.fault == "trickle" for r in standin.log))
    began = time.monotonic()
    cancel.set()
    worker.join(10)
    assert not worker.is_alive() and time.monotonic() - began < 2
    assert isinstance(outcome[0], SyncCancelled)
    assert pending(db) == 1


def _fast(**overrides: Any) -> Any:
    from tests.sync.conftest import fast_policy

    return fast_policy(**overrides)
