"""Scheduling on real SQLite files: one-offs, series, occurrences, outbox, next-slot proposal,
and any repeat rule text handed to the service."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from mentordesk.errors import ValidationError
from mentordesk.services.sessions import (
    Scope,
    SessionDraft,
    SessionRef,
    SessionService,
    check_time,
)
from mentordesk.storage.database import Database
from mentordesk.storage.schema import Mentee, OutboxEntry
from mentordesk.storage.schema import Session as SessionRow
from tests.support.fuzz import EXAMPLES, rule_texts, scratch_db


def add_mentee(db: Database, name: str = "Amara Okafor", tz: str = "Asia/Kolkata",
               interval: int = 2, unit: str = "weeks") -> int:
    with db.transaction() as s:
        m = Mentee(name=name, timezone=tz, cadence_interval=interval, cadence_unit=unit,
                   meeting_link="https://meet.example.org/abc")
        s.add(m)
        s.flush()
        return m.id


def outbox(db: Database) -> dict[int, str]:
    with db.reader() as s:
        return {e.session_id: e.op for e in s.scalars(select(OutboxEntry))}


def at(y: int, mo: int, d: int, h: int, mi: int = 0, tz: str = "Europe/Berlin") -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def test_schedule_stores_utc_and_zone_and_queues_push(db: Database) -> None:
    mid = add_mentee(db)
    svc = SessionService(db)
    rec = svc.schedule(SessionDraft(mid, at(2027, 3, 2, 10), 45, "Europe/Berlin", "Kick-off"))
    assert rec.start_utc == datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
    assert rec.timezone == "Europe/Berlin" and rec.mentee_name == "Amara Okafor"
    assert outbox(db) == {rec.ref.session_id: "upsert"}
    got = svc.get(rec.ref)
    assert got.start_utc == rec.start_utc and got.duration_minutes == 45


def test_schedule_rejects_bad_input(db: Database) -> None:
    mid = add_mentee(db)
    svc = SessionService(db)
    with pytest.raises(ValidationError) as exc:
        svc.schedule(SessionDraft(mid, at(2027, 3, 2, 10), 2))
    assert exc.value.field == "duration"
    with pytest.raises(ValidationError):
        svc.schedule(SessionDraft(mid, at(2027, 3, 2, 10), rrule="FREQ=HOURLY"))
    with pytest.raises(ValidationError):
        svc.schedule(SessionDraft(9999, at(2027, 3, 2, 10)))
    assert outbox(db) == {}


def test_series_expands_and_occurrence_edits_stay_single(db: Database) -> None:
    mid = add_mentee(db)
    svc = SessionService(db)
    series = svc.schedule(SessionDraft(mid, at(2027, 3, 1, 9), 60, "Europe/Berlin",
                                       "Weekly", rrule="FREQ=WEEKLY"))
    window = (at(2027, 3, 1, 0), at(2027, 4, 5, 0))
    occ = svc.upcoming(*window)
    assert len(occ) == 5
    # Berlin goes to summer time on 28 March: still 09:00 there afterwards.
    assert {o.start_utc.astimezone(ZoneInfo("Europe/Berlin")).time() for o in occ} == {time(9)}
    third = occ[2]
    assert third.ref.virtual and third.ref.session_id == series.ref.session_id
    moved = svc.update(third.ref, start_utc=third.start_utc + timedelta(hours=3))
    assert moved.series_id == series.ref.session_id and not moved.ref.virtual
    after = svc.upcoming(*window)
    assert len(after) == 5, "the moved occurrence replaces the computed one"
    assert sum(1 for o in after if o.ref == moved.ref) == 1
    assert any(o.start_utc == third.start_utc + timedelta(hours=3) for o in after)
    # Cancel one: hidden by default, listed with include_cancelled.
    cancelled = svc.cancel(after[0].ref)
    assert len(svc.upcoming(*window)) == 4
    assert any(o.ref == cancelled and o.status == "cancelled"
               for o in svc.upcoming(*window, include_cancelled=True))
    queued = outbox(db)
    assert queued[moved.ref.session_id] == "upsert" and queued[cancelled.session_id] == "upsert"


def test_whole_series_move_cancel_and_delete(db: Database) -> None:
    mid = add_mentee(db)
    svc = SessionService(db)
    series = svc.schedule(SessionDraft(mid, at(2027, 5, 3, 9), 60, "Europe/Berlin",
                                       rrule="FREQ=WEEKLY;INTERVAL=2"))
    window = (at(2027, 5, 1, 0), at(2027, 7, 1, 0))
    second = svc.upcoming(*window)[1]
    svc.update(second.ref, scope=Scope.SERIES, start_utc=second.start_utc + timedelta(hours=1))
    starts = svc.upcoming(*window)
    assert {o.start_utc.astimezone(ZoneInfo("Europe/Berlin")).time() for o in starts} == {
        time(10)}
    row_id = svc.materialize(starts[0].ref)
    svc.cancel(starts[1].ref, scope=Scope.SERIES)
    assert svc.upcoming(*window) == [] or all(o.status == "cancelled"
                                              for o in svc.upcoming(*window))
    svc.restore(SessionRef(series.ref.session_id), scope=Scope.SERIES)
    assert len(svc.upcoming(*window)) == len(starts)
    svc.delete(series.ref.session_id)
    with db.reader() as s:
        assert s.get(SessionRow, row_id) is None
    queued = outbox(db)
    assert queued[series.ref.session_id] == "delete" and queued[row_id] == "delete"


def test_start_and_end_call(db: Database) -> None:
    mid = add_mentee(db)
    svc = SessionService(db)
    series = svc.schedule(SessionDraft(mid, datetime.now(UTC) - timedelta(minutes=5),
                                       rrule="FREQ=WEEKLY"))
    occ = SessionRef(series.ref.session_id, series.start_utc)
    started = svc.start_call(occ)
    assert started.started_at is not None and not started.ref.virtual
    assert svc.start_call(occ).ref == started.ref, "the same occurrence row is reused"
    ended = svc.end_call(started.ref.session_id)
    assert ended.status == "held" and ended.ended_at is not None


def test_check_time_flags_outside_eight_to_nine(db: Database) -> None:
    start = datetime(2027, 1, 12, 17, 0, tzinfo=UTC)  # 18:00 Berlin, 22:30 Kolkata
    check = check_time(start, 60, "Asia/Kolkata", "Europe/Berlin")
    assert check.mentor_ok and not check.mentee_ok
    assert check.mentee_local.strftime("%H:%M") == "22:30"
    ok = check_time(datetime(2027, 1, 12, 8, 0, tzinfo=UTC), 60, "Asia/Kolkata",
                    "Europe/Berlin")
    assert ok.ok


def test_propose_next_slot_inside_both_working_days(db: Database) -> None:
    mid = add_mentee(db, tz="America/Los_Angeles", interval=2, unit="weeks")
    svc = SessionService(db)
    last = at(2027, 2, 1, 17)
    held = svc.schedule(SessionDraft(mid, last, 60, "Europe/Berlin"))
    # History as of ``last``: end_call refuses to hold a session that is still to come.
    with db.transaction() as s:
        row = s.get(SessionRow, held.ref.session_id)
        assert row is not None
        row.status = "held"
    other = add_mentee(db, name="Ben Schmidt", tz="Europe/Berlin")
    # Block the usual time two weeks later with another mentee's session.
    svc.schedule(SessionDraft(other, last + timedelta(days=14), 60, "Europe/Berlin"))
    proposal = svc.propose_next_slot(mid, after=last + timedelta(hours=2),
                                     mentor="Europe/Berlin")
    assert proposal.check.ok
    assert proposal.start_utc.date() >= (last + timedelta(days=13)).date()
    assert proposal.start_utc != last + timedelta(days=14)
    local_mentor = proposal.start_utc.astimezone(ZoneInfo("Europe/Berlin"))
    local_mentee = proposal.start_utc.astimezone(ZoneInfo("America/Los_Angeles"))
    assert 8 <= local_mentor.hour < 20 and 8 <= local_mentee.hour < 20


def test_propose_fails_clearly_without_shared_hours(db: Database) -> None:
    # Twelve hours apart all year: their 08:00–20:00 days never overlap.
    mid = add_mentee(db, tz="Etc/GMT+12")
    with pytest.raises(ValidationError, match="working hours"):
        SessionService(db).propose_next_slot(mid, mentor="UTC")


ZONES = ["Europe/Berlin", "America/New_York", "Australia/Adelaide", "Asia/Kolkata",
         "America/Sao_Paulo", "Pacific/Auckland", "Europe/London", "America/St_Johns"]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=st.sampled_from(ZONES), day=st.dates(min_value=date(2026, 1, 1),
                                                 max_value=date(2029, 12, 1)),
       hour=st.integers(8, 19), skip=st.integers(0, 7))
def test_series_keeps_wall_time_across_dst_and_exceptions_replace(
        db: Database, plan: str, day: date, hour: int, skip: int) -> None:
    mid = add_mentee(db, tz="America/New_York")
    svc = SessionService(db)
    first = datetime.combine(day, time(hour), ZoneInfo(plan)).astimezone(UTC)
    series = svc.schedule(SessionDraft(mid, first, 30, plan, rrule="FREQ=WEEKLY"))
    window = (first, first + timedelta(weeks=30) - timedelta(days=2))
    occ = svc.upcoming(*window, mentee_id=mid)
    assert len(occ) == 30
    assert {o.start_utc.astimezone(ZoneInfo(plan)).hour for o in occ} == {hour}
    svc.cancel(occ[skip].ref)
    again = svc.upcoming(*window, mentee_id=mid, include_cancelled=True)
    assert [o.start_utc for o in again] == [o.start_utc for o in occ]
    assert [o.status for o in again].count("cancelled") == 1
    svc.delete(series.ref.session_id)


def test_session_service_rule_path_never_crashes() -> None:
    """What the schedule dialog hands over goes through the service: a rule it refuses is a
    ValidationError; a rule it stores must list without errors afterwards."""
    with scratch_db() as db:
        with db.transaction() as s:
            m = Mentee(name="Ada", timezone="America/St_Johns")
            s.add(m)
            s.flush()
            mentee_id = m.id
        service = SessionService(db)
        now = datetime(2026, 3, 1, 12, tzinfo=UTC)

        @settings(max_examples=EXAMPLES // 2, deadline=None)
        @given(text=rule_texts(), offset=st.integers(-400, 400))
        @example(text="FREQ=WEEKLY;UNTIL=00010101", offset=1)
        def check(text: str, offset: int) -> None:
            try:
                record = service.schedule(SessionDraft(
                    mentee_id, now + timedelta(days=offset), 30, "Europe/Berlin", "Fuzz",
                    rrule=text))
            except ValidationError as exc:
                assert exc.field == "rrule"
                return
            assert record.recurring == bool(text)
            if record.recurring:
                assert record.repeat_text
            service.upcoming(now - timedelta(days=500), now + timedelta(days=500),
                             include_cancelled=True)
            service.recent(limit=5, now=now)

        check()
