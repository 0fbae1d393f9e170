"""A mentee's target and maximum gap: their own overrides, else the cadence's defaults."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentordesk.domain.cadence import UNITS, Cadence, effective_gaps
from mentordesk.services.mentees import MenteeInput, MenteeService
from mentordesk.storage.database import Database

BIWEEKLY = Cadence(2, "weeks")  # defaults 14 / 21


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
