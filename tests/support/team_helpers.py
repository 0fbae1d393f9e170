"""Shared helpers for the team tests: what a desk holds, as the team sees it."""

from __future__ import annotations

from typing import Any

from mentordesk.storage import team_local as local
from mentordesk.storage.database import Database
from mentordesk.storage.team_tables import TABLES
from mentordesk.team.membership import replicator_for


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
