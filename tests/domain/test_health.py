"""Cadence and relationship health: plain rules, no Qt, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentordesk.domain.cadence import Cadence, CadenceError, parse_cadence
from mentordesk.domain.health import Level, assess, turned_red

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("weekly", Cadence(1, "weeks")),
    ("Every 2 weeks", Cadence(2, "weeks")),
    ("fortnightly", Cadence(2, "weeks")),
    ("biweekly", Cadence(2, "weeks")),
    ("every 10 days", Cadence(10, "days")),
    ("10 days", Cadence(10, "days")),
    ("3w", Cadence(3, "weeks")),
    ("Monthly", Cadence(1, "months")),
    ("every 2 months", Cadence(2, "months")),
    ("  EVERY   3   WEEKS ", Cadence(3, "weeks")),
])
def test_parse_cadence(text: str, expected: Cadence) -> None:
    assert parse_cadence(text) == expected


@pytest.mark.parametrize("text", ["", "sometimes", "every 0 weeks", "every -1 days",
                                  "every 2 fortnights", "400 days"])
def test_parse_cadence_rejects(text: str) -> None:
    with pytest.raises(CadenceError):
        parse_cadence(text)


@given(st.integers(1, 365), st.sampled_from(["days", "weeks", "months"]))
def test_label_round_trips(interval: int, unit: str) -> None:
    cadence = Cadence(interval, unit)
    assert parse_cadence(cadence.label()) == cadence


@pytest.mark.parametrize(("cadence", "gaps"), [
    (Cadence(2, "weeks"), (14, 21)),
    (Cadence(1, "weeks"), (7, 11)),
    (Cadence(1, "months"), (30, 45)),
    (Cadence(1, "days"), (1, 2)),
])
def test_default_gaps(cadence: Cadence, gaps: tuple[int, int]) -> None:
    assert cadence.default_gaps() == gaps


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
