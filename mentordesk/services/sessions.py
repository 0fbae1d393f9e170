"""Scheduling sessions: one-off and recurring, across the mentor's and mentee's time zones.

A row with ``rrule`` is a recurring series; its occurrences are computed, not stored. An
occurrence gets its own row (``series_id`` + ``original_start_utc``) only when it differs
from the series: moved, edited, cancelled, or written in (notes were taken on it). Every
change to a session row queues a calendar push in the same transaction.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.orm import Session as OrmSession

from mentordesk.domain.recurrence import RecurrenceError, describe, occurrences, parse_rule
from mentordesk.domain.timezones import (
    in_working_hours,
    is_valid_zone,
    mentor_zone,
    shared_working_hours,
    zone,
)
from mentordesk.errors import ValidationError
from mentordesk.storage import sessions_repo as repo
from mentordesk.storage.database import Database
from mentordesk.storage.outbox import enqueue_session_change
from mentordesk.storage.schema import Session as SessionRow
from mentordesk.storage.types import utcnow


class Scope(enum.StrEnum):
    """Which sessions of a series an edit reaches."""

    ONE = "one"  # this occurrence only (it becomes an exception of its series)
    SERIES = "series"  # the whole series

# Flag a time outside this local window for either person (the 08:00–21:00).
FLAG_START_HOUR = 8
FLAG_END_HOUR = 21
MIN_DURATION = 5
MAX_DURATION = 8 * 60


@dataclass(frozen=True)
class SessionRef:
    """Which meeting: a session row, or an occurrence of a series that has no row yet."""

    session_id: int
    occurrence_utc: datetime | None = None

    @property
    def virtual(self) -> bool:
        return self.occurrence_utc is not None


@dataclass(frozen=True)
class SessionRecord:
    ref: SessionRef
    mentee_id: int | None
    mentee_name: str
    mentee_timezone: str
    title: str
    start_utc: datetime
    duration_minutes: int
    timezone: str
    status: str
    agenda: str
    meeting_link: str | None
    rrule: str | None  # the series' rule, for a series or any of its occurrences
    series_id: int | None
    started_at: datetime | None = None
    ended_at: datetime | None = None

    @property
    def end_utc(self) -> datetime:
        return self.start_utc + timedelta(minutes=self.duration_minutes)

    @property
    def recurring(self) -> bool:
        return self.rrule is not None

    @property
    def display_title(self) -> str:
        return self.title or "Session"

    @property
    def repeat_text(self) -> str:
        if not self.rrule:
            return ""
        try:
            return describe(self.rrule, self.timezone)
        except RecurrenceError:
            return self.rrule


@dataclass(frozen=True)
class SessionDraft:
    mentee_id: int
    start_utc: datetime
    duration_minutes: int = 60
    timezone: str = ""  # the zone it is planned in; the mentor's zone when empty
    title: str = ""
    rrule: str | None = None
    agenda: str = ""
    meeting_link: str | None = None
    want_meet: bool = False


@dataclass(frozen=True)
class TimeCheck:
    """A start time as both people see it, and whether it is a friendly hour for each."""

    mentor_zone: str
    mentee_zone: str
    mentor_local: datetime
    mentee_local: datetime
    mentor_ok: bool
    mentee_ok: bool

    @property
    def ok(self) -> bool:
        return self.mentor_ok and self.mentee_ok


@dataclass(frozen=True)
class SlotProposal:
    start_utc: datetime
    duration_minutes: int
    check: TimeCheck
    reason: str
    # The mentee's next session is already on the calendar (a series' next meeting or a
    # one-off): nothing to book.
    booked: bool = False
    # Why this time, without the cadence ("Your usual time"): the plan dialog says how it
    # repeats from its own repeat choice.
    basis: str = ""


def check_time(start_utc: datetime, duration_minutes: int, mentee_zone: str,
               mentor: str | None = None) -> TimeCheck:
    """Both local times, flagged when the meeting starts or ends outside 08:00–21:00."""
    mentor = mentor or mentor_zone()
    end = start_utc + timedelta(minutes=duration_minutes)

    def ok(name: str) -> bool:
        last_minute = end - timedelta(minutes=1)
        return (in_working_hours(start_utc, name, FLAG_START_HOUR, FLAG_END_HOUR)
                and in_working_hours(last_minute, name, FLAG_START_HOUR, FLAG_END_HOUR))

    return TimeCheck(mentor, mentee_zone, start_utc.astimezone(zone(mentor)),
                     start_utc.astimezone(zone(mentee_zone)), ok(mentor), ok(mentee_zone))


def _record(row: SessionRow, names: dict[int, tuple[str, str, str | None]],
            rule: str | None = None) -> SessionRecord:
    name, tz, link = names.get(row.mentee_id or -1, ("(no mentee)", "UTC", None))
    return SessionRecord(
        ref=SessionRef(row.id), mentee_id=row.mentee_id, mentee_name=name, mentee_timezone=tz,
        title=row.title, start_utc=row.start_utc, duration_minutes=row.duration_minutes,
        timezone=row.timezone, status=row.status, agenda=row.agenda,
        meeting_link=row.meeting_link or link, rrule=row.rrule or rule, series_id=row.series_id,
        started_at=row.started_at, ended_at=row.ended_at,
    )


def _virtual(series: SessionRow, start: datetime,
             names: dict[int, tuple[str, str, str | None]]) -> SessionRecord:
    base = _record(series, names)
    return replace(base, ref=SessionRef(series.id, start), start_utc=start, series_id=series.id,
                   started_at=None, ended_at=None)


def _validate(draft: SessionDraft) -> None:
    if draft.start_utc.tzinfo is None:
        raise ValidationError("The start time needs a time zone.", field="start")
    if not MIN_DURATION <= draft.duration_minutes <= MAX_DURATION:
        raise ValidationError(
            f"A session lasts between {MIN_DURATION} minutes and {MAX_DURATION // 60} hours.",
            field="duration")
    if draft.timezone and not is_valid_zone(draft.timezone):
        raise ValidationError(f"'{draft.timezone}' is not a known time zone.", field="timezone")
    if len(draft.title) > 300:
        raise ValidationError("The title is too long (300 characters at most).", field="title")
    if draft.rrule:
        try:
            parse_rule(draft.rrule)
        except RecurrenceError as exc:
            raise ValidationError(str(exc), field="rrule") from exc
    if draft.meeting_link and not draft.meeting_link.startswith(("https://", "http://")):
        raise ValidationError("The meeting link must start with https://", field="meeting_link")


def _stored_rule(text: str | None) -> str | None:
    """The rule as it is stored: its text as given (minus an "RRULE:" prefix), never
    rewritten, so a rule from Google or one the mentor left alone goes back byte for byte
    (to Google, to the .ics export) instead of looking like an edit."""
    return parse_rule(text).to_rrule() if text else None


@dataclass(frozen=True)
class MenteeChoice:
    id: int
    name: str
    timezone: str
    cadence_interval: int
    cadence_unit: str
    meeting_link: str | None


class SessionService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def mentee_choices(self) -> list[MenteeChoice]:
        with self.db.reader() as s:
            return [MenteeChoice(*row) for row in repo.mentee_choices(s)]

    # -- reading -----------------------------------------------------------------------
    def get(self, ref: SessionRef) -> SessionRecord:
        with self.db.reader() as s:
            row = self._row(s, ref.session_id)
            names = repo.mentee_names(s, [row.mentee_id] if row.mentee_id else [])
            if ref.occurrence_utc is not None:
                own = repo.occurrence_row(s, row.id, ref.occurrence_utc)
                if own is not None:
                    return _record(own, names, row.rrule)
                return _virtual(row, ref.occurrence_utc, names)
            rule = None
            if row.series_id is not None:
                series = repo.get_session(s, row.series_id)
                rule = series.rrule if series is not None else None
            return _record(row, names, rule)

    def upcoming(self, after: datetime, before: datetime, *, mentee_id: int | None = None,
                 include_cancelled: bool = False) -> list[SessionRecord]:
        """Every meeting starting in [after, before), series expanded, soonest first."""
        with self.db.reader() as s:
            singles = repo.single_sessions_between(s, after, before, mentee_id)
            series = repo.series_active_before(s, before, mentee_id)
            exceptions = repo.exception_starts(s, [r.id for r in series],
                                               after - timedelta(days=1),
                                               before + timedelta(days=1))
            names = repo.mentee_names(s, [r.mentee_id for r in (*singles, *series)
                                          if r.mentee_id is not None])
            rules = {r.id: r.rrule for r in series}
            out = [_record(r, names, rules.get(r.series_id or -1)) for r in singles
                   if include_cancelled or r.status != "cancelled"]
            for row in series:
                assert row.rrule is not None
                try:
                    starts = occurrences(row.start_utc, row.timezone, row.rrule, after=after,
                                         before=before, exclude=exceptions.get(row.id, ()))
                except (RecurrenceError, ValueError):
                    continue  # a rule from a sync we cannot read: shown nowhere, kept intact
                out.extend(_virtual(row, start, names) for start in starts)
        out.sort(key=lambda r: (r.start_utc, r.mentee_name))
        return out

    def recent(self, *, limit: int = 40, mentee_id: int | None = None,
               now: datetime | None = None) -> list[SessionRecord]:
        now = now or utcnow()
        with self.db.reader() as s:
            rows = repo.recent_sessions(s, now, limit, mentee_id)
            names = repo.mentee_names(s, [r.mentee_id for r in rows if r.mentee_id])
            return [_record(r, names) for r in rows]

    # -- writing -----------------------------------------------------------------------
    def schedule(self, draft: SessionDraft) -> SessionRecord:
        _validate(draft)
        with self.db.transaction() as s:
            mentee = repo.get_mentee(s, draft.mentee_id)
            if mentee is None:
                raise ValidationError("Choose a mentee for the session.", field="mentee")
            row = SessionRow(
                mentee_id=mentee.id, title=draft.title.strip(),
                start_utc=draft.start_utc.astimezone(UTC),
                timezone=draft.timezone or mentor_zone(),
                duration_minutes=draft.duration_minutes,
                rrule=_stored_rule(draft.rrule),
                agenda=draft.agenda, meeting_link=draft.meeting_link or None,
                want_meet=draft.want_meet, status="scheduled",
            )
            s.add(row)
            enqueue_session_change(s, row)
            return _record(row, {mentee.id: (mentee.name, mentee.timezone,
                                             mentee.meeting_link)})

    def materialize(self, ref: SessionRef) -> int:
        """The row id of ``ref``, creating the occurrence's own row if needed."""
        if ref.occurrence_utc is None:
            return ref.session_id
        with self.db.transaction() as s:
            return self._materialize(s, ref).id

    def update(self, ref: SessionRef, *, scope: Scope = Scope.ONE,
               start_utc: datetime | None = None, duration_minutes: int | None = None,
               title: str | None = None, timezone: str | None = None, rrule: str | None = None,
               agenda: str | None = None, meeting_link: str | None = None) -> SessionRecord:
        """Move or edit one meeting, or the whole series it belongs to.

        ``rrule`` "" makes a series a one-off; None leaves the rule alone.
        """
        with self.db.transaction() as s:
            base = self._row(s, ref.session_id)
            if scope == Scope.SERIES:
                series = base if base.rrule else (
                    self._row(s, base.series_id) if base.series_id else None)
                if series is None:
                    raise ValidationError("This session is not part of a series.", field="scope")
                target = series
                if start_utc is not None:
                    # The series moves by as much as this occurrence moved.
                    current = ref.occurrence_utc or base.original_start_utc or base.start_utc
                    start_utc = series.start_utc + (start_utc - current)
            else:
                target = self._materialize(s, ref)
            draft = SessionDraft(
                mentee_id=target.mentee_id or 0,
                start_utc=start_utc or target.start_utc,
                duration_minutes=duration_minutes or target.duration_minutes,
                timezone=timezone or target.timezone,
                title=title if title is not None else target.title,
                rrule=(rrule or None) if rrule is not None else target.rrule,
                meeting_link=meeting_link if meeting_link is not None else target.meeting_link,
            )
            _validate(draft)
            if rrule and target.series_id is not None:
                raise ValidationError("Change the repeat rule on the whole series.",
                                      field="rrule")
            target.start_utc = draft.start_utc.astimezone(UTC)
            target.duration_minutes = draft.duration_minutes
            target.timezone = draft.timezone
            target.title = draft.title.strip()
            if rrule is not None and target.series_id is None:
                target.rrule = _stored_rule(rrule)
            if agenda is not None:
                target.agenda = agenda
            target.meeting_link = draft.meeting_link or None
            enqueue_session_change(s, target)
            names = repo.mentee_names(s, [target.mentee_id] if target.mentee_id else [])
            return _record(target, names)

    def cancel(self, ref: SessionRef, *, scope: Scope = Scope.ONE) -> SessionRef:
        """Cancel one meeting or a whole series; returns the row that was cancelled."""
        return self._set_status(ref, scope, "cancelled")

    def restore(self, ref: SessionRef, *, scope: Scope = Scope.ONE) -> SessionRef:
        """Undo a cancel: back to scheduled."""
        return self._set_status(ref, scope, "scheduled")

    def _set_status(self, ref: SessionRef, scope: Scope, status: str) -> SessionRef:
        with self.db.transaction() as s:
            base = self._row(s, ref.session_id)
            if scope == Scope.SERIES:
                series = base if base.rrule else (
                    self._row(s, base.series_id) if base.series_id else base)
                series.status = status
                enqueue_session_change(s, series)
                now = utcnow()
                for occ in repo.occurrences_of(s, series.id):
                    if occ.start_utc >= now and occ.status != "held":
                        occ.status = status
                        enqueue_session_change(s, occ)
                return SessionRef(series.id)
            row = self._materialize(s, ref)
            row.status = status
            enqueue_session_change(s, row)
            return SessionRef(row.id)

    def delete(self, session_id: int) -> None:
        with self.db.transaction() as s:
            row = self._row(s, session_id)
            for occ in repo.occurrences_of(s, row.id):
                enqueue_session_change(s, occ, deleted=True)
                s.delete(occ)
            enqueue_session_change(s, row, deleted=True)
            s.delete(row)

    def start_call(self, ref: SessionRef) -> SessionRecord:
        with self.db.transaction() as s:
            row = self._materialize(s, ref)
            if row.started_at is None:
                row.started_at = utcnow()
            if row.status == "cancelled":
                row.status = "scheduled"
            enqueue_session_change(s, row)
            names = repo.mentee_names(s, [row.mentee_id] if row.mentee_id else [])
            return _record(row, names)

    def end_call(self, session_id: int, *, early: bool = False) -> SessionRecord:
        """Mark a session held. One that has not started (no call, planned for later) is
        refused unless ``early``: the mentor confirmed it happened, so it moves to now and
        never counts as held on a day still to come."""
        with self.db.transaction() as s:
            row = self._row(s, session_id)
            now = utcnow()
            if row.started_at is None and row.start_utc > now:
                if not early:
                    raise ValidationError(
                        "This session has not started yet: start it first, or confirm that "
                        "it happened now.", field="start")
                row.start_utc = now  # it took place now, untimed
            elif row.started_at is None:
                row.started_at = row.start_utc
            row.ended_at = now
            row.status = "held"
            enqueue_session_change(s, row)
            names = repo.mentee_names(s, [row.mentee_id] if row.mentee_id else [])
            return _record(row, names)

    def next_booked(self, mentee_id: int, *, after: datetime | None = None,
                    within_days: int = 120) -> SessionRecord | None:
        """The mentee's next meeting already on the calendar (series expanded), if any."""
        now = after or utcnow()
        for rec in self.upcoming(now, now + timedelta(days=within_days), mentee_id=mentee_id):
            if rec.status != "held":
                return rec
        return None

    def propose_after_call(self, mentee_id: int, *, mentor: str | None = None,
                           after: datetime | None = None) -> SlotProposal:
        """What the wrap-up offers: the next meeting already booked (a series' next
        occurrence), or a new slot from the cadence when nothing is booked."""
        mentor = mentor or mentor_zone()
        booked = self.next_booked(mentee_id, after=after)
        if booked is None:
            return self.propose_next_slot(mentee_id, after=after, mentor=mentor)
        how = booked.repeat_text or "booked once"
        return SlotProposal(booked.start_utc, booked.duration_minutes,
                            check_time(booked.start_utc, booked.duration_minutes,
                                       booked.mentee_timezone, mentor),
                            f"Already booked ({how}).", booked=True)

    def propose_next_slot(self, mentee_id: int, *, after: datetime | None = None,
                          duration_minutes: int | None = None,
                          mentor: str | None = None) -> SlotProposal:
        """The next meeting from the mentee's cadence, inside both people's working hours.

        Keeps the usual time of day when it fits (people like a rhythm), else the first free
        half hour of the shared working hours; skips slots that collide with other sessions.
        """
        mentor = mentor or mentor_zone()
        now = after or utcnow()
        with self.db.reader() as s:
            mentee = repo.get_mentee(s, mentee_id)
            if mentee is None:
                raise ValidationError("That mentee no longer exists.", field="mentee")
            last_start = repo.last_session_start(s, mentee_id)
            last = repo.last_held_before(s, mentee_id, now + timedelta(days=1))
            duration = duration_minutes or (last.duration_minutes if last else 60)
            last_held_start = last.start_utc if last is not None else None
            interval, unit = mentee.cadence_interval, mentee.cadence_unit
            mentee_tz = mentee.timezone
        base = last_start if last_start is not None and last_start > now - timedelta(days=365) \
            else now
        if unit == "months":
            local = base.astimezone(zone(mentor))
            month = local.month - 1 + interval
            year = local.year + month // 12
            target = local.replace(year=year, month=month % 12 + 1, day=min(local.day, 28))
        else:
            days = interval * (7 if unit == "weeks" else 1)
            target = base.astimezone(zone(mentor)) + timedelta(days=days)
        if target.astimezone(UTC) < now:
            target = now.astimezone(zone(mentor)) + timedelta(days=1)
        usual = (last_held_start.astimezone(zone(mentor)).time()
                 if last_held_start is not None else time(10, 0))
        length = timedelta(minutes=duration)
        offsets = (0, 1, -1, 2, -2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14)
        # Everything already booked around the target, fetched once: expanding every series
        # is the expensive part (about a second at 10,000 mentees), so never per day.
        window_start = datetime.combine(target.date() - timedelta(days=3), time(0),
                                        zone(mentor)).astimezone(UTC)
        window_end = datetime.combine(target.date() + timedelta(days=16), time(0),
                                      zone(mentor)).astimezone(UTC)
        booked = self.upcoming(window_start, window_end)
        busy = [(r.start_utc, r.end_utc) for r in booked]
        # Never a second meeting on a day the mentee already has one.
        mentee_days = {r.start_utc.astimezone(zone(mentor)).date() for r in booked
                       if r.mentee_id == mentee_id}
        for offset in offsets:
            day = target.date() + timedelta(days=offset)
            if day < now.astimezone(zone(mentor)).date() or day in mentee_days:
                continue
            spans = shared_working_hours(mentor, mentee_tz, day)
            if not spans:
                continue
            candidates: list[datetime] = []
            preferred = datetime.combine(day, usual, zone(mentor)).astimezone(UTC)
            candidates.append(preferred)
            for begin, end in spans:
                t = begin
                while t + length <= end:
                    candidates.append(t)
                    t += timedelta(minutes=30)
            for start in candidates:
                if start <= now:
                    continue
                if not any(b <= start and start + length <= e for b, e in spans):
                    continue
                if any(start < e and b < start + length for b, e in busy):
                    continue
                reason = ("Your usual time" if start == preferred
                          else "First free time in both working days")
                cadence = f"every {interval} {unit}" if interval != 1 else f"every {unit[:-1]}"
                return SlotProposal(start, duration, check_time(start, duration, mentee_tz,
                                                                mentor),
                                    f"{reason}, {cadence}.", basis=reason)
        raise ValidationError(
            "No time in the next weeks falls inside both people's working hours; "
            "pick a time by hand.", field="start")

    # -- helpers -----------------------------------------------------------------------
    @staticmethod
    def _row(s: OrmSession, session_id: int) -> SessionRow:
        row = repo.get_session(s, session_id)
        if row is None:
            raise ValidationError("That session no longer exists.", field="session")
        return row

    def _materialize(self, s: OrmSession, ref: SessionRef) -> SessionRow:
        row = self._row(s, ref.session_id)
        if ref.occurrence_utc is None:
            return row
        if row.rrule is None:
            raise ValidationError("That session does not repeat.", field="session")
        existing = repo.occurrence_row(s, row.id, ref.occurrence_utc)
        if existing is not None:
            return existing
        occ = SessionRow(
            mentee_id=row.mentee_id, title=row.title, start_utc=ref.occurrence_utc,
            timezone=row.timezone, duration_minutes=row.duration_minutes, rrule=None,
            series_id=row.id, original_start_utc=ref.occurrence_utc, status="scheduled",
            agenda=row.agenda, meeting_link=row.meeting_link, want_meet=row.want_meet,
        )
        s.add(occ)
        enqueue_session_change(s, occ)
        return occ
