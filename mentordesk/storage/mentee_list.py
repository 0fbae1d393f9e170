"""The mentee list's queries over a plain sqlite3 connection (``Database.raw_reader()``).

The list is what the app shows first, so it must not wait for SQLAlchemy's import (~0.3 s
here): these queries use the stdlib driver and decode the columns the way the schema's types
do (``UTCDateTime`` stores naive UTC text, ``Date`` ISO text, booleans 0/1). One grouped
query per fact over all mentees, never per-row work, and never note bodies.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import NamedTuple

# SQLAlchemy's SQLite DateTime text format: comparing these strings orders instants.
_STORED = "%Y-%m-%d %H:%M:%S.%f"


class MenteeColumns(NamedTuple):
    """One mentee's list columns: a plain tuple, cheap to build 10,000 times."""

    id: int
    name: str
    email: str | None
    timezone: str
    cadence_interval: int
    cadence_unit: str
    target_gap_days: int | None
    max_gap_days: int | None
    meeting_link: str | None
    archived: bool
    snoozed_until: datetime | None
    health_notified_on: date | None
    created_at: datetime
    # Kept on the mentee row by triggers (migration 0003).
    last_held: datetime | None


@dataclass(frozen=True)
class SeriesRow:
    id: int
    mentee_id: int
    start_utc: datetime
    timezone: str
    rrule: str
    # Original starts of occurrences that were moved, cancelled or written in separately.
    exceptions: tuple[datetime, ...]


@dataclass(frozen=True)
class ListFacts:
    mentees: list[MenteeColumns]
    tags: dict[int, tuple[str, ...]]
    next_single: dict[int, datetime]
    series: list[SeriesRow]


# Parsing "...+00:00" is ~8x cheaper than parsing and then replace(tzinfo=UTC), and it yields
# the same datetime.UTC singleton (so arithmetic between them stays on the fast path).
_UTC_SUFFIX = "+00:00"


def stored(moment: datetime) -> str:
    """An aware datetime in the stored text form (for comparisons in SQL)."""
    return moment.astimezone(UTC).replace(tzinfo=None).strftime(_STORED)


def _ids_clause(column: str, ids: list[int] | None) -> tuple[str, list[int]]:
    if ids is None:
        return "", []
    return f" AND {column} IN ({','.join('?' * len(ids))})", list(ids)


def list_facts(conn: sqlite3.Connection, now: datetime, *, include_archived: bool = True,
               mentee_ids: Iterable[int] | None = None) -> ListFacts:
    """Everything the list needs; ``raw_reader()``'s transaction makes the facts agree."""
    ids = list(mentee_ids) if mentee_ids is not None else None
    return ListFacts(mentee_columns(conn, include_archived=include_archived, mentee_ids=ids),
                     tags_by_mentee(conn, ids), next_single_by_mentee(conn, now, ids),
                     recurring_series(conn, ids))


def mentee_columns(conn: sqlite3.Connection, *, include_archived: bool = True,
                   mentee_ids: list[int] | None = None) -> list[MenteeColumns]:
    where, args = _ids_clause("id", mentee_ids)
    if not include_archived:
        where += " AND archived = 0"
    rows = conn.execute(
        "SELECT id, name, email, timezone, cadence_interval, cadence_unit, target_gap_days, "
        "max_gap_days, meeting_link, archived, snoozed_until, health_notified_on, created_at, "
        f"last_held_utc FROM mentees WHERE 1{where}", args)
    fromiso, day, utc = datetime.fromisoformat, date.fromisoformat, _UTC_SUFFIX
    return [MenteeColumns(mid, name, email, tz, interval, unit, target, maximum, link,
                          bool(archived),
                          None if snoozed is None else fromiso(snoozed + utc),
                          None if notified is None else day(notified),
                          fromiso(created + utc),
                          None if held is None else fromiso(held + utc))
            for (mid, name, email, tz, interval, unit, target, maximum, link, archived,
                 snoozed, notified, created, held) in rows]


def tags_by_mentee(conn: sqlite3.Connection, mentee_ids: list[int] | None = None
                   ) -> dict[int, tuple[str, ...]]:
    """Each mentee's tag names in the column's NOCASE order.

    The few tags are ranked once in SQL; each mentee's tag ids are then sorted by rank
    (a C-level key), cheaper than a join sorted per row or a Python sort key per name."""
    names = conn.execute("SELECT id, name FROM tags ORDER BY name").fetchall()
    rank = {tag_id: i for i, (tag_id, _name) in enumerate(names)}
    name_of = [name for _id, name in names]
    where, args = _ids_clause("mentee_id", mentee_ids)
    ranks: dict[int, list[int]] = {}
    for mentee_id, tag_id in conn.execute(
            f"SELECT mentee_id, tag_id FROM mentee_tags WHERE 1{where}", args):
        ranks.setdefault(mentee_id, []).append(rank[tag_id])
    return {mentee_id: tuple([name_of[r] for r in sorted(found)])
            for mentee_id, found in ranks.items()}


def next_single_by_mentee(conn: sqlite3.Connection, after: datetime,
                          mentee_ids: list[int] | None = None) -> dict[int, datetime]:
    """Earliest scheduled one-off session (or moved occurrence) at or after ``after``.

    The list's queries name their partial indexes (migration 0003): without statistics,
    SQLite prefers the equality on ``ix_sessions_status``, which walks every scheduled
    session (3-4x slower at 100,000 sessions). A missing index then fails loudly."""
    where, args = _ids_clause("mentee_id", mentee_ids)
    fromiso = datetime.fromisoformat
    return {mid: fromiso(start + _UTC_SUFFIX) for mid, start in conn.execute(
        "SELECT mentee_id, min(start_utc) FROM sessions INDEXED BY ix_sessions_upcoming "
        "WHERE status = 'scheduled' "
        "AND rrule IS NULL AND start_utc >= ? AND mentee_id IS NOT NULL"
        f"{where} GROUP BY mentee_id", [stored(after), *args]) if start is not None}


def recurring_series(conn: sqlite3.Connection, mentee_ids: list[int] | None = None
                     ) -> list[SeriesRow]:
    where, args = _ids_clause("mentee_id", mentee_ids)
    # The partial index holds exactly the series heads (see next_single_by_mentee).
    heads = conn.execute(
        "SELECT id, mentee_id, start_utc, timezone, rrule FROM sessions "
        "INDEXED BY ix_sessions_series_heads "
        "WHERE rrule IS NOT NULL AND status != 'cancelled' AND mentee_id IS NOT NULL "
        f"AND series_id IS NULL{where}", args).fetchall()
    if not heads:
        return []
    exceptions: dict[int, list[datetime]] = {}
    fromiso = datetime.fromisoformat
    head_ids = {h[0] for h in heads}
    for series_id, original in conn.execute(
            "SELECT series_id, original_start_utc FROM sessions "
            "INDEXED BY ix_sessions_series_id WHERE series_id IS NOT NULL "
            "AND original_start_utc IS NOT NULL"):
        if series_id in head_ids:
            exceptions.setdefault(series_id, []).append(fromiso(original + _UTC_SUFFIX))
    return [SeriesRow(sid, mid, fromiso(start + _UTC_SUFFIX), tz, str(rule),
                      tuple(exceptions.get(sid, ())))
            for sid, mid, start, tz, rule in heads]


def any_mentee(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM mentees LIMIT 1").fetchone() is not None
