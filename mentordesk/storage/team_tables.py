"""What team mode replicates: the local tables, their fields, and how rows refer to each other.

Every replicated row carries a global id (``uid``, 32 hex digits of a UUID) beside its local
integer id. On the server rows are keyed by that uid alone; local foreign keys travel as the
parent's uid (``mentee_id`` → ``mentee_uid``). Plain data: no SQL here, so the migration, the
local store, the server store and the merge all read the same description.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

# Namespace for the deterministic ids of the four built-in board columns: every desk has them
# from its first migration, so they must carry the same uid everywhere.
_BUILTIN_NAMESPACE = uuid.UUID("5b0d8c1e-6a43-4f4e-9d2a-6d656e746f72")


def new_uid() -> str:
    return uuid.uuid4().hex


def builtin_column_uid(status_key: str) -> str:
    return uuid.uuid5(_BUILTIN_NAMESPACE, status_key).hex


def canonical_uid(value: object) -> str:
    """32 lowercase hex digits, whatever form (hyphenated, UUID object) ``value`` has."""
    if isinstance(value, uuid.UUID):
        return value.hex
    return uuid.UUID(str(value)).hex


# Field kinds: how a value is written in a payload (JSON) and compared.
TEXT, INT, FLOAT, BOOL, DATE = "text", "int", "float", "bool", "date"
INSTANT, SET = "instant", "set"


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    # Free text a person writes: two different edits are both kept, marked (never dropped).
    prose: bool = False


@dataclass(frozen=True)
class Ref:
    column: str  # the local foreign key column
    server: str  # the server column holding the parent's uid
    parent: str  # the parent's local table


@dataclass(frozen=True)
class TableSpec:
    name: str
    fields: tuple[Field, ...]
    refs: tuple[Ref, ...] = ()
    # How the row's mentee is found: "self" (the mentee row), a local column, "goal" (via
    # the goal), or None (rows of the mentor, not of a mentee).
    mentee: str | None = "mentee_id"

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def payload_keys(self) -> tuple[str, ...]:
        return (*self.field_names, *(r.server for r in self.refs))

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def local_columns(self) -> tuple[str, ...]:
        """Local columns whose change must be replicated (for the capture triggers)."""
        derived = {f.name for f in self.fields if f.kind == SET}
        return (*(n for n in self.field_names if n not in derived),
                *(r.column for r in self.refs))


_MENTEE_REF = Ref("mentee_id", "mentee_uid", "mentees")

TABLES: tuple[TableSpec, ...] = (
    TableSpec("mentees", (
        Field("name", TEXT), Field("email", TEXT), Field("timezone", TEXT),
        Field("cadence_interval", INT), Field("cadence_unit", TEXT),
        Field("target_gap_days", INT), Field("max_gap_days", INT),
        Field("meeting_link", TEXT), Field("background", TEXT, prose=True),
        Field("archived", BOOL), Field("snoozed_until", INSTANT),
        Field("created_at", INSTANT), Field("tags", SET),
    ), mentee="self"),
    TableSpec("board_columns", (
        Field("name", TEXT), Field("position", INT), Field("status_key", TEXT),
    ), mentee=None),
    TableSpec("goals", (
        Field("position", INT), Field("title", TEXT), Field("description", TEXT, prose=True),
        Field("target_value", FLOAT), Field("target_unit", TEXT), Field("current_value", FLOAT),
        Field("progress_mode", TEXT), Field("manual_progress", INT), Field("due_date", DATE),
        Field("completed_at", INSTANT), Field("created_at", INSTANT),
    ), (_MENTEE_REF, Ref("column_id", "column_uid", "board_columns"))),
    TableSpec("milestones", (
        Field("title", TEXT), Field("done", BOOL), Field("done_at", INSTANT),
        Field("position", INT), Field("created_at", INSTANT),
    ), (Ref("goal_id", "goal_uid", "goals"),), mentee="goal"),
    TableSpec("sessions", (
        Field("title", TEXT), Field("start_utc", INSTANT), Field("timezone", TEXT),
        Field("duration_minutes", INT), Field("rrule", TEXT),
        Field("original_start_utc", INSTANT), Field("status", TEXT),
        Field("agenda", TEXT, prose=True), Field("meeting_link", TEXT), Field("want_meet", BOOL),
        Field("started_at", INSTANT), Field("ended_at", INSTANT),
        Field("google_event_id", TEXT), Field("created_at", INSTANT), Field("goal_uids", SET),
    ), (_MENTEE_REF, Ref("series_id", "series_uid", "sessions"))),
    TableSpec("notes", (
        Field("body", TEXT, prose=True), Field("private", BOOL), Field("created_at", INSTANT),
    ), (_MENTEE_REF, Ref("session_id", "session_uid", "sessions"))),
    TableSpec("action_items", (
        Field("text", TEXT, prose=True), Field("kind", TEXT), Field("done", BOOL),
        Field("done_at", INSTANT), Field("due_date", DATE), Field("position", INT),
        Field("created_at", INSTANT),
    ), (_MENTEE_REF, Ref("session_id", "session_uid", "sessions"),
        Ref("goal_id", "goal_uid", "goals"))),
    TableSpec("resource_links", (
        Field("title", TEXT), Field("url", TEXT), Field("position", INT),
        Field("created_at", INSTANT),
    ), (_MENTEE_REF, Ref("goal_id", "goal_uid", "goals"))),
)
"""In dependency order: a parent's table comes before its children's."""

BY_NAME: dict[str, TableSpec] = {t.name: t for t in TABLES}
ORDER: dict[str, int] = {t.name: i for i, t in enumerate(TABLES)}
