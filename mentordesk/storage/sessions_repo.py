"""Queries for sessions, notes and action items (no commits: the unit of work owns them)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session as OrmSession

from mentordesk.storage.schema import (
    ActionItem,
    Goal,
    Mentee,
    Note,
    SessionGoal,
)
from mentordesk.storage.schema import Session as SessionRow
from mentordesk.storage.types import utcnow


def get_session(db: OrmSession, session_id: int) -> SessionRow | None:
    return db.get(SessionRow, session_id)


def get_mentee(db: OrmSession, mentee_id: int) -> Mentee | None:
    return db.get(Mentee, mentee_id)


def mentee_names(db: OrmSession, ids: Iterable[int]) -> dict[int, tuple[str, str, str | None]]:
    """id -> (name, time zone, meeting link) for the given mentees."""
    wanted = sorted(set(ids))
    found: dict[int, tuple[str, str, str | None]] = {}
    for lo in range(0, len(wanted), 500):
        rows = db.execute(
            select(Mentee.id, Mentee.name, Mentee.timezone, Mentee.meeting_link)
            .where(Mentee.id.in_(wanted[lo:lo + 500]))
        )
        for mid, name, tz, link in rows:
            found[int(mid)] = (str(name), str(tz), link)
    return found


def single_sessions_between(db: OrmSession, after: datetime, before: datetime,
                            mentee_id: int | None = None) -> Sequence[SessionRow]:
    """Rows that are one meeting (not a series): plain sessions and written-in occurrences."""
    stmt = select(SessionRow).where(
        SessionRow.rrule.is_(None),
        SessionRow.start_utc >= after,
        SessionRow.start_utc < before,
    )
    if mentee_id is not None:
        stmt = stmt.where(SessionRow.mentee_id == mentee_id)
    return db.scalars(stmt.order_by(SessionRow.start_utc)).all()


def series_active_before(db: OrmSession, before: datetime,
                         mentee_id: int | None = None) -> Sequence[SessionRow]:
    stmt = select(SessionRow).where(
        SessionRow.rrule.is_not(None),
        SessionRow.status != "cancelled",
        SessionRow.start_utc < before,
    )
    if mentee_id is not None:
        stmt = stmt.where(SessionRow.mentee_id == mentee_id)
    return db.scalars(stmt).all()


def exception_starts(db: OrmSession, series_ids: Sequence[int], after: datetime,
                     before: datetime) -> dict[int, set[datetime]]:
    """series id -> original starts of its occurrences that have their own row."""
    found: dict[int, set[datetime]] = {}
    ids = list(series_ids)
    for lo in range(0, len(ids), 500):
        rows = db.execute(
            select(SessionRow.series_id, SessionRow.original_start_utc).where(
                SessionRow.series_id.in_(ids[lo:lo + 500]),
                SessionRow.original_start_utc >= after,
                SessionRow.original_start_utc < before,
            )
        )
        for sid, original in rows:
            if sid is not None and original is not None:
                found.setdefault(int(sid), set()).add(original)
    return found


def occurrence_row(db: OrmSession, series_id: int, original_start: datetime) -> SessionRow | None:
    return db.scalars(
        select(SessionRow).where(SessionRow.series_id == series_id,
                                 SessionRow.original_start_utc == original_start)
    ).first()


def occurrences_of(db: OrmSession, series_id: int) -> Sequence[SessionRow]:
    return db.scalars(select(SessionRow).where(SessionRow.series_id == series_id)).all()


def recent_sessions(db: OrmSession, before: datetime, limit: int,
                    mentee_id: int | None = None) -> Sequence[SessionRow]:
    stmt = select(SessionRow).where(SessionRow.rrule.is_(None), SessionRow.start_utc < before)
    if mentee_id is not None:
        stmt = stmt.where(SessionRow.mentee_id == mentee_id)
    return db.scalars(stmt.order_by(SessionRow.start_utc.desc()).limit(limit)).all()


def last_held_before(db: OrmSession, mentee_id: int, before: datetime,
                     exclude_id: int | None = None) -> SessionRow | None:
    # ``status || ''`` keeps SQLite off the status index (every held session of the
    # practice: 30 ms at 100k sessions) and on this mentee's few rows (0.05 ms).
    stmt = select(SessionRow).where(
        SessionRow.mentee_id == mentee_id,
        SessionRow.status.concat("") == "held",
        func.datetime(SessionRow.start_utc) < func.datetime(before.astimezone(UTC)
                                                            .replace(tzinfo=None)),
    )
    if exclude_id is not None:
        stmt = stmt.where(SessionRow.id != exclude_id)
    return db.scalars(stmt.order_by(SessionRow.start_utc.desc()).limit(1)).first()


def last_session_start(db: OrmSession, mentee_id: int) -> datetime | None:
    value = db.scalar(
        select(func.max(SessionRow.start_utc)).where(
            SessionRow.mentee_id == mentee_id,
            SessionRow.rrule.is_(None),
            SessionRow.status != "cancelled",
        )
    )
    return value


# -- notes ---------------------------------------------------------------------------------

def main_note(db: OrmSession, session_id: int) -> Note | None:
    return db.scalars(
        select(Note).where(Note.session_id == session_id).order_by(Note.id).limit(1)
    ).first()


def write_note_body(db: OrmSession, note_id: int, body: str, *,
                    expected: str | None = None) -> bool:
    """The autosave write: one small UPDATE (the FTS trigger reindexes the body).

    With ``expected``, only if the stored body is still exactly that text (a compare-and-
    swap); False when the note is gone or its body differs. The UPDATE takes the write lock
    even when it matches nothing, so what the caller reads next in the same transaction is
    what it would replace.
    """
    stmt = update(Note).where(Note.id == note_id)
    if expected is not None:
        stmt = stmt.where(Note.body == expected)
    result = db.execute(
        stmt.values(body=body, updated_at=utcnow()).execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def note_body(db: OrmSession, note_id: int) -> str | None:
    return db.scalars(select(Note.body).where(Note.id == note_id)).first()


def write_session_agenda(db: OrmSession, session_id: int, agenda: str) -> SessionRow | None:
    row = db.get(SessionRow, session_id)
    if row is None:
        return None
    row.agenda = agenda
    return row


# -- action items --------------------------------------------------------------------------

def action_items_of_session(db: OrmSession, session_id: int) -> Sequence[ActionItem]:
    return db.scalars(
        select(ActionItem).where(ActionItem.session_id == session_id)
        .order_by(ActionItem.kind, ActionItem.position, ActionItem.id)
    ).all()


def open_actions_carried(db: OrmSession, mentee_id: int,
                         exclude_session_id: int) -> Sequence[ActionItem]:
    return db.scalars(
        select(ActionItem).where(
            ActionItem.mentee_id == mentee_id,
            ActionItem.kind == "action",
            ActionItem.done.is_(False),
            or_(ActionItem.session_id.is_(None), ActionItem.session_id != exclude_session_id),
        ).order_by(ActionItem.created_at, ActionItem.id)
    ).all()


def next_time_items(db: OrmSession, session_id: int) -> Sequence[ActionItem]:
    return db.scalars(
        select(ActionItem).where(
            ActionItem.session_id == session_id,
            ActionItem.kind == "next_time",
            ActionItem.done.is_(False),
        ).order_by(ActionItem.position, ActionItem.id)
    ).all()


def next_position(db: OrmSession, session_id: int | None, mentee_id: int) -> int:
    cond = (ActionItem.session_id == session_id if session_id is not None
            else and_(ActionItem.session_id.is_(None), ActionItem.mentee_id == mentee_id))
    current = db.scalar(select(func.max(ActionItem.position)).where(cond))
    return int(current or 0) + 1


def goal_titles(db: OrmSession, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {int(i): str(t) for i, t in db.execute(
        select(Goal.id, Goal.title).where(Goal.id.in_(wanted)))}


def goals_touched(db: OrmSession, session_id: int) -> list[int]:
    linked = set(db.scalars(select(SessionGoal.goal_id).where(
        SessionGoal.session_id == session_id)))
    via_actions = set(db.scalars(select(ActionItem.goal_id).where(
        ActionItem.session_id == session_id, ActionItem.goal_id.is_not(None))))
    return sorted(int(g) for g in linked | via_actions if g is not None)


def link_goal(db: OrmSession, session_id: int, goal_id: int) -> bool:
    if db.get(SessionGoal, (session_id, goal_id)) is not None:
        return False
    db.add(SessionGoal(session_id=session_id, goal_id=goal_id))
    return True


def unlink_goal(db: OrmSession, session_id: int, goal_id: int) -> None:
    db.execute(delete(SessionGoal).where(SessionGoal.session_id == session_id,
                                         SessionGoal.goal_id == goal_id))


def mentee_goals(db: OrmSession, mentee_id: int) -> Sequence[Goal]:
    return db.scalars(select(Goal).where(Goal.mentee_id == mentee_id)
                      .order_by(Goal.completed_at.is_not(None), Goal.position, Goal.id)).all()


def sessions_of_mentee(db: OrmSession, mentee_id: int) -> Sequence[SessionRow]:
    return db.scalars(select(SessionRow).where(SessionRow.mentee_id == mentee_id)
                      .order_by(SessionRow.start_utc)).all()


def shared_notes_of_mentee(db: OrmSession, mentee_id: int) -> Sequence[Note]:
    """The mentee's notes that may be shared with them (never private ones)."""
    return db.scalars(select(Note).where(Note.mentee_id == mentee_id,
                                         Note.private.is_(False))).all()


def actions_of_mentee(db: OrmSession, mentee_id: int) -> Sequence[ActionItem]:
    return db.scalars(select(ActionItem).where(ActionItem.mentee_id == mentee_id)
                      .order_by(ActionItem.created_at, ActionItem.id)).all()


def find_mentees_by_name(db: OrmSession, name: str) -> Sequence[Mentee]:
    exact = db.scalars(select(Mentee).where(Mentee.name == name)).all()
    if exact:
        return exact
    # SQLite's lower() and LIKE fold ASCII letters only ("мария" would never find "Мария"):
    # compare casefolded names in Python. One pass over the names, for a report lookup.
    wanted = name.casefold()
    pairs = db.execute(select(Mentee.id, Mentee.name).order_by(Mentee.name, Mentee.id)).all()
    ids = [i for i, n in pairs if n.casefold() == wanted] or [
        i for i, n in pairs if wanted in n.casefold()][:20]
    if not ids:
        return []
    return db.scalars(select(Mentee).where(Mentee.id.in_(ids))
                      .order_by(Mentee.name, Mentee.id)).all()


def mentee_choices(db: OrmSession) -> list[tuple[int, str, str, int, str, str | None]]:
    """(id, name, time zone, cadence interval, cadence unit, meeting link) of active mentees."""
    rows = db.execute(
        select(Mentee.id, Mentee.name, Mentee.timezone, Mentee.cadence_interval,
               Mentee.cadence_unit, Mentee.meeting_link)
        .where(Mentee.archived.is_(False)).order_by(Mentee.name)
    )
    return [(int(r[0]), str(r[1]), str(r[2]), int(r[3]), str(r[4]), r[5]) for r in rows]
