"""MenteeService on real SQLite files: list rows, health from held sessions, profile,
create/edit/archive/snooze, delete with undo, notifications."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mentordesk.domain.cadence import Cadence
from mentordesk.domain.health import Level
from mentordesk.errors import ValidationError
from mentordesk.services.mentees import (
    MenteeInput,
    MenteeService,
    ResourceInput,
    call_provider,
    first_lines,
    split_tags,
    validate,
)
from mentordesk.storage.database import Database
from mentordesk.storage.schema import (
    ActionItem,
    BoardColumn,
    Goal,
    Mentee,
    Milestone,
    Note,
    OutboxEntry,
    ResourceLink,
    Session,
    SessionGoal,
    Tag,
)
from tests.support.mentee_helpers import add_session

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def make(svc: MenteeService, name: str = "Ada Lovelace", **kw: object) -> int:
    data = MenteeInput(name=name, timezone=str(kw.pop("timezone", "Europe/London")),
                       **kw)  # type: ignore[arg-type]
    return svc.create(data).id


def test_validate_rules() -> None:
    good = MenteeInput("Ana", email="ana@example.org", timezone="Asia/Kathmandu",
                       meeting_link="https://zoom.us/j/1")
    assert validate(good) == {}
    bad = MenteeInput(" ", email="ana@", timezone="Mars/Olympus",
                      meeting_link="http://zoom.us/j/1", target_gap_days=10, max_gap_days=5,
                      resources=(ResourceInput("Doc", "not a url"),))
    assert set(validate(bad)) == {"name", "email", "timezone", "meeting_link", "gaps",
                                  "resources"}


def test_call_providers_and_tags() -> None:
    assert call_provider("https://meet.google.com/abc-defg-hij") == "Google Meet"
    assert call_provider("https://us02web.zoom.us/j/123") == "Zoom"
    assert call_provider("https://teams.microsoft.com/l/meetup-join/x") == "Microsoft Teams"
    assert call_provider("https://example.org/call") is None
    assert call_provider("http://zoom.us/j/1") is None
    assert split_tags("design, Data; design ;  ;founder") == ("design", "Data", "founder")


def test_create_rejects_invalid_input(db: Database) -> None:
    svc = MenteeService(db)
    with pytest.raises(ValidationError) as info:
        svc.create(MenteeInput("", timezone="UTC"))
    assert info.value.field == "name"
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Mentee)) == 0


def test_create_get_update_round_trip(db: Database) -> None:
    svc = MenteeService(db)
    data = MenteeInput("Zhang Wei 张伟", email="wei@example.org", timezone="Asia/Kathmandu",
                       cadence=Cadence(1, "months"), target_gap_days=20, max_gap_days=40,
                       meeting_link="https://meet.google.com/abc", background="Met at PyCon",
                       tags=("data", "founder"),
                       resources=(ResourceInput("Plan", "https://docs.google.com/x"),))
    created = svc.create(data)
    assert created.data == data
    assert svc.get(created.id).data == data
    changed = MenteeInput("Zhang Wei", timezone="Australia/Adelaide", tags=("design",))
    assert svc.update(created.id, changed).data == changed
    # The tags nobody uses any more are gone.
    with db.reader() as s:
        assert list(s.scalars(select(Tag.name))) == ["design"]


def test_health_counts_from_the_last_held_session_only(db: Database) -> None:
    svc = MenteeService(db)
    mid = make(svc, cadence=Cadence(2, "weeks"))
    add_session(db, mid, NOW - timedelta(days=30), status="held")
    # A newer session that was only booked, or cancelled, must not make it look healthy.
    add_session(db, mid, NOW - timedelta(days=2), status="scheduled")
    add_session(db, mid, NOW - timedelta(days=1), status="cancelled")
    row = svc.row(mid, now=NOW)
    assert row is not None
    assert row.health.level is Level.RED and row.health.days_since == 30
    assert row.last_held == NOW - timedelta(days=30)
    assert row.health.nothing_scheduled
    add_session(db, mid, NOW - timedelta(days=16), status="held")
    row = svc.row(mid, now=NOW)
    assert row is not None and row.health.level is Level.AMBER


def test_next_session_from_single_and_recurring_series(db: Database) -> None:
    svc = MenteeService(db)
    single = make(svc, "Single")
    add_session(db, single, NOW + timedelta(days=5), status="scheduled")
    add_session(db, single, NOW + timedelta(days=2), status="cancelled")
    series = make(svc, "Series")
    start = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)  # a Thursday, weekly since October
    head = add_session(db, series, start, status="scheduled", rrule="FREQ=WEEKLY",
                       zone="UTC")
    # The occurrence on Thursday 26 Nov was cancelled: the next one is 3 Dec.
    add_session(db, series, datetime(2026, 11, 26, 8, 0, tzinfo=UTC), status="cancelled",
                series_id=head, original=datetime(2026, 11, 26, 8, 0, tzinfo=UTC), zone="UTC")
    rows = {r.name: r for r in svc.list_rows(now=NOW)}
    assert rows["Single"].next_session == NOW + timedelta(days=5)
    assert rows["Series"].next_session == datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    assert not rows["Series"].health.nothing_scheduled
    profile = svc.profile(series, now=NOW)
    assert profile.next_session is not None and profile.next_session.recurring
    assert profile.next_session.start_utc == datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def test_list_is_sorted_by_urgency_and_hides_archived(db: Database) -> None:
    svc = MenteeService(db)
    fresh, stale, gone = make(svc, "Fresh"), make(svc, "Stale"), make(svc, "Gone")
    add_session(db, fresh, NOW - timedelta(days=1))
    add_session(db, stale, NOW - timedelta(days=40))
    add_session(db, gone, NOW - timedelta(days=3), note="kept")
    svc.archive(gone)
    # Archived mentees keep their history.
    profile = svc.profile(gone, now=NOW)
    assert profile.mentee.archived and profile.last_notes == ("kept",)
    names = [r.name for r in svc.list_rows(now=NOW)]
    assert names[:2] == ["Stale", "Fresh"] and "Gone" not in names
    assert "Gone" in [r.name for r in svc.list_rows(now=NOW, include_archived=True)]
    svc.unarchive(gone)
    assert "Gone" in [r.name for r in svc.list_rows(now=NOW)]


def test_list_never_reads_note_bodies(db: Database) -> None:
    svc = MenteeService(db)
    mid = make(svc, tags=("design",))
    add_session(db, mid, NOW - timedelta(days=3), note="SECRET-BODY " * 50)
    statements: list[str] = []
    # The list reads over plain sqlite3 (it must not wait for SQLAlchemy's import).
    db.raw_trace = statements.append
    try:
        rows = svc.list_rows(now=NOW)
    finally:
        db.raw_trace = None
    assert rows and rows[0].search_key == "ada lovelace  design"
    assert statements and not any("notes" in s for s in statements)


def test_snooze_and_wake(db: Database) -> None:
    svc = MenteeService(db)
    mid = make(svc)
    add_session(db, mid, NOW - timedelta(days=60))
    svc.snooze(mid, NOW + timedelta(days=7))
    row = svc.row(mid, now=NOW)
    assert row is not None and row.health.snoozed and row.health.level is Level.RED
    later = svc.row(mid, now=NOW + timedelta(days=8))
    assert later is not None and not later.health.snoozed
    svc.snooze(mid, None)
    assert svc.get(mid).snoozed_until is None
    with pytest.raises(ValidationError):
        svc.snooze(mid, datetime(2027, 1, 1))  # naive


def test_profile_where_were_we(db: Database) -> None:
    svc = MenteeService(db)
    mid = make(svc, meeting_link="https://zoom.us/j/42",
               resources=(ResourceInput("Plan", "https://docs.google.com/d/1"),))
    add_session(db, mid, NOW - timedelta(days=20), note="old session")
    last = add_session(db, mid, NOW - timedelta(days=6), title="Portfolio review",
                       note="## Check-in\n\nShipped **the draft**.\n- more\n- lines")
    with db.transaction() as s:
        s.add(Note(mentee_id=mid, session_id=last, body="Private worry", private=True))
        column = s.scalars(select(BoardColumn).where(BoardColumn.status_key == "in_progress")
                           ).one()
        done = s.scalars(select(BoardColumn).where(BoardColumn.status_key == "done")).one()
        s.add(Goal(mentee_id=mid, column_id=column.id, title="Ship 3 pieces",
                   due_date=date(2026, 12, 1)))
        s.add(Goal(mentee_id=mid, column_id=column.id, title="Far away",
                   due_date=date(2027, 6, 1)))
        s.add(Goal(mentee_id=mid, column_id=done.id, title="Finished",
                   due_date=date(2026, 11, 30)))
        s.add(ActionItem(mentee_id=mid, session_id=last, text="Send CV"))
        s.add(ActionItem(mentee_id=mid, session_id=last, text="Done thing", done=True))
        s.add(ActionItem(mentee_id=mid, text="Talk about salary", kind="next_time"))
    add_session(db, mid, NOW + timedelta(days=3), status="scheduled", zone="Asia/Kolkata")
    profile = svc.profile(mid, now=NOW)
    assert profile.last_session is not None
    assert profile.last_session.title == "Portfolio review"
    assert profile.last_notes == ("Check-in — Shipped the draft.", "🔒 Private worry")
    assert [a.text for a in profile.open_actions] == ["Send CV", "Talk about salary"]
    assert [g.title for g in profile.goals_due] == ["Ship 3 pieces"]
    assert profile.next_session is not None
    assert profile.next_session.timezone == "Asia/Kolkata"
    assert profile.mentee.call_provider == "Zoom"
    assert profile.health.level is Level.GREEN


def test_first_lines() -> None:
    assert first_lines("# Title\n\n> quote\n- [x] done\nmore") == "Title — quote"
    assert first_lines("") == ""
    assert first_lines("x" * 500).endswith("…")


def _counts(db: Database) -> dict[str, int]:
    with db.reader() as s:
        return {m.__tablename__: int(s.scalar(select(func.count()).select_from(m)) or 0)
                for m in (Mentee, Goal, Milestone, Session, Note, ActionItem, ResourceLink,
                          SessionGoal)}


def _rich_mentee(db: Database, svc: MenteeService) -> int:
    mid = make(svc, tags=("design", "solo-tag"),
               resources=(ResourceInput("Plan", "https://docs.google.com/d/1"),))
    head = add_session(db, mid, NOW - timedelta(days=30), status="held",
                       rrule="FREQ=WEEKLY", note="first")
    changed = add_session(db, mid, NOW - timedelta(days=23), status="held", series_id=head,
                          original=NOW - timedelta(days=23), note="changed occurrence")
    with db.transaction() as s:
        column = s.scalars(select(BoardColumn)).first()
        assert column is not None
        goal = Goal(mentee_id=mid, column_id=column.id, title="Goal")
        goal.milestones.append(Milestone(title="Step"))
        s.add(goal)
        s.flush()
        s.add(SessionGoal(session_id=changed, goal_id=goal.id))
        s.add(ActionItem(mentee_id=mid, session_id=changed, goal_id=goal.id, text="Do it"))
        session = s.get(Session, head)
        assert session is not None
        session.google_event_id = "evt123"
    return mid


def test_delete_and_undelete_restore_everything(db: Database) -> None:
    svc = MenteeService(db)
    other = make(svc, "Other", tags=("design",))
    mid = _rich_mentee(db, svc)
    before = _counts(db)
    before_rows = svc.list_rows(now=NOW)
    deleted = svc.delete(mid)
    after = _counts(db)
    assert after["mentees"] == 1 and after["notes"] == 0 and after["goals"] == 0
    with db.reader() as s:
        assert s.scalars(select(OutboxEntry.op).where(OutboxEntry.google_event_id == "evt123")
                         ).one() == "delete"
        assert "solo-tag" not in list(s.scalars(select(Tag.name)))
    assert svc.undelete(deleted) == mid
    assert _counts(db) == before
    assert svc.list_rows(now=NOW) == before_rows
    assert svc.get(mid).data.tags == ("design", "solo-tag")
    with db.reader() as s:
        assert s.scalars(select(OutboxEntry.op).where(OutboxEntry.google_event_id == "evt123")
                         ).one() == "upsert"
        occurrence = s.scalars(select(Session).where(Session.series_id.is_not(None))).one()
        assert occurrence.mentee_id == mid
    assert other in {r.id for r in svc.list_rows(now=NOW)}


def test_undelete_remaps_ids_taken_meanwhile(db: Database) -> None:
    svc = MenteeService(db)
    mid = _rich_mentee(db, svc)
    deleted = svc.delete(mid)
    # SQLite hands the freed id to the next mentee: undo must still bring the old one back.
    taker = make(svc, "Newcomer")
    assert taker == mid
    restored = svc.undelete(deleted)
    assert restored != mid
    profile = svc.profile(restored, now=NOW)
    assert profile.mentee.name == "Ada Lovelace"
    assert profile.last_session is not None
    assert profile.last_notes == ("changed occurrence",)
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Note)
                        .where(Note.mentee_id == restored)) == 2
        assert s.scalar(select(func.count()).select_from(SessionGoal)) == 1


def test_red_notifications_once_a_day(db: Database) -> None:
    svc = MenteeService(db)
    red = make(svc, "Red")
    green = make(svc, "Green")
    snoozed = make(svc, "Snoozed")
    add_session(db, red, NOW - timedelta(days=40))
    add_session(db, green, NOW - timedelta(days=1))
    add_session(db, snoozed, NOW - timedelta(days=40))
    svc.snooze(snoozed, NOW + timedelta(days=3))
    found = svc.red_to_notify(now=NOW, today=NOW.date())
    assert [r.name for r in found] == ["Red"]
    svc.mark_notified([r.id for r in found], NOW.date())
    assert svc.red_to_notify(now=NOW, today=NOW.date()) == []
    # Next day: nothing new turned red, so nothing to say.
    tomorrow = NOW + timedelta(days=1)
    assert svc.red_to_notify(now=tomorrow, today=tomorrow.date()) == []
    # A new red spell (after meeting again) is announced again; the snooze has run out.
    add_session(db, red, NOW + timedelta(days=1))
    much_later = NOW + timedelta(days=40)
    names = {r.name for r in svc.red_to_notify(now=much_later, today=much_later.date())}
    assert names == {"Red", "Green", "Snoozed"}
