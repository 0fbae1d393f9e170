"""The coordinator's Program view against a real PostgreSQL: every mentor's mentees, read
through the coordinator's own role, with health, next session (recurring ones included),
goal progress; and the Qt model behind the view, sorted and filtered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mentordesk.domain.health import Level
from mentordesk.storage.database import Database
from mentordesk.storage.schema import Goal, Mentee
from mentordesk.storage.schema import Session as SessionRow
from mentordesk.team.errors import TeamError
from mentordesk.team.program import load_program
from tests.support.team_helpers import settle
from tests.support.team_server import Team, joined

NOW = datetime.now(UTC).replace(microsecond=0)


def _mentor_desk(team: Team, desk_factory: Any, who: str,
                 mentees: list[tuple[str, timedelta | None, bool]]) -> Database:
    """A mentor's desk with mentees: (name, last held this long ago, a weekly series)."""
    desk = joined(desk_factory(who), team.invite(who))
    with desk.transaction() as s:
        for name, ago, weekly in mentees:
            mentee = Mentee(name=name, cadence_interval=1, cadence_unit="weeks")
            s.add(mentee)
            s.flush()
            if ago is not None:
                s.add(SessionRow(mentee_id=mentee.id, start_utc=NOW - ago, status="held",
                                 agenda="private agenda", timezone="UTC"))
            if weekly:
                s.add(SessionRow(mentee_id=mentee.id, start_utc=NOW - timedelta(days=60),
                                 rrule="FREQ=WEEKLY", status="scheduled", timezone="UTC"))
            s.add(Goal(mentee_id=mentee.id, column_id=1, title="Ship", description="x"))
            s.add(Goal(mentee_id=mentee.id, column_id=4, title="Done one",
                       completed_at=NOW - timedelta(days=1)))
    settle(desk)
    return desk


@pytest.fixture
def program(team: Team, desk_factory: Any) -> Database:
    _mentor_desk(team, desk_factory, "ann", [("Ada", timedelta(days=3), True),
                                              ("Ben", timedelta(days=40), False)])
    _mentor_desk(team, desk_factory, "bob", [("Cy", None, False)])
    return joined(desk_factory("coordinator"), team.invite("carol", coordinator=True))


def test_the_coordinator_sees_every_mentors_mentees_with_health_and_progress(
        program: Database, team: Team) -> None:
    rows = {r.name: r for r in load_program(program, now=NOW)}
    assert set(rows) == {"Ada", "Ben", "Cy"}
    assert rows["Ada"].mentor == team.name("ann") and rows["Cy"].mentor == team.name("bob")
    assert rows["Ada"].health.level is Level.GREEN
    assert rows["Ben"].health.level is Level.RED  # weekly cadence, 40 days since
    assert rows["Cy"].health.never_met
    # The weekly series' next occurrence, not its first start long ago.
    assert rows["Ada"].next_session is not None
    assert NOW <= rows["Ada"].next_session <= NOW + timedelta(days=7)
    assert rows["Ben"].next_session is None
    assert (rows["Ada"].goals, rows["Ada"].goals_done, rows["Ada"].progress) == (2, 1, 0.5)
    # The most urgent first.
    assert load_program(program, now=NOW)[0].name == "Ben"


def test_a_mentor_desk_is_told_the_program_is_for_coordinators(team: Team,
                                                               desk_factory: Any) -> None:
    desk = _mentor_desk(team, desk_factory, "dan", [("Eve", None, False)])
    with pytest.raises(TeamError, match="coordinators"):
        load_program(desk)


def test_program_model_sorts_and_filters(program: Database, qtmodeltester: Any,
                                         qtbot: Any) -> None:
    from mentordesk.ui.team.program import ProgramModel, ProgramProxy

    model = ProgramModel()
    model.set_rows(load_program(program, now=NOW))
    qtmodeltester.check(model)
    proxy = ProgramProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    assert proxy.rowCount() == 3
    proxy.set_filter_text("ann")  # by mentor
    assert sorted(proxy.index(r, 0).data() for r in range(proxy.rowCount())) == ["Ada", "Ben"]
    proxy.set_filter_text("cy")
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["Cy"]
    proxy.set_filter_text("")
    proxy.sort(0)
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["Ada", "Ben", "Cy"]
