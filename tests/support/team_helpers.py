"""Shared helpers for the team tests: what a desk holds, as the team sees it, and a small
program of mentors' desks for the coordinator's views."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from mentordesk.storage import team_local as local
from mentordesk.storage.database import Database
from mentordesk.storage.schema import Goal, Mentee
from mentordesk.storage.schema import Session as SessionRow
from mentordesk.storage.team_tables import TABLES
from mentordesk.team.membership import replicator_for
from tests.support.team_server import Team, joined


def content(db: Database) -> dict[str, dict[str, Any]]:
    """Every replicated row by table and uid, as payloads (local ids left out)."""
    out: dict[str, dict[str, Any]] = {}
    with db.reader() as s:
        for spec in TABLES:
            out[spec.name] = local.read_payloads(s, spec, local.all_uids(s, spec))
    return out


def settle(*desks: Database, rounds: int = 4) -> None:
    """Sync every desk in turn until nothing is left to move."""
    for _ in range(rounds):
        for desk in desks:
            replicator, _m = replicator_for(desk)
            try:
                replicator.sync()
            finally:
                replicator.engine.dispose()
    for desk in desks:
        with desk.reader() as s:
            assert local.pending_count(s) == 0


def mentor_desk(team: Team, desk_factory: Any, who: str,
                mentees: list[tuple[str, timedelta | None, bool]], now: datetime) -> Database:
    """A mentor's desk with mentees: (name, last held this long before ``now``, a weekly
    series), each with one open and one completed goal, replicated to the server."""
    desk = joined(desk_factory(who), team.invite(who))
    with desk.transaction() as s:
        for name, ago, weekly in mentees:
            mentee = Mentee(name=name, cadence_interval=1, cadence_unit="weeks")
            s.add(mentee)
            s.flush()
            if ago is not None:
                s.add(SessionRow(mentee_id=mentee.id, start_utc=now - ago, status="held",
                                 agenda="private agenda", timezone="UTC"))
            if weekly:
                s.add(SessionRow(mentee_id=mentee.id, start_utc=now - timedelta(days=60),
                                 rrule="FREQ=WEEKLY", status="scheduled", timezone="UTC"))
            s.add(Goal(mentee_id=mentee.id, column_id=1, title="Ship", description="x"))
            s.add(Goal(mentee_id=mentee.id, column_id=4, title="Done one",
                       completed_at=now - timedelta(days=1)))
    settle(desk)
    return desk


def program_desk(team: Team, desk_factory: Any, now: datetime) -> Database:
    """A coordinator's desk over two mentors: ann's Ada (met 3 days ago, a weekly series) and
    Ben (40 days ago), bob's Cy (never met)."""
    mentor_desk(team, desk_factory, "ann", [("Ada", timedelta(days=3), True),
                                             ("Ben", timedelta(days=40), False)], now)
    mentor_desk(team, desk_factory, "bob", [("Cy", None, False)], now)
    return joined(desk_factory("coordinator"), team.invite("carol", coordinator=True))
