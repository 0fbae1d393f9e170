"""Relationship health: how long since the mentor last actually met someone.

Counted from the last session that was *held* — not from when a reminder was set or a
session was booked — because that is what a relationship lives on. Green until the target
gap, amber until the maximum gap, red past it. "Nothing scheduled" is a separate mark: a
green mentee with nothing booked is fine today and red in a few weeks.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta


class Level(enum.StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True)
class Health:
    level: Level
    # Whole days since the last held session (or since the mentee was added, if never met).
    days_since: int
    never_met: bool
    nothing_scheduled: bool
    snoozed: bool
    # Higher means "look at this one first"; snoozed mentees sink to the bottom.
    urgency: float

    def label(self) -> str:
        if self.snoozed:
            base = "Snoozed"
        else:
            base = {Level.GREEN: "On track", Level.AMBER: "Due", Level.RED: "Overdue"}[self.level]
        when = "never met" if self.never_met else _days(self.days_since) + " since last session"
        parts = [base, when]
        if self.nothing_scheduled:
            parts.append("nothing scheduled")
        return " · ".join(parts)


def _days(n: int) -> str:
    return "today" if n == 0 else ("1 day" if n == 1 else f"{n} days")


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
    since = last_held if last_held is not None else added
    elapsed = max(timedelta(0), now - since)
    days = elapsed.days
    target = max(1, target_gap_days)
    maximum = max(target, max_gap_days)
    if elapsed <= timedelta(days=target):
        level = Level.GREEN
    elif elapsed <= timedelta(days=maximum):
        level = Level.AMBER
    else:
        level = Level.RED
    nothing_scheduled = next_session is None
    snoozed = snoozed_until is not None and snoozed_until > now
    # Share of the maximum gap used up; having nothing booked weighs like a few days more.
    urgency = elapsed.total_seconds() / 86400 / maximum
    if nothing_scheduled:
        urgency += 0.25
    if snoozed:
        urgency -= 1000.0
    return Health(level, days, last_held is None, nothing_scheduled, snoozed, urgency)


def turned_red(health: Health) -> bool:
    """Whether this relationship should raise a notification (red and not snoozed)."""
    return health.level is Level.RED and not health.snoozed
