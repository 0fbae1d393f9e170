"""Relationship health: how long since the mentor last actually met someone.

Counted from the last session that was *held* — not from when a reminder was set or a
session was booked — because that is what a relationship lives on. Green until the target
gap, amber until the maximum gap, red past it. "Nothing scheduled" is a separate mark: a
green mentee with nothing booked is fine today and red in a few weeks.

Someone never met is counted the same way from the day they were added, but never reads
"On track": until the target gap has passed they are "Not met yet" (a neutral state, there
is no relationship to be on track with), then due and overdue like anyone else.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import NamedTuple


class Level(enum.StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class Health(NamedTuple):
    """Immutable; a NamedTuple because the list assesses 10,000 mentees per load."""

    level: Level
    # Whole days since the last held session (or since the mentee was added, if never met).
    days_since: int
    never_met: bool
    nothing_scheduled: bool
    snoozed: bool
    # Higher means "look at this one first"; snoozed mentees sink to the bottom.
    urgency: float

    @property
    def not_met_yet(self) -> bool:
        """Never met, and the first meeting is not due yet: neither good nor bad."""
        return self.never_met and self.level is Level.GREEN

    def word(self) -> str:
        """The state in a word or three, as the Health column shows it."""
        if self.snoozed:
            return "Snoozed"
        if self.not_met_yet:
            return "Not met yet"
        return _WORDS[self.level]

    def label(self) -> str:
        if self.never_met:
            added = "today" if self.days_since == 0 else _days(self.days_since) + " ago"
            when = f"added {added}" if self.not_met_yet else f"never met, added {added}"
        else:
            when = _days(self.days_since) + " since last session"
        parts = [self.word(), when]
        if self.nothing_scheduled:
            parts.append("nothing scheduled")
        return " · ".join(parts)


_WORDS = {Level.GREEN: "On track", Level.AMBER: "Due", Level.RED: "Overdue"}


def _days(n: int) -> str:
    return "today" if n == 0 else ("1 day" if n == 1 else f"{n} days")


_DAY = 86400.0


def assess(
    *,
    now: datetime,
    last_held: datetime | None,
    added: datetime,
    next_session: datetime | None,
    target_gap_days: int,
    max_gap_days: int,
    snoozed_until: datetime | None = None,
) -> Health:
    """The health of one relationship at ``now`` (all datetimes aware)."""
    # Plain float seconds rather than timedelta objects: this runs for 10,000 mentees on
    # every list load (the same comparisons, exact at whole-second boundaries).
    since = last_held if last_held is not None else added
    elapsed = (now - since).total_seconds()
    if elapsed < 0.0:
        elapsed = 0.0
    target = target_gap_days if target_gap_days > 1 else 1
    maximum = max_gap_days if max_gap_days > target else target
    if elapsed <= target * _DAY:
        level = Level.GREEN
    elif elapsed <= maximum * _DAY:
        level = Level.AMBER
    else:
        level = Level.RED
    nothing_scheduled = next_session is None
    snoozed = snoozed_until is not None and snoozed_until > now
    # Share of the maximum gap used up; having nothing booked weighs like a few days more.
    urgency = elapsed / _DAY / maximum
    if nothing_scheduled:
        urgency += 0.25
    if snoozed:
        urgency -= 1000.0
    return Health(level, int(elapsed // _DAY), last_held is None, nothing_scheduled, snoozed,
                  urgency)


def turned_red(health: Health) -> bool:
    """Whether this relationship should raise a notification (red and not snoozed)."""
    return health.level is Level.RED and not health.snoozed
