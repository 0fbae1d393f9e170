"""The coordinator's program against a real PostgreSQL: every mentor's mentees, read
through the coordinator's own role, with health, next session (recurring ones included),
goal progress (the Qt model behind the Program view: tests/ui/team/test_program.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mentordesk.domain.health import Level
from mentordesk.storage.database import Database
from mentordesk.team.errors import TeamError
from mentordesk.team.program import load_program
from tests.support.team_helpers import mentor_desk, program_desk
from tests.support.team_server import Team

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def program(team: Team, desk_factory: Any) -> Database:
    return program_desk(team, desk_factory, NOW)


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
    desk = mentor_desk(team, desk_factory, "dan", [("Eve", None, False)], NOW)
    with pytest.raises(TeamError, match="coordinators"):
        load_program(desk)
