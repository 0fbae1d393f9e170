"""Writing a big CSV import into the file at once without holding the write lock for long.

The import runs on a connection of its own (``Database.own_connection``). What it prepares
goes into TEMP tables on that connection. They live in SQLite's temporary file, not in the
database file, so filling them takes no lock on the file, no other connection can see them,
and they vanish when the connection closes, whether the import finished, failed, was
cancelled or its process was killed: nothing half-imported can remain. Only ``apply`` writes
to the file, inside one ``BEGIN IMMEDIATE`` transaction, with set-based ``INSERT ... SELECT``
and ``UPDATE ... FROM`` over the temp tables (no Python round trip per row). A reader sees
the file as it was before the import or after it, never in between.

Matching uses the indexed ``name_key``/``email_key`` columns (migration 0005): the mentees
a file can mean are read with one index probe per distinct name and email of the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)

from mentordesk.storage.mentees_repo import match_key
from mentordesk.storage.schema import Mentee, MenteeTag, Tag
from mentordesk.storage.team_tables import new_uid
from mentordesk.storage.types import UTCDateTime, utcnow

_temp = MetaData()


def _table(model: object) -> Table:
    table = getattr(model, "__table__", None)
    assert isinstance(table, Table)
    return table


_mentees, _mentee_tags, _tags = _table(Mentee), _table(MenteeTag), _table(Tag)


def _temp_table(name: str, *columns: Column[object]) -> Table:
    return Table(name, _temp, *columns, prefixes=["TEMPORARY"])


_name_keys = _temp_table("import_name_keys", Column("key", Text, primary_key=True))
_email_keys = _temp_table("import_email_keys", Column("key", Text, primary_key=True))


def _value_columns() -> list[Column[object]]:
    return [Column("name", Text), Column("email", Text), Column("timezone", Text),
            Column("cadence_interval", Integer), Column("cadence_unit", Text),
            Column("meeting_link", Text), Column("background", Text)]


# The mentees the file can mean as they were when the plan was made: the final transaction
# compares them with the file (``unchanged``).
_before = _temp_table("import_before", Column("id", Integer, primary_key=True),
                      *_value_columns(), Column("target_gap_days", Integer),
                      Column("max_gap_days", Integer))
_before_tags = _temp_table("import_before_tags", Column("id", Integer), Column("name", Text))
_new = _temp_table("import_new", Column("seq", Integer, primary_key=True),
                   Column("uid", String(32)), *_value_columns())
_new_tags = _temp_table("import_new_tags", Column("seq", Integer), Column("tag_key", Text))
_changes = _temp_table("import_changes", Column("id", Integer, primary_key=True),
                       *_value_columns(), Column("tags_changed", Boolean))
_change_tags = _temp_table("import_change_tags", Column("id", Integer),
                           Column("tag_key", Text))
_tag_ids = _temp_table("import_tag_ids", Column("tag_key", Text, primary_key=True),
                       Column("tag_id", Integer))

_PLAN_TABLES = (_new, _new_tags, _changes, _change_tags, _tag_ids)
_VALUE_FIELDS = ("name", "email", "timezone", "cadence_interval", "cadence_unit",
                 "meeting_link", "background")
_VALUES = ", ".join(_VALUE_FIELDS)
_BEFORE = f"id, {_VALUES}, target_gap_days, max_gap_days"
# The mentees whose name or email is one of the file's: one index probe per distinct key.
_MATCHED = ("SELECT id FROM main.mentees WHERE name_key IN (SELECT key FROM import_name_keys) "
            "UNION SELECT id FROM main.mentees "
            "WHERE email_key IN (SELECT key FROM import_email_keys)")
_NOW = f"SELECT {_BEFORE} FROM main.mentees WHERE id IN ({_MATCHED})"
_NOW_TAGS = ("SELECT mt.mentee_id, t.name FROM main.mentee_tags mt "
             "JOIN main.tags t ON t.id = mt.tag_id "
             f"WHERE mt.mentee_id IN ({_MATCHED})")
# Any difference between the matched mentees (and their tags) now and in the plan, by
# counts and index probes (no sorting): the same ids, the same fields, the same tag names.
_now_ids = _temp_table("import_now", Column("id", Integer, primary_key=True))
_DIFFERS = " OR ".join(f"m.{f} IS NOT b.{f}" for f in (*_VALUE_FIELDS, "target_gap_days",
                                                      "max_gap_days"))
_CHANGED = (
    "SELECT (SELECT count(*) FROM import_now) != (SELECT count(*) FROM import_before) "
    "OR EXISTS (SELECT 1 FROM import_before WHERE id NOT IN (SELECT id FROM import_now)) "
    "OR EXISTS (SELECT 1 FROM import_before b JOIN main.mentees m ON m.id = b.id "
    f"WHERE {_DIFFERS}) "
    "OR (SELECT count(*) FROM main.mentee_tags "
    "WHERE mentee_id IN (SELECT id FROM import_now)) "
    "!= (SELECT count(*) FROM import_before_tags) "
    "OR EXISTS (SELECT 1 FROM import_before_tags bt WHERE NOT EXISTS ("
    "SELECT 1 FROM main.mentee_tags mt JOIN main.tags t ON t.id = mt.tag_id "
    "WHERE mt.mentee_id = bt.id AND t.name = bt.name COLLATE BINARY))")


class MenteeValues(NamedTuple):
    """The mentee fields an import writes (``None``: the field is empty), in the order of
    the temp tables' columns. NamedTuples: an import builds 100,000 of them."""

    name: str
    email: str | None
    timezone: str
    cadence_interval: int
    cadence_unit: str
    meeting_link: str | None
    background: str


@dataclass(frozen=True)
class Existing:
    """A mentee the file may mean, as it is in the file now."""

    id: int
    values: MenteeValues
    target_gap_days: int | None
    max_gap_days: int | None
    tags: tuple[str, ...]  # names, sorted case-insensitively


class NewMentee(NamedTuple):
    values: MenteeValues
    tags: tuple[str, ...]


class Change(NamedTuple):
    """New values for an existing mentee; ``tags`` None when they stay as they are."""

    id: int
    values: MenteeValues
    tags: tuple[str, ...] | None


class ImportStaging:
    """The temp tables of one import on its own connection (see the module docstring).

    Outside ``begin_write`` ... ``commit`` every method runs in a short transaction of its
    own that touches the file only to read it; inside, everything is part of the one write
    transaction.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._writing = False
        self._tag_names: dict[str, str] = {}
        self._staged_new = 0
        _temp.create_all(conn)

    # -- transactions ----------------------------------------------------------------------
    def _begin(self) -> bool:
        """Start a (deferred) transaction unless the write transaction is open."""
        if self._writing:
            return False
        self._conn.exec_driver_sql("BEGIN")
        return True

    def _end(self, started: bool) -> None:
        if started:
            self._conn.exec_driver_sql("COMMIT")

    def begin_write(self) -> None:
        """Take the file's write lock (waiting up to the busy timeout for another writer)."""
        self._conn.exec_driver_sql("BEGIN IMMEDIATE")
        self._writing = True

    def commit(self) -> None:
        self._conn.exec_driver_sql("COMMIT")
        self._writing = False

    def rollback(self) -> None:
        """Give up the write transaction (nothing of it reaches the file)."""
        if self._writing:
            self._writing = False
            self._conn.exec_driver_sql("ROLLBACK")

    # -- matching --------------------------------------------------------------------------
    def add_keys(self, names: Iterable[str], emails: Iterable[str]) -> None:
        """The names and emails of the file's rows (folded here as the index folds them)."""
        started = self._begin()
        try:
            for table, values in (("import_name_keys", names), ("import_email_keys", emails)):
                keys = {match_key(v.strip()) for v in values if v.strip()}
                if keys:
                    self._conn.exec_driver_sql(f"INSERT INTO {table} (key) VALUES (?)",
                                               [(k,) for k in keys])
        except BaseException:
            self._abort(started)
            raise
        self._end(started)

    def read_existing(self) -> dict[int, Existing]:
        """Every mentee whose name or email (case-insensitively) is one of the file's, as
        one consistent snapshot; kept in temp tables for ``unchanged``."""
        conn = self._conn
        started = self._begin()
        try:
            conn.exec_driver_sql("DELETE FROM import_before")
            conn.exec_driver_sql("DELETE FROM import_before_tags")
            conn.exec_driver_sql(f"INSERT INTO import_before ({_BEFORE}) {_NOW}")
            conn.exec_driver_sql(f"INSERT INTO import_before_tags (id, name) {_NOW_TAGS}")
            tags: dict[int, list[str]] = {}
            for mentee_id, name in conn.exec_driver_sql(
                    "SELECT id, name FROM import_before_tags"):
                tags.setdefault(mentee_id, []).append(name)
            found: dict[int, Existing] = {}
            for (mentee_id, name, email, zone, interval, unit, link, background, target,
                 maximum) in conn.exec_driver_sql(f"SELECT {_BEFORE} FROM import_before"):
                found[mentee_id] = Existing(
                    mentee_id,
                    MenteeValues(name, email, zone, interval, unit, link, background or ""),
                    target, maximum,
                    tuple(sorted(tags.get(mentee_id, ()), key=str.casefold)))
        except BaseException:
            self._abort(started)
            raise
        self._end(started)
        return found

    def unchanged(self) -> bool:
        """Whether the mentees the file matches are still exactly as ``read_existing``
        found them (the same ones, fields and tags). Run in the write transaction, this
        says the plan made from them still holds; set-based, so cheap at 100k rows."""
        conn = self._conn
        conn.exec_driver_sql("DELETE FROM import_now")
        conn.exec_driver_sql(f"INSERT INTO import_now (id) {_MATCHED}")
        return not conn.exec_driver_sql(_CHANGED).scalar()

    # -- the plan --------------------------------------------------------------------------
    def clear_plan(self, tag_names: dict[str, str]) -> None:
        """Forget what was staged; ``tag_names`` is the spelling a new tag gets, by its
        case-folded name (the first row that named it)."""
        started = self._begin()
        try:
            for table in _PLAN_TABLES:
                self._conn.execute(delete(table))
        except BaseException:
            self._abort(started)
            raise
        self._end(started)
        self._tag_names = dict(tag_names)
        self._staged_new = 0

    def stage_new(self, batch: Sequence[NewMentee]) -> None:
        """Mentees to create, in the order they get their ids."""
        first = self._staged_new
        rows = [(first + i, new_uid(), *item.values) for i, item in enumerate(batch)]
        links = [(first + i, tag.casefold()) for i, item in enumerate(batch)
                 for tag in item.tags]
        self._insert_batch((f"import_new (seq, uid, {_VALUES})", rows),
                           ("import_new_tags (seq, tag_key)", links))
        self._staged_new += len(batch)

    def stage_changes(self, batch: Sequence[Change]) -> None:
        rows = [(c.id, c.tags is not None, *c.values) for c in batch]
        links = [(c.id, tag.casefold()) for c in batch for tag in c.tags or ()]
        self._insert_batch((f"import_changes (id, tags_changed, {_VALUES})", rows),
                           ("import_change_tags (id, tag_key)", links))

    def _insert_batch(self, *parts: tuple[str, Sequence[tuple[object, ...]]]) -> None:
        """Rows into temp tables, in one short transaction (no lock on the file)."""
        started = self._begin()
        try:
            for into, rows in parts:
                if rows:
                    marks = ", ".join("?" * len(rows[0]))
                    self._conn.exec_driver_sql(f"INSERT INTO {into} VALUES ({marks})", rows)
        except BaseException:
            self._abort(started)
            raise
        self._end(started)

    def _abort(self, started: bool) -> None:
        if started:
            self._conn.exec_driver_sql("ROLLBACK")

    # -- the final transaction -------------------------------------------------------------
    def apply(self, now: datetime | None = None) -> list[int]:
        """Write what is staged into the file; the new mentees' ids in staging order. Runs
        inside ``begin_write`` ... ``commit``."""
        assert self._writing, "apply() belongs inside the write transaction"
        conn = self._conn
        m, mt, t = _mentees, _mentee_tags, _tags
        self._resolve_tags()
        stamp = literal(now or utcnow(), UTCDateTime())
        # New ids follow the highest one, as SQLite would number them; knowing them here
        # links the tags without looking each new mentee up again.
        base = int(conn.scalar(select(func.coalesce(func.max(m.c.id), 0))) or 0) + 1
        conn.execute(insert(m).from_select(
            ["id", "uid", *_VALUE_FIELDS, "archived", "created_at", "updated_at"],
            select(_new.c.seq + base, _new.c.uid, *(_new.c[f] for f in _VALUE_FIELDS),
                   literal(False), stamp, stamp).order_by(_new.c.seq)))
        conn.execute(insert(mt).from_select(
            ["mentee_id", "tag_id"],
            select(_new_tags.c.seq + base, _tag_ids.c.tag_id)
            .join(_tag_ids, _tag_ids.c.tag_key == _new_tags.c.tag_key)
            .order_by(_new_tags.c.seq)))
        conn.execute(update(m).where(m.c.id == _changes.c.id).values(
            updated_at=stamp, **{f: _changes.c[f] for f in _VALUE_FIELDS}))
        conn.execute(delete(mt).where(mt.c.mentee_id.in_(
            select(_changes.c.id).where(_changes.c.tags_changed))))
        conn.execute(insert(mt).from_select(
            ["mentee_id", "tag_id"],
            select(_change_tags.c.id, _tag_ids.c.tag_id)
            .join(_tag_ids, _tag_ids.c.tag_key == _change_tags.c.tag_key)))
        conn.execute(delete(t).where(t.c.id.not_in(select(mt.c.tag_id))))
        return list(range(base, base + self._staged_new))

    def _resolve_tags(self) -> None:
        """Map every staged tag name to a tag row, creating the missing ones. As
        ``mentees_repo.tag_rows`` does: case-folded names compare (SQLite's NOCASE folds
        ASCII only, so "Über" would not find "über")."""
        conn = self._conn
        t = _tags
        wanted = set(conn.scalars(select(_new_tags.c.tag_key).distinct()))
        wanted.update(conn.scalars(select(_change_tags.c.tag_key).distinct()))
        if not wanted:
            return

        def known() -> dict[str, int]:
            return {str(name).casefold(): int(tid)
                    for tid, name in conn.execute(select(t.c.id, t.c.name).order_by(t.c.id))}

        found = known()
        missing = sorted(wanted - found.keys())
        if missing:
            conn.execute(insert(t), [{"name": self._tag_names.get(k, k)} for k in missing])
            found = known()
        conn.execute(insert(_tag_ids), [{"tag_key": k, "tag_id": found[k]} for k in wanted])
