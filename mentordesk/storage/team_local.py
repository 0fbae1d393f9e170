"""The desk's side of team replication: payloads read from and applied to the local file.

A payload is a row as the team knows it: its replicated fields in a canonical JSON form and
its parents as uids, never local ids (those differ on every desk). ``apply`` writes a payload
from the server back into local rows, mapping uids to local ids. All of it runs inside the
caller's unit of work; the caller turns capture off while applying (``capture_off``) so the
server's own changes are not queued to be pushed back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session as OrmSession

from mentordesk.storage.schema import Base, TeamBase, TeamOutboxEntry, TeamState
from mentordesk.storage.team_tables import (
    BOOL,
    BY_NAME,
    DATE,
    FLOAT,
    INSTANT,
    INT,
    SET,
    TEXT,
    TableSpec,
    builtin_column_uid,
    canonical_uid,
)

Payload = dict[str, Any]

CAPTURE = "capture"


def table(name: str) -> Table:
    return Base.metadata.tables[name]


# -- canonical values ------------------------------------------------------------------------

def to_canonical(kind: str, value: Any) -> Any:
    """A field's value in the one form both sides compare and store (JSON-safe)."""
    if value is None:
        return [] if kind == SET else None
    if kind == TEXT:
        return str(value)
    if kind == INT:
        return int(value)
    if kind == FLOAT:
        return float(value)
    if kind == BOOL:
        return bool(value)
    if kind == DATE:
        if isinstance(value, datetime):
            value = value.date()
        return (value if isinstance(value, date) else date.fromisoformat(str(value))).isoformat()
    if kind == INSTANT:
        if not isinstance(value, datetime):
            value = datetime.fromisoformat(str(value))
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if kind == SET:
        return sorted({str(v) for v in value})
    raise ValueError(f"unknown field kind {kind}")


def canonical_ref(value: Any) -> str | None:
    return None if value is None else canonical_uid(value)


def from_canonical(kind: str, value: Any) -> Any:
    """A canonical value as the local column wants it."""
    if value is None:
        return None
    if kind == DATE:
        return date.fromisoformat(value)
    if kind == INSTANT:
        return datetime.fromisoformat(value).astimezone(UTC)
    return value


def extra_keys(spec: TableSpec) -> tuple[str, ...]:
    """Payload keys beyond fields and refs: a milestone carries its mentee for the server."""
    return ("mentee_uid",) if spec.mentee == "goal" else ()


def payload_keys(spec: TableSpec) -> tuple[str, ...]:
    return (*spec.payload_keys, *extra_keys(spec))


def from_server(spec: TableSpec, body: dict[str, Any]) -> Payload:
    """A pulled server row (``to_jsonb``) as a payload."""
    out: Payload = {f.name: to_canonical(f.kind, body.get(f.name)) for f in spec.fields}
    for ref in spec.refs:
        out[ref.server] = canonical_ref(body.get(ref.server))
    for key in extra_keys(spec):
        out[key] = canonical_ref(body.get(key))
    return out


# -- reading local rows ----------------------------------------------------------------------

def read_payloads(s: OrmSession, spec: TableSpec, uids: Sequence[str]) -> dict[str, Payload]:
    """The current local payloads of these rows (missing ones are absent)."""
    found: dict[str, Payload] = {}
    t = table(spec.name)
    for start in range(0, len(uids), 500):
        chunk = list(uids[start:start + 500])
        cols: list[Any] = [t.c.id, t.c.uid]
        cols += [t.c[f.name] for f in spec.fields if f.kind != SET]
        for ref in spec.refs:
            parent = table(ref.parent).alias(f"p_{ref.column}")
            cols.append(select(parent.c.uid).where(parent.c.id == t.c[ref.column])
                        .scalar_subquery().label(ref.server))
        if spec.mentee == "goal":
            goals, mentees = table("goals"), table("mentees")
            cols.append(select(mentees.c.uid).join(goals, goals.c.mentee_id == mentees.c.id)
                        .where(goals.c.id == t.c.goal_id).scalar_subquery().label("mentee_uid"))
        rows = s.execute(select(*cols).where(t.c.uid.in_(chunk))).mappings().all()
        by_id: dict[int, Payload] = {}
        for row in rows:
            payload: Payload = {}
            for f in spec.fields:
                if f.kind != SET:
                    payload[f.name] = to_canonical(f.kind, row[f.name])
            for key in (*(r.server for r in spec.refs), *extra_keys(spec)):
                payload[key] = row[key]
            found[row["uid"]] = payload
            by_id[row["id"]] = payload
        _read_sets(s, spec, by_id)
    return found


def _read_sets(s: OrmSession, spec: TableSpec, by_id: dict[int, Payload]) -> None:
    if not by_id:
        return
    for payload in by_id.values():
        for f in spec.fields:
            if f.kind == SET:
                payload[f.name] = []
    ids = list(by_id)
    if spec.name == "mentees":
        mt, tags = table("mentee_tags"), table("tags")
        for mentee_id, name in s.execute(
                select(mt.c.mentee_id, tags.c.name).join(tags, tags.c.id == mt.c.tag_id)
                .where(mt.c.mentee_id.in_(ids))):
            by_id[mentee_id]["tags"].append(name)
        for payload in by_id.values():
            payload["tags"] = to_canonical(SET, payload["tags"])
    elif spec.name == "sessions":
        sg, goals = table("session_goals"), table("goals")
        for session_id, uid in s.execute(
                select(sg.c.session_id, goals.c.uid).join(goals, goals.c.id == sg.c.goal_id)
                .where(sg.c.session_id.in_(ids))):
            if uid is not None:
                by_id[session_id]["goal_uids"].append(uid)
        for payload in by_id.values():
            payload["goal_uids"] = to_canonical(SET, payload["goal_uids"])


def all_uids(s: OrmSession, spec: TableSpec) -> list[str]:
    t = table(spec.name)
    return [u for u in s.scalars(select(t.c.uid).where(t.c.uid.is_not(None)).order_by(t.c.id))]


# -- applying server rows --------------------------------------------------------------------

def _local_id(s: OrmSession, name: str, uid: str | None) -> int | None:
    if uid is None:
        return None
    t = table(name)
    found = s.scalar(select(t.c.id).where(t.c.uid == uid))
    return int(found) if found is not None else None


# Parents without which a row cannot be here: when the parent is gone from this desk (its
# delete is on the way), the row is skipped. Other missing parents become empty.
_NEEDS_PARENT = {("goals", "mentee_id"), ("milestones", "goal_id"), ("notes", "mentee_id"),
                 ("notes", "session_id"), ("action_items", "mentee_id"),
                 ("resource_links", "mentee_id"), ("sessions", "mentee_id"),
                 ("sessions", "series_id")}


def apply_upsert(s: OrmSession, spec: TableSpec, uid: str, payload: Payload) -> bool:
    """Write ``payload`` into the local row ``uid`` (made when missing). False when a parent
    it needs is not here (deleted on this desk, or out of this desk's reach): nothing is
    written then."""
    t = table(spec.name)
    values: dict[str, Any] = {}
    for f in spec.fields:
        if f.kind != SET:
            values[f.name] = from_canonical(f.kind, payload.get(f.name))
    for ref in spec.refs:
        parent_uid = payload.get(ref.server)
        local = _local_id(s, ref.parent, parent_uid)
        if local is None and ref.column == "column_id":
            local = _local_id(s, "board_columns", builtin_column_uid("not_started"))
        elif local is None and parent_uid is not None and (spec.name, ref.column) in _NEEDS_PARENT:
            return False
        if local is None and not t.c[ref.column].nullable:
            return False
        values[ref.column] = local
    for name in [n for n, v in values.items() if v is None and not t.c[n].nullable]:
        del values[name]  # the server row lacks it: keep this desk's value, or the default
    row_id = _local_id(s, spec.name, uid)
    if spec.name == "board_columns" and payload.get("status_key") and row_id is None:
        # A built-in column is the same everywhere: adopt this desk's own copy.
        found = s.scalar(select(t.c.id).where(t.c.status_key == payload["status_key"]))
        if found is not None:
            s.execute(update(t).where(t.c.id == found).values(uid=uid))
            row_id = int(found)
    if row_id is None:
        row_id = int(s.execute(insert(t).values(uid=uid, **values).returning(t.c.id)).scalar_one())
    else:
        s.execute(update(t).where(t.c.id == row_id).values(**values))
    if spec.name == "mentees":
        _apply_tags(s, row_id, payload.get("tags") or [])
    elif spec.name == "sessions":
        _apply_session_goals(s, row_id, payload.get("goal_uids") or [])
    return True


def _apply_tags(s: OrmSession, mentee_id: int, names: Iterable[str]) -> None:
    mt, tags = table("mentee_tags"), table("tags")
    wanted: set[int] = set()
    for name in names:
        tag_id = s.scalar(select(tags.c.id).where(tags.c.name == name))
        if tag_id is None:
            tag_id = s.execute(insert(tags).values(name=name).returning(tags.c.id)).scalar_one()
        wanted.add(int(tag_id))
    have = set(s.scalars(select(mt.c.tag_id).where(mt.c.mentee_id == mentee_id)))
    if have - wanted:
        s.execute(delete(mt).where(mt.c.mentee_id == mentee_id, mt.c.tag_id.in_(have - wanted)))
    for tag_id in wanted - have:
        s.execute(insert(mt).values(mentee_id=mentee_id, tag_id=tag_id))


def _apply_session_goals(s: OrmSession, session_id: int, goal_uids: Iterable[str]) -> None:
    sg, goals = table("session_goals"), table("goals")
    wanted = set(s.scalars(select(goals.c.id).where(goals.c.uid.in_(list(goal_uids)))))
    have = set(s.scalars(select(sg.c.goal_id).where(sg.c.session_id == session_id)))
    if have - wanted:
        s.execute(delete(sg).where(sg.c.session_id == session_id,
                                   sg.c.goal_id.in_(have - wanted)))
    for goal_id in wanted - have:
        s.execute(insert(sg).values(session_id=session_id, goal_id=goal_id))


def apply_delete(s: OrmSession, spec: TableSpec, uid: str) -> None:
    """Remove the local row (its children follow by the local cascades)."""
    t = table(spec.name)
    if spec.name == "board_columns":
        row = s.execute(select(t.c.id, t.c.status_key).where(t.c.uid == uid)).first()
        if row is None or row.status_key is not None:
            return  # the built-in columns stay on every desk
        # Goals still in the column (moved here meanwhile) go to "Not started", not away.
        home = _local_id(s, "board_columns", builtin_column_uid("not_started"))
        goals = table("goals")
        s.execute(update(goals).where(goals.c.column_id == row.id).values(column_id=home))
    s.execute(delete(t).where(t.c.uid == uid))


def rows_of_mentee(s: OrmSession, mentee_uid: str) -> list[tuple[str, str]]:
    """(table, uid) of the mentee and every replicated row under it."""
    mentee_id = _local_id(s, "mentees", mentee_uid)
    if mentee_id is None:
        return []
    found: list[tuple[str, str]] = [("mentees", mentee_uid)]
    for spec in BY_NAME.values():
        t = table(spec.name)
        if spec.mentee == "mentee_id":
            query = select(t.c.uid).where(t.c.mentee_id == mentee_id)
        elif spec.mentee == "goal":
            goals = table("goals")
            query = select(t.c.uid).join(goals, goals.c.id == t.c.goal_id).where(
                goals.c.mentee_id == mentee_id)
        else:
            continue
        found += [(spec.name, uid) for uid in s.scalars(query) if uid is not None]
    return found


def delete_mentee_locally(s: OrmSession, uid: str) -> None:
    """A mentee moved to another mentor: its rows leave this desk (not a delete to push)."""
    apply_delete(s, BY_NAME["mentees"], uid)


# -- outbox, bases, state --------------------------------------------------------------------

@dataclass(frozen=True)
class Pending:
    table_name: str
    uid: str
    op: str
    seq: int


def pending(s: OrmSession, limit: int | None = None) -> list[Pending]:
    stmt = select(TeamOutboxEntry.table_name, TeamOutboxEntry.uid, TeamOutboxEntry.op,
                  TeamOutboxEntry.seq).order_by(TeamOutboxEntry.seq)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [Pending(*row) for row in s.execute(stmt)]


def pending_for(s: OrmSession, table_name: str, uid: str) -> Pending | None:
    row = s.execute(select(TeamOutboxEntry.table_name, TeamOutboxEntry.uid, TeamOutboxEntry.op,
                           TeamOutboxEntry.seq)
                    .where(TeamOutboxEntry.table_name == table_name,
                           TeamOutboxEntry.uid == uid)).first()
    return Pending(*row) if row is not None else None


def pending_among(s: OrmSession, table_name: str, uids: Sequence[str]) -> dict[str, Pending]:
    out: dict[str, Pending] = {}
    for start in range(0, len(uids), 500):
        chunk = list(uids[start:start + 500])
        for row in s.execute(select(TeamOutboxEntry.table_name, TeamOutboxEntry.uid,
                                    TeamOutboxEntry.op, TeamOutboxEntry.seq).where(
                TeamOutboxEntry.table_name == table_name, TeamOutboxEntry.uid.in_(chunk))):
            out[row[1]] = Pending(*row)
    return out


def pending_count(s: OrmSession) -> int:
    return int(s.scalar(select(func.count()).select_from(TeamOutboxEntry)) or 0)


def clear_pending(s: OrmSession, entries: Iterable[Pending]) -> None:
    """Drop queue entries that were pushed, unless they changed again since they were read."""
    for e in entries:
        s.execute(delete(TeamOutboxEntry).where(TeamOutboxEntry.table_name == e.table_name,
                                                TeamOutboxEntry.uid == e.uid,
                                                TeamOutboxEntry.seq == e.seq))


def queue_everything(s: OrmSession) -> int:
    """Queue every replicated row (a desk's first push after joining)."""
    seq = int(s.scalar(select(func.coalesce(func.max(TeamOutboxEntry.seq), 0))) or 0)
    count = 0
    for spec in BY_NAME.values():
        for uid in all_uids(s, spec):
            seq += 1
            count += 1
            s.merge(TeamOutboxEntry(table_name=spec.name, uid=uid, op="upsert", seq=seq))
    return count


@dataclass(frozen=True)
class BaseVersion:
    rev: int
    data: Payload | None  # None: the server's row is a tombstone


def get_base(s: OrmSession, table_name: str, uid: str) -> BaseVersion | None:
    row = s.get(TeamBase, (table_name, uid))
    if row is None:
        return None
    data = json.loads(row.data)
    return BaseVersion(row.rev, data if isinstance(data, dict) else None)


def get_bases(s: OrmSession, table_name: str, uids: Sequence[str]) -> dict[str, BaseVersion]:
    out: dict[str, BaseVersion] = {}
    for start in range(0, len(uids), 500):
        chunk = list(uids[start:start + 500])
        for uid, rev, data in s.execute(select(TeamBase.uid, TeamBase.rev, TeamBase.data).where(
                TeamBase.table_name == table_name, TeamBase.uid.in_(chunk))):
            value = json.loads(data)
            out[uid] = BaseVersion(int(rev), value if isinstance(value, dict) else None)
    return out


def set_base(s: OrmSession, table_name: str, uid: str, rev: int, data: Payload | None) -> None:
    stmt = sqlite_insert(TeamBase).values(table_name=table_name, uid=uid, rev=rev,
                                          data=json.dumps(data, sort_keys=True))
    s.execute(stmt.on_conflict_do_update(
        index_elements=[TeamBase.table_name, TeamBase.uid],
        set_={"rev": stmt.excluded.rev, "data": stmt.excluded.data}))


def get_state(s: OrmSession, key: str) -> str | None:
    row = s.get(TeamState, key)
    return row.value if row is not None else None


def set_state(s: OrmSession, key: str, value: str | None) -> None:
    if value is None:
        s.execute(delete(TeamState).where(TeamState.key == key))
    else:
        s.merge(TeamState(key=key, value=value))
    s.flush()


def count_state(s: OrmSession, prefix: str) -> int:
    return int(s.scalar(select(func.count()).select_from(TeamState)
                        .where(TeamState.key.startswith(prefix, autoescape=True))) or 0)


def capture_off(s: OrmSession) -> None:
    """Stop queuing changes for the rest of this transaction (call ``capture_on`` before it
    commits). The write also takes SQLite's write lock now, so what this transaction reads
    next cannot change under it."""
    s.execute(update(TeamState).where(TeamState.key == CAPTURE).values(value="0"))


def capture_on(s: OrmSession) -> None:
    s.execute(update(TeamState).where(TeamState.key == CAPTURE).values(value="1"))


def start_capture(s: OrmSession) -> None:
    set_state(s, CAPTURE, "1")


def forget_team(s: OrmSession) -> None:
    """Leave the team: no more capture, no queue, no bases, no team facts (rows stay)."""
    s.execute(delete(TeamOutboxEntry))
    s.execute(delete(TeamBase))
    s.execute(delete(TeamState))
