"""Relationship health: green, amber and red by the gap since the last meeting, the
nothing-scheduled mark, snoozing and urgency. Plain rules, no Qt, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mentordesk.domain.health import Level, assess, turned_red

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _health(days: float, *, booked: bool = True, snoozed: bool = False,
            never: bool = False) -> object:
    last = NOW - timedelta(days=days)
    return assess(now=NOW, last_held=None if never else last, added=last,
                  next_session=NOW + timedelta(days=3) if booked else None,
                  target_gap_days=14, max_gap_days=21,
                  snoozed_until=NOW + timedelta(days=1) if snoozed else None)


@pytest.mark.parametrize(("days", "level"), [
    (0, Level.GREEN), (14, Level.GREEN), (14.01, Level.AMBER), (21, Level.AMBER),
    (21.01, Level.RED), (400, Level.RED),
])
def test_levels_at_the_boundaries(days: float, level: Level) -> None:
    health = _health(days)
    assert health.level is level  # type: ignore[attr-defined]


def test_nothing_scheduled_is_a_separate_mark_and_raises_urgency() -> None:
    booked, free = _health(5), _health(5, booked=False)
    assert booked.level is free.level is Level.GREEN  # type: ignore[attr-defined]
    assert free.nothing_scheduled and not booked.nothing_scheduled  # type: ignore[attr-defined]
    assert free.urgency > booked.urgency  # type: ignore[attr-defined]
    assert "nothing scheduled" in free.label()  # type: ignore[attr-defined]


def test_snoozed_red_sinks_and_does_not_alert() -> None:
    red, snoozed = _health(40), _health(40, snoozed=True)
    assert turned_red(red) and not turned_red(snoozed)  # type: ignore[arg-type]
    assert snoozed.level is Level.RED  # type: ignore[attr-defined]
    assert snoozed.urgency < _health(0).urgency  # type: ignore[attr-defined]
    assert snoozed.label().startswith("Snoozed")  # type: ignore[attr-defined]


def test_never_met_counts_from_when_added() -> None:
    health = _health(30, never=True)
    assert health.never_met and health.level is Level.RED  # type: ignore[attr-defined]
    assert "never met" in health.label()  # type: ignore[attr-defined]


def test_urgency_orders_by_share_of_the_maximum_gap() -> None:
    values = [_health(d).urgency for d in (1, 10, 20, 30)]  # type: ignore[attr-defined]
    assert values == sorted(values)
