"""When a demo session takes place: on a weekday in the mentor's working hours, inside the
hours the mentee works too where the two zones share any that day, else at a waking hour
for them.

The demo is read by a mentor in their own zone: a check-in at 03:00 their time, or at
03:00 the mentee's, would make the demo look broken. A repeating booking keeps the mentor's
time of day; when daylight saving moves one zone and not the other it moves an hour for
the mentee, so a series is booked only at a time that stays a waking hour for them all year.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mentordesk.domain.timezones import WORK_END, WORK_START, zone

# The mentor's day for demo sessions: the first starts at 08:00, the last ends by 19:00.
MENTOR_DAY = (time(8, 0), time(19, 0))
# Waking hours for a mentee whose working hours the mentor's day does not meet.
AWAKE = (time(7, 0), time(22, 0))
# Every zone's offset is a whole number of quarter hours, so shared hours start on this grid.
STEP = timedelta(minutes=15)
DURATION = timedelta(minutes=45)
# How well a time suits the mentee, best first.
WORKING, WORKING_WEEKEND, AWAKE_ONLY, NIGHT = range(4)


def _suits(local: datetime) -> int:
    """How a session starting at ``local`` (the mentee's wall clock) suits them."""
    end = local + DURATION
    if local.date() == end.date():
        if time(WORK_START) <= local.time() and end.time() <= time(WORK_END):
            return WORKING if local.weekday() < 5 else WORKING_WEEKEND
        if AWAKE[0] <= local.time() and end.time() <= AWAKE[1]:
            return AWAKE_ONLY
    return NIGHT


class Slot:
    """One possible start on a mentor's day."""

    __slots__ = ("local", "minute", "quarter", "start")

    def __init__(self, start: datetime, local: datetime) -> None:
        self.start = start  # UTC
        self.quarter = int(start.timestamp()) // 900  # which quarter hour since 1970
        self.local = local  # the mentor's wall clock, naive
        self.minute = local.hour * 60 + local.minute


def day_slots(day: date, mentor: ZoneInfo) -> tuple[Slot, ...]:
    """Every start on ``day`` (a date in the mentor's zone) that keeps the session inside
    the mentor's day."""
    local = datetime.combine(day, MENTOR_DAY[0], mentor)
    last = datetime.combine(day, MENTOR_DAY[1], mentor) - DURATION
    slots = []
    while local <= last:
        slots.append(Slot(local.astimezone(UTC), local.replace(tzinfo=None)))
        local += STEP
    return tuple(slots)


def _weekdays(day: date, step: int) -> Iterator[date]:
    """``day`` and the days after it (``step`` 1) or before it (-1), weekends skipped."""
    while True:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=step)


class _Day:
    """A mentor's day with one mentee's zone: the slots that suit the mentee best, in
    order of time or of how close they are to a preferred hour."""

    __slots__ = ("_by_hour", "best")

    def __init__(self, slots: tuple[Slot, ...], mentee: ZoneInfo) -> None:
        suits = [_suits(s.start.astimezone(mentee).replace(tzinfo=None)) for s in slots]
        best = min(suits)
        self.best = [s for s, fit in zip(slots, suits, strict=True) if fit == best]
        self._by_hour: dict[int, list[Slot]] = {}

    def all_fit(self, not_before: datetime | None, ends_by: datetime | None) -> bool:
        """Whether every best slot is after ``not_before`` and over by ``ends_by`` (the
        common case: any day but today)."""
        return ((not_before is None or self.best[0].start > not_before)
                and (ends_by is None or self.best[-1].start + DURATION <= ends_by))

    def closest_to(self, hour: int) -> list[Slot]:
        if hour not in self._by_hour:
            self._by_hour[hour] = sorted(self.best, key=lambda s: abs(s.minute - hour * 60))
        return self._by_hour[hour]


class SlotPicker:
    """Places one demo's sessions for a mentor in ``mentor_zone``, keeping them apart."""

    def __init__(self, mentor_zone: str, year_from: datetime) -> None:
        self.mentor = zone(mentor_zone)
        self._year_from = year_from
        self._busy: set[int] = set()  # quarter hours that sessions start in
        # A big demo (100,000 sessions) asks for the same few zones on the same days.
        self._slots: dict[date, tuple[Slot, ...]] = {}
        self._days: dict[tuple[date, str], _Day] = {}
        self._shifts: dict[str, tuple[timedelta, ...]] = {}

    def pick(self, day: date, mentee_zone: str, *, hour: int,
             not_before: datetime | None = None, ends_by: datetime | None = None) -> datetime:
        """The start (UTC) of a session on ``day`` in the mentor's zone, or on the nearest
        weekday with as good a slot: the next one for a booked session (``not_before``), the
        one before for a held one (``ends_by``). Among the slots that suit the mentee best it
        takes a free one closest to ``hour`` (the mentor's time)."""
        for candidate in self._days_from(day, mentee_zone, not_before, ends_by):
            choices = candidate.closest_to(hour)
            if not candidate.all_fit(not_before, ends_by):
                choices = [s for s in choices if _fits(s, not_before, ends_by)]
            if choices:
                return self._take(next((s for s in choices if not self._overlaps(s)),
                                       choices[0]))
        raise AssertionError("unreachable: the weekdays never run out")

    def pick_series(self, day: date, mentee_zone: str, *, hour: int,
                    not_before: datetime) -> datetime | None:
        """Like ``pick`` for the first of a weekly or monthly series, at a time that stays
        a waking hour for the mentee all year; None if no time on that day does."""
        shifts = self._shifts_for(mentee_zone)
        for candidate in self._days_from(day, mentee_zone, not_before, None):
            choices = [s for s in candidate.best if _fits(s, not_before, None)]
            if choices:
                best = min(choices, key=lambda s: (self._worst(s, shifts), self._overlaps(s),
                                                   abs(s.minute - hour * 60)))
                return None if self._worst(best, shifts) == NIGHT else self._take(best)
        raise AssertionError("unreachable: the weekdays never run out")

    def _days_from(self, day: date, mentee_zone: str, not_before: datetime | None,
                   ends_by: datetime | None) -> Iterator[_Day]:
        """The weekdays from ``day`` on (or back, for ``ends_by``) that still have a slot
        as good as their best: today's remaining hours may have lost the good ones."""
        for candidate_day in _weekdays(day, -1 if ends_by is not None else 1):
            key = (candidate_day, mentee_zone)
            if key not in self._days:
                if candidate_day not in self._slots:
                    self._slots[candidate_day] = day_slots(candidate_day, self.mentor)
                self._days[key] = _Day(self._slots[candidate_day], zone(mentee_zone))
            candidate = self._days[key]
            if (candidate.all_fit(not_before, ends_by)
                    or any(_fits(s, not_before, ends_by) for s in candidate.best)):
                yield candidate

    def _take(self, slot: Slot) -> datetime:
        self._busy.add(slot.quarter)
        return slot.start

    def _shifts_for(self, mentee_zone: str) -> tuple[timedelta, ...]:
        """Each difference between the mentee's and the mentor's clocks over a year."""
        if mentee_zone not in self._shifts:
            mentee = zone(mentee_zone)
            seen: set[timedelta] = set()
            for d in range(366):
                at = self._year_from + timedelta(days=d)
                seen.add((at.astimezone(mentee).utcoffset() or timedelta(0))
                         - (at.astimezone(self.mentor).utcoffset() or timedelta(0)))
            self._shifts[mentee_zone] = tuple(sorted(seen))
        return self._shifts[mentee_zone]

    @staticmethod
    def _worst(slot: Slot, shifts: tuple[timedelta, ...]) -> int:
        """How a weekly time at ``slot`` suits the mentee at its worst in the year."""
        return max(_suits(slot.local + shift) for shift in shifts)

    def _overlaps(self, slot: Slot) -> bool:
        """Whether the mentor already has a session that this one (45 minutes) overlaps."""
        busy = self._busy
        q = slot.quarter
        return q in busy or q - 1 in busy or q + 1 in busy or q - 2 in busy or q + 2 in busy


def _fits(slot: Slot, not_before: datetime | None, ends_by: datetime | None) -> bool:
    return ((not_before is None or slot.start > not_before)
            and (ends_by is None or slot.start + DURATION <= ends_by))
