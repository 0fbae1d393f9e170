"""Team mode in the real main window, against a real PostgreSQL: a mentor's desk replicates
in the background (an edit reaches the server within seconds, without a click), an
unreachable server shows "Team: offline, N changes waiting" and loses nothing, and a
coordinator's desk gets the Program view."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QUndoStack
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from mentordesk.services.mentees import MenteeInput, MenteeService
from mentordesk.storage import team_local
from mentordesk.storage.database import Database
from mentordesk.team.membership import JoinCode, ServerAddress, store_secret
from mentordesk.ui.context import AppContext, Change
from mentordesk.ui.main_window import MainWindow
from mentordesk.ui.team import TeamButton, install_team
from mentordesk.ui.team.controller import OFFLINE, ONLINE, TeamController
from tests.support.team_server import Team, joined


@pytest.fixture
def window_for(qtbot: QtBot) -> Iterator[Any]:
    made: list[TeamController] = []

    def make(db: Database) -> tuple[MainWindow, TeamController]:
        context = AppContext(db=db, settings=QSettings(), undo_stack=QUndoStack())
        # A bare window: the team controller is under test, not start-up or the views.
        window = MainWindow(context, view_factories=[])
        qtbot.addWidget(window)
        controller = install_team(window)
        made.append(controller)
        return window, controller

    yield make
    for controller in made:
        controller.stop()


def _server_names(team: Team, code: JoinCode) -> list[str]:
    engine = team.connect_as(code)
    try:
        with engine.connect() as conn:
            return sorted(str(n) for n in conn.execute(text("SELECT name FROM team.mentees")
                                                      ).scalars())
    finally:
        engine.dispose()


def test_a_mentor_desk_replicates_in_the_background(qtbot: QtBot, team: Team,
                                                   desk_factory: Any, window_for: Any) -> None:
    code = team.invite("alice")
    desk = joined(desk_factory("alice"), code)
    window, controller = window_for(desk)
    button = window.toolbar.findChild(TeamButton)
    assert button is not None
    qtbot.waitUntil(lambda: controller.view.state == ONLINE
                    and controller.view.text == "Team: online", timeout=10_000)
    assert button.text() == "Team: online" and button.shown
    assert [a.text() for a in window.menu("&Tools").actions()][-1] == "&Team…"
    MenteeService(desk).create(MenteeInput(name="Grace", email="grace@example.com"))
    window.context.bus.notify(Change.MENTEES)  # what every user change announces
    qtbot.waitUntil(lambda: _server_names(team, code) == ["Grace"], timeout=5_000)


def test_an_unreachable_server_shows_offline_and_keeps_every_change(
        qtbot: QtBot, team: Team, desk_factory: Any, window_for: Any) -> None:
    code = team.invite("bob")
    desk = joined(desk_factory("bob"), code)
    # The server moves away (a laptop on a train): nothing listens at its address now.
    with desk.transaction() as s:
        raw = json.loads(str(team_local.get_state(s, "server")))
        raw["port"] = 9  # discard: connection refused
        team_local.set_state(s, "server", json.dumps(raw))
    store_secret(ServerAddress.from_json(json.dumps(raw)), code.member, code.secret)
    MenteeService(desk).create(MenteeInput(name="Offline edit"))
    _window, controller = window_for(desk)
    qtbot.waitUntil(lambda: controller.view.state == OFFLINE, timeout=15_000)
    assert controller.view.text == "Team: offline, 1 change waiting"
    with desk.reader() as s:
        assert team_local.pending_count(s) == 1


def test_a_coordinator_desk_gets_the_program_view(qtbot: QtBot, team: Team,
                                                 desk_factory: Any, window_for: Any) -> None:
    from mentordesk.ui.team.program import ProgramView

    mentor = joined(desk_factory("carla"), team.invite("carla"))
    MenteeService(mentor).create(MenteeInput(name="Hopper"))
    from tests.support.team_helpers import settle

    settle(mentor)
    coordinator = joined(desk_factory("coord"), team.invite("coord", coordinator=True))
    window, controller = window_for(coordinator)
    assert controller.kind == "coordinator" and not controller.running
    assert "program" in window.view_ids()
    view = window.ensure_view("program")
    assert isinstance(view, ProgramView)
    qtbot.waitUntil(lambda: view.proxy.rowCount() == 1, timeout=10_000)
    assert view.proxy.index(0, 0).data() == "Hopper"
    assert view.summary.text().startswith("1 mentee, 1 mentor")
