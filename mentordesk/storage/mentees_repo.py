"""Every query the Mentees view and the CSV import/export run.

Functions take the unit of work's Session and never commit. List queries select plain
columns (never whole ORM rows, never note bodies) so drawing 10,000 mentees stays cheap.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, and_, delete, func, insert, select, update
from sqlalchemy.orm import Session as OrmSession

from mentordesk.domain.goals import ColumnKind
from mentordesk.storage.outbox import enqueue_session_change
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

# How many characters of a note the profile reads: enough for its first lines.
NOTE_PREVIEW_CHARS = 400


def list_connection(db: OrmSession) -> sqlite3.Connection:
    """The unit of work's own sqlite3 connection, for the mentee list's queries
    (``storage/mentee_list.py``: the one implementation of each mentee's tags and recurring
    series) inside this unit of work."""
    conn = db.connection().connection.driver_connection
    assert isinstance(conn, sqlite3.Connection)  # the engine is always pysqlite
    return conn


def mentees_by_name(db: OrmSession) -> list[Mentee]:
    """Every mentee, archived ones too, by name (the CSV export's order)."""
    return list(db.scalars(select(Mentee).order_by(Mentee.name, Mentee.id)))


def all_tag_names(db: OrmSession) -> list[str]:
    return list(db.scalars(select(Tag.name).order_by(Tag.name)))


# -- single mentee -----------------------------------------------------------------------

def get_mentee(db: OrmSession, mentee_id: int) -> Mentee | None:
    return db.get(Mentee, mentee_id)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def match_key(text: str) -> str:
    """``text`` folded as SQLite's lower() folds it (ASCII letters only), which is how the
    indexed ``name_key``/``email_key`` columns hold names and emails (migration 0005)."""
    return text.translate(_ASCII_LOWER)


def find_by_email(db: OrmSession, email: str) -> Mentee | None:
    """The first mentee with this email, case-insensitively (an index probe)."""
    return db.scalars(select(Mentee).where(Mentee.email_key == match_key(email.strip()))
                      .order_by(Mentee.id).limit(1)).first()


def find_by_name(db: OrmSession, name: str) -> Mentee | None:
    """The first mentee with this name, case-insensitively (an index probe)."""
    return db.scalars(select(Mentee).where(Mentee.name_key == match_key(name.strip()))
                      .order_by(Mentee.id).limit(1)).first()


def tag_rows(db: OrmSession, names: Iterable[str]) -> list[Tag]:
    """Tags with these names (case-insensitive), created when missing."""
    wanted: dict[str, str] = {}
    for name in names:
        clean = name.strip()
        if clean and clean.casefold() not in wanted:
            wanted[clean.casefold()] = clean
    if not wanted:
        return []
    # SQLite's lower() and NOCASE fold ASCII only, so "Über" would not find "über": compare
    # casefolded names here instead (the tags table is small).
    found = {t.name.casefold(): t for t in db.scalars(select(Tag))}
    result: list[Tag] = []
    for key, name in wanted.items():
        tag = found.get(key)
        if tag is None:
            tag = Tag(name=name)
            db.add(tag)
            found[key] = tag
        result.append(tag)
    return result


def set_archived(db: OrmSession, mentee_id: int, archived: bool) -> bool:
    result = db.execute(update(Mentee).where(Mentee.id == mentee_id)
                        .values(archived=archived).execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


def set_snoozed(db: OrmSession, mentee_id: int, until: datetime | None) -> bool:
    result = db.execute(update(Mentee).where(Mentee.id == mentee_id)
                        .values(snoozed_until=until).execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


def mark_notified(db: OrmSession, mentee_ids: Sequence[int], day: date) -> None:
    if mentee_ids:
        db.execute(update(Mentee).where(Mentee.id.in_(list(mentee_ids)))
                   .values(health_notified_on=day)
                   .execution_options(synchronize_session=False))


def last_notification_day(db: OrmSession) -> date | None:
    return db.scalar(select(func.max(Mentee.health_notified_on)))


def delete_orphan_tags(db: OrmSession) -> None:
    used = select(MenteeTag.tag_id)
    db.execute(delete(Tag).where(Tag.id.not_in(used)))


# -- the "where were we" profile ----------------------------------------------------------

@dataclass(frozen=True)
class HeldSession:
    id: int
    title: str
    start_utc: datetime
    timezone: str
    duration_minutes: int


def _unindexed(column: Any) -> Any:
    """``column || ''``: keeps SQLite from picking the low-selectivity status index over the
    mentee index (without ANALYZE it would scan every held session of everyone)."""
    return column.concat("")


def last_held_session(db: OrmSession, mentee_id: int) -> HeldSession | None:
    row = db.execute(
        select(Session.id, Session.title, Session.start_utc, Session.timezone,
               Session.duration_minutes)
        .where(Session.mentee_id == mentee_id, _unindexed(Session.status) == "held")
        .order_by(Session.start_utc.desc(), Session.id.desc()).limit(1)
    ).first()
    return HeldSession(*row) if row is not None else None


def note_previews(db: OrmSession, session_id: int) -> list[tuple[int, str, bool]]:
    """(note id, the first characters of its body, private) for a session's notes."""
    stmt = (select(Note.id, func.substr(Note.body, 1, NOTE_PREVIEW_CHARS), Note.private)
            .where(Note.session_id == session_id).order_by(Note.id))
    return [(int(i), str(text or ""), bool(p)) for i, text, p in db.execute(stmt)]


@dataclass(frozen=True)
class OpenAction:
    id: int
    text: str
    kind: str
    due_date: date | None
    goal_title: str | None


def open_actions(db: OrmSession, mentee_id: int, limit: int = 20) -> list[OpenAction]:
    stmt = (select(ActionItem.id, ActionItem.text, ActionItem.kind, ActionItem.due_date,
                   Goal.title)
            .outerjoin(Goal, Goal.id == ActionItem.goal_id)
            .where(ActionItem.mentee_id == mentee_id, ActionItem.done.is_(False))
            .order_by(ActionItem.kind, ActionItem.due_date.is_(None), ActionItem.due_date,
                      ActionItem.position, ActionItem.id)
            .limit(limit))
    return [OpenAction(*row) for row in db.execute(stmt)]


@dataclass(frozen=True)
class DueGoal:
    id: int
    title: str
    due_date: date
    column_name: str


def goals_due(db: OrmSession, mentee_id: int, before: date, limit: int = 10) -> list[DueGoal]:
    """Unfinished goals due on or before ``before`` (overdue ones included), soonest first."""
    stmt = (select(Goal.id, Goal.title, Goal.due_date, BoardColumn.name)
            .join(BoardColumn, BoardColumn.id == Goal.column_id)
            .where(Goal.mentee_id == mentee_id, Goal.due_date.is_not(None),
                   Goal.due_date <= before, Goal.completed_at.is_(None),
                   func.coalesce(BoardColumn.status_key, "") != ColumnKind.DONE)
            .order_by(Goal.due_date, Goal.id).limit(limit))
    return [DueGoal(gid, title, due, column) for gid, title, due, column in db.execute(stmt)
            if due is not None]


@dataclass(frozen=True)
class SessionWhen:
    id: int
    start_utc: datetime
    timezone: str
    duration_minutes: int
    title: str
    meeting_link: str | None


def next_single_session(db: OrmSession, mentee_id: int, after: datetime) -> SessionWhen | None:
    row = db.execute(
        select(Session.id, Session.start_utc, Session.timezone, Session.duration_minutes,
               Session.title, Session.meeting_link)
        .where(Session.mentee_id == mentee_id, _unindexed(Session.status) == "scheduled",
               Session.rrule.is_(None), Session.start_utc >= after)
        .order_by(Session.start_utc).limit(1)
    ).first()
    return SessionWhen(*row) if row is not None else None


def session_when(db: OrmSession, session_id: int) -> SessionWhen | None:
    row = db.execute(
        select(Session.id, Session.start_utc, Session.timezone, Session.duration_minutes,
               Session.title, Session.meeting_link).where(Session.id == session_id)
    ).first()
    return SessionWhen(*row) if row is not None else None


# -- delete with an in-memory snapshot for undo ---------------------------------------------

_TABLES: tuple[tuple[str, Any], ...] = (
    ("mentees", Mentee),
    ("resource_links", ResourceLink),
    ("goals", Goal),
    ("milestones", Milestone),
    ("sessions", Session),
    ("session_goals", SessionGoal),
    ("notes", Note),
    ("action_items", ActionItem),
)


@dataclass(frozen=True)
class Snapshot:
    """Every row that belongs to one mentee, as column dicts, taken just before a delete."""

    mentee_id: int
    rows: dict[str, tuple[dict[str, Any], ...]]
    tag_names: tuple[str, ...]
    column_keys: dict[int, str | None]

    def count(self, table: str) -> int:
        return len(self.rows.get(table, ()))


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _select_rows(db: OrmSession, model: Any, where: Any) -> tuple[dict[str, Any], ...]:
    table = _table(model)
    # Generated columns (the mentee match keys) are SQLite's to compute: never put back.
    stored = [c for c in table.c if c.computed is None]
    return tuple(dict(row._mapping) for row in db.execute(select(*stored).where(where)))


# Ids per IN (...) list: far below SQLite's limit of 32,766 bound values.
_CHUNK = 5000


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start:start + _CHUNK])


def _rows_in(db: OrmSession, model: Any, column: Any, ids: Sequence[int]
             ) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for chunk in _chunks(ids):
        found.extend(_select_rows(db, model, column.in_(chunk)))
    return found


def take_snapshot(db: OrmSession, mentee_id: int) -> Snapshot | None:
    return take_snapshots(db, [mentee_id]).get(mentee_id)


def take_snapshots(db: OrmSession, mentee_ids: Sequence[int]) -> dict[int, Snapshot]:
    """The snapshots of the mentees that exist among ``mentee_ids``, by id, read with a few
    queries per table however many there are (undoing an import of 100,000 mentees took
    ten queries per mentee)."""
    wanted = list(dict.fromkeys(mentee_ids))
    mentee_rows = {r["id"]: r for r in _rows_in(db, Mentee, Mentee.id, wanted)}
    ids = [i for i in wanted if i in mentee_rows]
    per: dict[int, dict[str, list[dict[str, Any]]]] = {
        i: {name: [] for name, _model in _TABLES} for i in ids}
    for i in ids:
        per[i]["mentees"].append(mentee_rows[i])
    for name, model in (("resource_links", ResourceLink), ("goals", Goal),
                        ("sessions", Session), ("notes", Note), ("action_items", ActionItem)):
        for row in _rows_in(db, model, model.mentee_id, ids):
            per[row["mentee_id"]][name].append(row)
    goal_owner = {g["id"]: i for i in ids for g in per[i]["goals"]}
    session_owner = {x["id"]: i for i in ids for x in per[i]["sessions"]}
    for row in _rows_in(db, Milestone, Milestone.goal_id, list(goal_owner)):
        per[goal_owner[row["goal_id"]]]["milestones"].append(row)
    # A session worked on a goal: the link belongs to the session's and the goal's mentee.
    links: dict[tuple[int, int], dict[str, Any]] = {}
    for row in (_rows_in(db, SessionGoal, SessionGoal.session_id, list(session_owner))
                + _rows_in(db, SessionGoal, SessionGoal.goal_id, list(goal_owner))):
        links.setdefault((row["session_id"], row["goal_id"]), row)
    for row in links.values():
        for owner in dict.fromkeys((session_owner.get(row["session_id"]),
                                    goal_owner.get(row["goal_id"]))):
            if owner is not None:
                per[owner]["session_goals"].append(row)
    tags: dict[int, list[str]] = {}
    for chunk in _chunks(ids):
        for mentee_id, name in db.execute(
                select(MenteeTag.mentee_id, Tag.name).join(Tag, Tag.id == MenteeTag.tag_id)
                .where(MenteeTag.mentee_id.in_(chunk)).order_by(MenteeTag.mentee_id, Tag.name)):
            tags.setdefault(int(mentee_id), []).append(str(name))
    column_keys = {int(c.id): c.status_key for c in db.scalars(select(BoardColumn))}
    return {i: Snapshot(i, {name: tuple(rows) for name, rows in per[i].items()},
                        tuple(tags.get(i, ())), column_keys) for i in ids}


def delete_mentee(db: OrmSession, mentee_id: int) -> None:
    delete_mentees(db, [mentee_id])


def delete_mentees(db: OrmSession, mentee_ids: Sequence[int]) -> None:
    """Delete mentees and (through ON DELETE CASCADE) everything that belongs to them;
    their calendar events are queued for removal in the same transaction."""
    for chunk in _chunks(list(mentee_ids)):
        for row in db.scalars(select(Session).where(Session.mentee_id.in_(chunk),
                                                    Session.google_event_id.is_not(None))):
            enqueue_session_change(db, row, deleted=True)
        db.execute(delete(Mentee).where(Mentee.id.in_(chunk))
                   .execution_options(synchronize_session=False))
    db.expunge_all()


def _free_ids(db: OrmSession, model: Any, wanted: Sequence[int]) -> dict[int, int]:
    """Map each wanted id to itself when it is still free, else to a new unused id."""
    if not wanted:
        return {}
    table = _table(model)
    taken: set[int] = set()
    for chunk in _chunks(list(wanted)):
        taken.update(db.scalars(select(table.c.id).where(table.c.id.in_(chunk))))
    next_id = int(db.scalar(select(func.max(table.c.id))) or 0) + 1
    next_id = max(next_id, max(wanted) + 1)
    mapping: dict[int, int] = {}
    for old in wanted:
        if old in taken:
            mapping[old] = next_id
            next_id += 1
        else:
            mapping[old] = old
    return mapping


def _existing(db: OrmSession, model: Any, ids: Iterable[int]) -> set[int]:
    wanted = list({i for i in ids if i is not None})
    if not wanted:
        return set()
    table = _table(model)
    found: set[int] = set()
    for chunk in _chunks(wanted):
        found.update(db.scalars(select(table.c.id).where(table.c.id.in_(chunk))))
    return found


def restore_snapshot(db: OrmSession, snap: Snapshot) -> int:
    """Put a deleted mentee back with everything they had; returns the mentee's id."""
    return restore_snapshots(db, [snap])[0]


def restore_snapshots(db: OrmSession, snaps: Sequence[Snapshot]) -> list[int]:
    """Put deleted mentees back with everything they had; returns their ids, in order.
    One statement per table however many there are.

    Original ids are kept where they are still free, so other undo commands that name a goal
    or session keep working; a taken id is remapped and every reference follows it.
    """
    rows = {name: [r for snap in snaps for r in snap.rows.get(name, ())]
            for name, _model in _TABLES}
    mentee_map = _free_ids(db, Mentee, [r["id"] for r in rows["mentees"]])
    goal_map = _free_ids(db, Goal, [r["id"] for r in rows["goals"]])
    session_map = _free_ids(db, Session, [r["id"] for r in rows["sessions"]])
    column_keys: dict[int, str | None] = {}
    for snap in snaps:
        column_keys.update(snap.column_keys)

    # Board columns the mentor removed meanwhile: the goal goes back to its status column,
    # or the first column.
    columns = {int(c.id): c.status_key for c in db.scalars(select(BoardColumn))}
    by_key = {key: cid for cid, key in columns.items() if key}
    first_column = min(columns) if columns else None

    def column_for(old: int) -> int | None:
        if old in columns:
            return old
        key = column_keys.get(old)
        return by_key.get(key or "not_started", first_column)

    # References that point outside these mentees' rows survive only if their target does.
    outside_goals = _existing(db, Goal, [
        r["goal_id"] for t in ("resource_links", "action_items") for r in rows[t]
        if r["goal_id"] is not None and r["goal_id"] not in goal_map])
    outside_sessions = _existing(db, Session, [
        r["session_id"] for t in ("notes", "action_items") for r in rows[t]
        if r["session_id"] is not None and r["session_id"] not in session_map])

    def goal_ref(old: int | None) -> int | None:
        if old is None:
            return None
        return goal_map.get(old, old if old in outside_goals else None)

    def session_ref(old: int | None) -> int | None:
        if old is None:
            return None
        return session_map.get(old, old if old in outside_sessions else None)

    def put(model: Any, items: Iterable[dict[str, Any]]) -> None:
        batch = list(items)
        if batch:
            db.execute(insert(_table(model)), batch)

    put(Mentee, ({**r, "id": mentee_map[r["id"]]} for r in rows["mentees"]))
    names = [n for snap in snaps for n in snap.tag_names]
    folded = list(dict.fromkeys(n.strip().casefold() for n in names if n.strip()))
    tag_by_fold = dict(zip(folded, tag_rows(db, names), strict=True))
    db.flush()
    put(MenteeTag, ({"mentee_id": mentee_map[snap.mentee_id], "tag_id": tag_by_fold[f].id}
                    for snap in snaps
                    for f in dict.fromkeys(n.strip().casefold() for n in snap.tag_names
                                           if n.strip())))
    goals = []
    for r in rows["goals"]:
        column = column_for(r["column_id"])
        if column is None:
            continue
        goals.append({**r, "id": goal_map[r["id"]], "mentee_id": mentee_map[r["mentee_id"]],
                      "column_id": column})
    put(Goal, goals)
    restored_goals = {g["id"] for g in goals}
    put(ResourceLink, ({**r, "mentee_id": mentee_map[r["mentee_id"]],
                        "goal_id": goal_ref(r["goal_id"])} for r in rows["resource_links"]))
    put(Milestone, ({**r, "goal_id": goal_map[r["goal_id"]]} for r in rows["milestones"]
                    if goal_map.get(r["goal_id"]) in restored_goals))
    # Series first: their changed occurrences point at them.
    ordered = sorted(rows["sessions"], key=lambda r: r["series_id"] is not None)
    # The calendar may already have seen the delete: forget the etag and snapshot so the
    # next push re-sends the event under its old id and revives it, instead of the pull
    # reading Google's cancellation as a change made there.
    put(Session, ({**r, "id": session_map[r["id"]], "mentee_id": mentee_map[r["mentee_id"]],
                   "google_etag": None, "sync_snapshot": None,
                   "series_id": session_map.get(r["series_id"]) if r["series_id"] else None}
                  for r in ordered if r["series_id"] is None or r["series_id"] in session_map))
    # A link between two restored mentees' rows is in both their snapshots: put back once.
    links = {(session_map.get(r["session_id"], r["session_id"]),
              goal_map.get(r["goal_id"], r["goal_id"])): None
             for r in rows["session_goals"]
             if r["session_id"] in session_map and goal_map.get(r["goal_id"]) in restored_goals}
    put(SessionGoal, ({"session_id": sid, "goal_id": gid} for sid, gid in links))
    put(Note, ({**r, "mentee_id": mentee_map[r["mentee_id"]],
                "session_id": session_ref(r["session_id"])} for r in rows["notes"]))
    put(ActionItem, ({**r, "mentee_id": mentee_map[r["mentee_id"]],
                      "session_id": session_ref(r["session_id"]),
                      "goal_id": goal_ref(r["goal_id"]) if goal_ref(r["goal_id"]) is None
                      or goal_ref(r["goal_id"]) in restored_goals
                      or r["goal_id"] in outside_goals else None}
                     for r in rows["action_items"]))
    db.flush()
    # The calendar gets the events back: the delete queued before is replaced by an upsert.
    synced = [session_map[r["id"]] for r in rows["sessions"]
              if r["google_event_id"] is not None and r["id"] in session_map]
    for chunk in _chunks(synced):
        for row in db.scalars(select(Session).where(and_(Session.id.in_(chunk)))):
            enqueue_session_change(db, row)
    return [mentee_map[snap.mentee_id] for snap in snaps]
