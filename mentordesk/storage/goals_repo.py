"""Queries for goals, milestones and board columns. Functions take the unit of work's ORM
session and never commit.

Order on the board is ``(position, id)`` within a column. Positions are spaced apart and a
moved goal takes the midpoint between its new neighbours, so a drag writes one row whether
the column holds 20 cards or 2,000.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, or_, select, update
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
    SessionGoal,
    Tag,
)
from mentordesk.storage.schema import Session as SessionRow


# -- columns ---------------------------------------------------------------------------
def columns(s: OrmSession) -> Sequence[BoardColumn]:
    return s.scalars(select(BoardColumn).order_by(BoardColumn.position, BoardColumn.id)).all()


def column(s: OrmSession, column_id: int) -> BoardColumn | None:
    return s.get(BoardColumn, column_id)


def column_by_key(s: OrmSession, status_key: str) -> BoardColumn | None:
    return s.scalar(select(BoardColumn).where(BoardColumn.status_key == status_key))


def add_column(s: OrmSession, name: str, *, column_id: int | None = None,
               position: int | None = None) -> BoardColumn:
    if position is None:
        position = int(s.scalar(select(func.max(BoardColumn.position))) or 0) + 1
    else:
        s.execute(update(BoardColumn).where(BoardColumn.position >= position)
                  .values(position=BoardColumn.position + 1))
    row = BoardColumn(name=name, position=position)
    if column_id is not None:
        row.id = column_id
    s.add(row)
    s.flush()
    return row


def goals_in_column(s: OrmSession, column_id: int) -> int:
    return int(s.scalar(select(func.count()).select_from(Goal)
                        .where(Goal.column_id == column_id)) or 0)


# -- the board -------------------------------------------------------------------------
def board_rows(s: OrmSession,
               goal_ids: Iterable[int] | None = None) -> list[tuple[Any, ...]]:
    """One row per goal of an active mentee, in board order, with what a card shows.

    Milestone and open-action counts come from grouped subqueries joined once, not one
    query per card: the whole board of 2,000 goals is a single round trip.
    """
    wanted = list(goal_ids) if goal_ids is not None else None
    ms_query = select(
        Milestone.goal_id.label("goal_id"),
        func.count().label("total"),
        func.sum(case((Milestone.done.is_(True), 1), else_=0)).label("done"),
    ).group_by(Milestone.goal_id)
    acts_query = (
        select(ActionItem.goal_id.label("goal_id"), func.count().label("open"))
        .where(ActionItem.goal_id.is_not(None), ActionItem.done.is_(False),
               ActionItem.kind == "action")
        .group_by(ActionItem.goal_id)
    )
    if wanted is not None:
        # One card after a move: count only its rows, not the whole table's.
        ms_query = ms_query.where(Milestone.goal_id.in_(wanted))
        acts_query = acts_query.where(ActionItem.goal_id.in_(wanted))
    ms = ms_query.subquery()
    acts = acts_query.subquery()
    query = (
        select(
            Goal.id, Goal.mentee_id, Mentee.name, Goal.column_id, Goal.position, Goal.title,
            Goal.target_value, Goal.target_unit, Goal.current_value, Goal.progress_mode,
            Goal.manual_progress, Goal.due_date, Goal.completed_at,
            func.coalesce(ms.c.done, 0), func.coalesce(ms.c.total, 0),
            func.coalesce(acts.c.open, 0),
        )
        .join(Mentee, Mentee.id == Goal.mentee_id)
        .outerjoin(ms, ms.c.goal_id == Goal.id)
        .outerjoin(acts, acts.c.goal_id == Goal.id)
        .where(Mentee.archived.is_(False))
        .order_by(Goal.column_id, Goal.position, Goal.id)
    )
    if wanted is not None:
        query = query.where(Goal.id.in_(wanted))
    return [tuple(r) for r in s.execute(query)]


def mentees_with_goals(s: OrmSession) -> list[tuple[int, str]]:
    return [(int(i), str(n)) for i, n in s.execute(
        select(Mentee.id, Mentee.name)
        .where(Mentee.archived.is_(False), Mentee.id.in_(select(Goal.mentee_id)))
        .order_by(Mentee.name, Mentee.id)
    )]


def active_mentees(s: OrmSession) -> list[tuple[int, str]]:
    return [(int(i), str(n)) for i, n in s.execute(
        select(Mentee.id, Mentee.name).where(Mentee.archived.is_(False))
        .order_by(Mentee.name, Mentee.id)
    )]


def mentee_name(s: OrmSession, mentee_id: int) -> str | None:
    return s.scalar(select(Mentee.name).where(Mentee.id == mentee_id))


def tags_with_mentees(s: OrmSession) -> dict[tuple[int, str], list[int]]:
    result: dict[tuple[int, str], list[int]] = {}
    for tag_id, name, mentee_id in s.execute(
        select(Tag.id, Tag.name, MenteeTag.mentee_id)
        .join(MenteeTag, MenteeTag.tag_id == Tag.id)
        .order_by(Tag.name)
    ):
        result.setdefault((tag_id, name), []).append(mentee_id)
    return result


# -- order -----------------------------------------------------------------------------
def successor_id(s: OrmSession, goal: Goal) -> int | None:
    """The goal right after ``goal`` in its column, or None when it is last.

    Only goals shown on the board count (archived mentees' goals are hidden), so putting a
    goal back "before its successor" restores the order the mentor saw.
    """
    return s.scalar(
        select(Goal.id)
        .join(Mentee, Mentee.id == Goal.mentee_id)
        .where(
            Mentee.archived.is_(False),
            Goal.column_id == goal.column_id,
            Goal.id != goal.id,
            or_(Goal.position > goal.position,
                and_(Goal.position == goal.position, Goal.id > goal.id)),
        )
        .order_by(Goal.position, Goal.id)
        .limit(1)
    )


POSITION_GAP = 1024


def _ahead_position(s: OrmSession, column_id: int, before_id: int, before_pos: int,
                    goal_id: int) -> int | None:
    """The position of the goal just ahead of ``before`` (ignoring the goal being moved)."""
    return s.scalar(
        select(Goal.position)
        .where(
            Goal.column_id == column_id,
            Goal.id != goal_id,
            or_(Goal.position < before_pos,
                and_(Goal.position == before_pos, Goal.id < before_id)),
        )
        .order_by(Goal.position.desc(), Goal.id.desc())
        .limit(1)
    )


def renumber(s: OrmSession, column_id: int, exclude_id: int) -> None:
    """Spread a column's positions ``POSITION_GAP`` apart, keeping its order."""
    ranked = (
        select(Goal.id.label("gid"),
               func.row_number().over(order_by=(Goal.position, Goal.id)).label("rank"))
        .where(Goal.column_id == column_id, Goal.id != exclude_id)
        .subquery()
    )
    # One UPDATE … FROM statement, however long the column.
    s.execute(
        update(Goal)
        .where(Goal.id == ranked.c.gid)
        .values(position=ranked.c.rank * POSITION_GAP)
        .execution_options(synchronize_session=False)
    )


def place(s: OrmSession, goal: Goal, column_id: int, before_id: int | None) -> None:
    """Put ``goal`` into ``column_id`` right before ``before_id`` (at the end when None).

    The goal takes the midpoint between its new neighbours, so a move writes one row; only
    when two neighbours have no room between them is the column renumbered (rarely: a gap
    of 1,024 takes ten moves into the same slot to use up).
    """
    row = None
    if before_id is not None and before_id != goal.id:
        row = s.execute(select(Goal.position).where(Goal.id == before_id,
                                                    Goal.column_id == column_id)).first()
    if row is None:
        last = s.scalar(select(func.max(Goal.position))
                        .where(Goal.column_id == column_id, Goal.id != goal.id))
        goal.column_id = column_id
        goal.position = (int(last) + POSITION_GAP) if last is not None else POSITION_GAP
        return
    assert before_id is not None
    before_pos = int(row[0])
    ahead = _ahead_position(s, column_id, before_id, before_pos, goal.id)
    low = ahead if ahead is not None else before_pos - 2 * POSITION_GAP
    if before_pos - low < 2:
        # No room (ties, or neighbours one apart): spread the column out, then retry.
        renumber(s, column_id, goal.id)
        before_pos = int(s.scalar(select(Goal.position).where(Goal.id == before_id)) or 0)
        ahead = _ahead_position(s, column_id, before_id, before_pos, goal.id)
        low = ahead if ahead is not None else before_pos - 2 * POSITION_GAP
    goal.column_id = column_id
    goal.position = (low + before_pos) // 2


def new_goal_position(s: OrmSession, column_id: int) -> int:
    last = s.scalar(select(func.max(Goal.position)).where(Goal.column_id == column_id))
    return (int(last) + POSITION_GAP) if last is not None else POSITION_GAP


# -- milestones and links --------------------------------------------------------------
def replace_milestones(s: OrmSession, goal_id: int,
                       rows: Sequence[dict[str, Any]]) -> None:
    """Make the goal's checklist exactly ``rows`` (ids kept where given, so undo restores
    the very rows it removed)."""
    s.execute(delete(Milestone).where(Milestone.goal_id == goal_id))
    wanted = [r["id"] for r in rows if r.get("id") is not None]
    if wanted:
        # An id freed by an earlier edit may have gone to another goal's milestone since.
        taken = set(s.scalars(select(Milestone.id).where(Milestone.id.in_(wanted))))
        rows = [{k: v for k, v in r.items() if not (k == "id" and v in taken)} for r in rows]
    if rows:
        s.execute(insert(Milestone), [dict(r, goal_id=goal_id) for r in rows])


def replace_goal_links(s: OrmSession, goal_id: int, mentee_id: int,
                       rows: Sequence[dict[str, Any]]) -> None:
    s.execute(delete(ResourceLink).where(ResourceLink.goal_id == goal_id))
    if rows:
        s.execute(insert(ResourceLink),
                  [dict(r, goal_id=goal_id, mentee_id=mentee_id) for r in rows])


def goal_links(s: OrmSession, goal_id: int) -> Sequence[ResourceLink]:
    return s.scalars(select(ResourceLink).where(ResourceLink.goal_id == goal_id)
                     .order_by(ResourceLink.position, ResourceLink.id)).all()


def goal_milestones(s: OrmSession, goal_id: int) -> Sequence[Milestone]:
    return s.scalars(select(Milestone).where(Milestone.goal_id == goal_id)
                     .order_by(Milestone.position, Milestone.id)).all()


# -- what hangs off a goal (for delete/undo and for its story) -------------------------
def action_item_ids(s: OrmSession, goal_id: int) -> list[int]:
    return list(s.scalars(select(ActionItem.id).where(ActionItem.goal_id == goal_id)))


def linked_session_ids(s: OrmSession, goal_id: int) -> list[int]:
    return list(s.scalars(select(SessionGoal.session_id).where(SessionGoal.goal_id == goal_id)))


def relink(s: OrmSession, goal_id: int, action_ids: Sequence[int],
           session_ids: Sequence[int]) -> None:
    if action_ids:
        s.execute(update(ActionItem).where(ActionItem.id.in_(list(action_ids)))
                  .values(goal_id=goal_id).execution_options(synchronize_session=False))
    existing = set(s.scalars(select(SessionRow.id).where(SessionRow.id.in_(list(session_ids)))))
    rows = [{"session_id": sid, "goal_id": goal_id} for sid in session_ids if sid in existing]
    if rows:
        s.execute(insert(SessionGoal), rows)


def story_actions(s: OrmSession, goal_id: int) -> Sequence[ActionItem]:
    return s.scalars(select(ActionItem).where(ActionItem.goal_id == goal_id)
                     .order_by(ActionItem.created_at)).all()


def story_sessions(s: OrmSession, goal_id: int) -> Sequence[SessionRow]:
    """Sessions the goal was worked on in: linked directly, or where one of its action
    items was agreed."""
    via_actions = select(ActionItem.session_id).where(ActionItem.goal_id == goal_id,
                                                      ActionItem.session_id.is_not(None))
    direct = select(SessionGoal.session_id).where(SessionGoal.goal_id == goal_id)
    return s.scalars(
        select(SessionRow)
        .where(or_(SessionRow.id.in_(direct), SessionRow.id.in_(via_actions)))
        .order_by(SessionRow.start_utc)
    ).all()


def story_notes(s: OrmSession, session_ids: Sequence[int]) -> Sequence[Note]:
    if not session_ids:
        return []
    return s.scalars(select(Note).where(Note.session_id.in_(list(session_ids)))
                     .order_by(Note.created_at)).all()


def goal_dates(s: OrmSession, goal_id: int) -> tuple[datetime, datetime | None] | None:
    row = s.execute(select(Goal.created_at, Goal.completed_at).where(Goal.id == goal_id)).first()
    return None if row is None else (row[0], row[1])

