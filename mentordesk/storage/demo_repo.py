"""Bulk writes for the demo data (``services/demo.py``). Functions take the unit of work's ORM
session and never commit.

Rows go in with Core inserts (ORM flushes are ~15x slower at benchmark scale: 10k mentees,
100k notes) and explicit ids, so related rows can point at each other without reading
anything back. A row is a dict of column name to value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm import Session as OrmSession

from mentordesk.storage.schema import (
    ActionItem,
    BoardColumn,
    Goal,
    Mentee,
    MenteeTag,
    Milestone,
    Note,
    ResourceLink,
    Session,
    SessionGoal,
    Tag,
)

Row = dict[str, object]

# Rows per INSERT: large enough to be fast, small enough to keep one statement's memory low.
_CHUNK = 20_000


@dataclass(frozen=True)
class FirstIds:
    """The first free id of each table whose rows the demo points at."""

    mentee: int
    goal: int
    session: int
    note: int


def _next_id(s: OrmSession, column: InstrumentedAttribute[int]) -> int:
    return int(s.scalar(select(func.max(column))) or 0) + 1


def first_ids(s: OrmSession) -> FirstIds:
    return FirstIds(_next_id(s, Mentee.id), _next_id(s, Goal.id), _next_id(s, Session.id),
                    _next_id(s, Note.id))


def column_ids(s: OrmSession) -> dict[str, int]:
    """The built-in board columns' ids by their status key."""
    return {c.status_key: c.id for c in s.scalars(select(BoardColumn))
            if c.status_key is not None}


def tag_ids(s: OrmSession, names: Iterable[str]) -> dict[str, int]:
    """Ids of the tags ``names``, adding those the file does not have yet."""
    ids = {t.name: t.id for t in s.scalars(select(Tag))}
    for name in names:
        if name not in ids:
            ids[name] = _next_id(s, Tag.id)
            s.execute(insert(Tag), [{"id": ids[name], "name": name}])
    return ids


def _insert(s: OrmSession, table: type[object], rows: Sequence[Row]) -> None:
    for lo in range(0, len(rows), _CHUNK):
        s.execute(insert(table), rows[lo:lo + _CHUNK])


def add_mentees(s: OrmSession, mentees: Sequence[Row], tags: Sequence[Row],
                links: Sequence[Row]) -> None:
    """Mentees with their tag links (``mentee_id``, ``tag_id``) and resource links."""
    _insert(s, Mentee, mentees)
    _insert(s, MenteeTag, tags)
    _insert(s, ResourceLink, links)


def add_goals(s: OrmSession, goals: Sequence[Row], milestones: Sequence[Row]) -> None:
    _insert(s, Goal, goals)
    _insert(s, Milestone, milestones)


def add_sessions(s: OrmSession, sessions: Sequence[Row]) -> None:
    _insert(s, Session, sessions)


def add_session_records(s: OrmSession, notes: Sequence[Row], actions: Sequence[Row],
                        session_goals: Sequence[Row]) -> None:
    """What the sessions left behind: notes, action items and the goals they worked on."""
    _insert(s, Note, notes)
    _insert(s, ActionItem, actions)
    _insert(s, SessionGoal, session_goals)
