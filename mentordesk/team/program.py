"""The coordinator's program overview: every mentor's mentees with their health, last and
next session and goal progress, read from the team's server through the coordinator's own
role (PostgreSQL decides what that role may see: no note text, agendas or private notes).

Health and the next occurrence of recurring sessions follow the same domain rules as the
mentor's own Mentees view, so a coordinator and a mentor never disagree about who is red.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import NamedTuple

from mentordesk.domain.cadence import effective_gaps
from mentordesk.domain.health import Health, assess
from mentordesk.domain.recurrence import RecurrenceError, next_occurrence
from mentordesk.services.mentee_rows import cadence_of
from mentordesk.storage import team_server as server
from mentordesk.storage.database import Database
from mentordesk.team.errors import TeamError
from mentordesk.team.membership import load_secret, member_engine, membership
from mentordesk.team.replicator import translate


class ProgramRow(NamedTuple):
    uid: str
    name: str
    mentor: str
    cadence: str
    archived: bool
    last_held: datetime | None
    next_session: datetime | None
    goals: int
    goals_done: int
    health: Health
    # Lower-cased name and mentor, for filtering 10,000 rows per keystroke.
    search_key: str

    @property
    def progress(self) -> float:
        """Share of goals done, 0..1 (0 with no goals)."""
        return self.goals_done / self.goals if self.goals else 0.0


def load_program(db: Database, *, now: datetime | None = None) -> list[ProgramRow]:
    """The program as this desk's coordinator role sees it. Raises a TeamError the person
    can act on (not in a team, not a coordinator, server unreachable)."""
    m = membership(db)
    if m is None:
        raise TeamError("This desk is not in a team.",
                        hint="Join one with Tools ▸ Team… or `mentordesk team join CODE`.")
    if m.kind != "coordinator":
        raise TeamError("The program overview is for the program's coordinators.",
                        hint="Your own mentees are in the Mentees view.")
    secret = load_secret(m.address, m.member)
    if secret is None:
        raise TeamError("This computer's keyring no longer holds your team sign-in.",
                        hint="Ask for a new invitation and join again.")
    engine = member_engine(m, secret)
    try:
        with engine.connect() as conn, conn.begin():
            facts = server.program_facts(conn)
    except Exception as exc:
        known = translate(exc)
        if known is None:
            raise
        raise known from exc
    finally:
        engine.dispose()
    return program_rows(facts, now or datetime.now(UTC))


def program_rows(facts: server.ProgramFacts, now: datetime) -> list[ProgramRow]:
    upcoming = dict(facts.next_single)
    for series_uid, mentee_uid, start, zone_name, rule in facts.series:
        hit = _next(start, zone_name, rule, now, facts.exceptions.get(series_uid, ()))
        if hit is not None and (upcoming.get(mentee_uid) is None
                                or hit < upcoming[mentee_uid]):
            upcoming[mentee_uid] = hit
    rows: list[ProgramRow] = []
    for (uid, name, mentor, interval, unit, target, maximum, archived, snoozed,
         created) in facts.mentees:
        cadence = cadence_of(int(interval or 2), str(unit or "weeks"))
        target_days, max_days = effective_gaps(
            cadence, None if target is None else int(target),
            None if maximum is None else int(maximum))
        last = facts.last_held.get(uid)
        following = upcoming.get(uid)
        health = assess(now=now, last_held=last, added=created or now,
                        next_session=following, target_gap_days=target_days,
                        max_gap_days=max_days, snoozed_until=snoozed)
        total, done = facts.goals.get(uid, (0, 0))
        rows.append(ProgramRow(uid, str(name or ""), str(mentor), cadence.label(),
                               bool(archived), last, following, total, done, health,
                               f"{name or ''} {mentor}".casefold()))
    rows.sort(key=lambda r: (-r.health.urgency, r.search_key))
    return rows


def _next(start: datetime, zone_name: str | None, rule: str, now: datetime,
          exclude: Iterable[datetime]) -> datetime | None:
    try:
        return next_occurrence(start, zone_name or "UTC", rule, after=now, exclude=exclude)
    except (RecurrenceError, ValueError, OverflowError):
        return None  # a rule this desk cannot read: shown as nothing scheduled
