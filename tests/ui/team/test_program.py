"""The Program view's Qt model (ui/team/program.py) over a real coordinator's desk on a real
PostgreSQL: it passes the model tester, and its proxy sorts and filters by mentee and by
mentor."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from mentordesk.storage.database import Database
from mentordesk.team.program import load_program
from mentordesk.ui.team.program import ProgramModel, ProgramProxy
from tests.support.team_helpers import program_desk
from tests.support.team_server import Team

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def program(team: Team, desk_factory: Any) -> Database:
    return program_desk(team, desk_factory, NOW)


def test_program_model_sorts_and_filters(program: Database, qtmodeltester: Any,
                                         qtbot: Any) -> None:
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
