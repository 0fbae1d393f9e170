"""Cadences: reading what a mentor types ("every 2 weeks", "fortnightly"), the label they
read back, the default gaps, a mentee's target and maximum gap (their own overrides, else
the cadence's defaults), and any text at all given to the parser."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from mentordesk.domain.cadence import UNITS, Cadence, CadenceError, effective_gaps, parse_cadence
from mentordesk.services.mentees import MenteeInput, MenteeService
from mentordesk.storage.database import Database
from tests.support.fuzz import FUZZ

BIWEEKLY = Cadence(2, "weeks")  # defaults 14 / 21


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


@pytest.mark.parametrize(("target", "maximum", "gaps"), [
    (None, None, (14, 21)),
    (10, None, (10, 21)),     # a shorter target keeps the cadence's maximum
    (30, None, (30, 30)),     # a longer target lifts the maximum with it
    (None, 40, (14, 40)),
    (None, 10, (14, 10)),     # an explicit maximum is taken as given (the form validates it)
    (5, 8, (5, 8)),
])
def test_overrides_win_over_the_cadence(target: int | None, maximum: int | None,
                                        gaps: tuple[int, int]) -> None:
    assert effective_gaps(BIWEEKLY, target, maximum) == gaps


cadences = st.builds(Cadence, st.integers(1, 365), st.sampled_from(UNITS))
overrides = st.none() | st.integers(1, 1000)


@given(cadences, overrides, overrides)
def test_the_form_and_the_list_share_the_rule(cadence: Cadence, target: int | None,
                                              maximum: int | None) -> None:
    data = MenteeInput(name="A", cadence=cadence, target_gap_days=target,
                       max_gap_days=maximum)
    assert data.gaps() == effective_gaps(cadence, target, maximum)


@given(cadences, overrides)
def test_without_its_own_maximum_it_is_never_below_the_target(
        cadence: Cadence, target: int | None) -> None:
    due, overdue = effective_gaps(cadence, target, None)
    assert overdue >= due


@pytest.mark.parametrize(("target", "maximum"), [(None, None), (30, None), (5, 8)])
def test_the_saved_mentee_lists_with_the_same_gaps(db: Database, target: int | None,
                                                   maximum: int | None) -> None:
    service = MenteeService(db)
    saved = service.create(MenteeInput(name="Ada", cadence=BIWEEKLY, target_gap_days=target,
                                       max_gap_days=maximum))
    row = service.row(saved.id)
    assert row is not None
    assert (row.target_gap_days, row.max_gap_days) == effective_gaps(BIWEEKLY, target,
                                                                     maximum)


@FUZZ
@given(text=st.one_of(st.text(max_size=40), st.builds(
    lambda a, n, u: f"{a}{n}{u}", st.sampled_from(["", "every ", "Every  ", " "]),
    st.one_of(st.integers(-5, 1000).map(str), st.just(""), st.just("٣")),
    st.sampled_from([" days", "d", " weeks", "w", " Months", "mo", " years", ""]))))
@example(text="1" * 5000 + " days")
@example(text="every ٣ weeks")
@example(text="0" * 5000 + "12 weeks")
@example(text="every 0 days")
def test_cadence_parser_accepts_only_cadences_it_can_label(text: str) -> None:
    """Any text: a CadenceError with a message, or a cadence whose label reads back as
    itself and whose gaps are at least a day."""
    try:
        cadence = parse_cadence(text)
    except CadenceError as exc:
        assert str(exc)
        return
    assert parse_cadence(cadence.label()) == cadence
    assert cadence.default_gaps()[0] >= 1
