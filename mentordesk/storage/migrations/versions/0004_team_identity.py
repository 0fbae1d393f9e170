"""team identity: a global id (uid) on every replicated row, the team outbox written by
triggers in the same transaction as each edit, the merge bases and the team state

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 09:00:00

Existing rows get random ids; the four built-in board columns get the same deterministic id
on every desk (a uuid5 of their status key), since each file made its own copy of them.

Capture is a trigger on each replicated table rather than a hook in each service: every
writer (the services, bulk statements, foreign-key cascades, an undo that puts rows back,
the calendar pull) is seen alike, inside its own transaction. Triggers only queue while
``team_state.capture`` is '1' (the file has joined a team); the replication worker turns it
off inside the transaction that applies the server's changes, so they are not echoed back.
Lists are literal here: a migration must not change when the app's code does.
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAMESPACE = uuid.UUID("5b0d8c1e-6a43-4f4e-9d2a-6d656e746f72")
_BUILTIN = ("not_started", "in_progress", "blocked", "done")

# Table -> the local columns whose change is replicated.
_CAPTURED: dict[str, tuple[str, ...]] = {
    "mentees": ("name", "email", "timezone", "cadence_interval", "cadence_unit",
                "target_gap_days", "max_gap_days", "meeting_link", "background", "archived",
                "snoozed_until", "created_at"),
    "board_columns": ("name", "position", "status_key"),
    "goals": ("mentee_id", "column_id", "position", "title", "description", "target_value",
              "target_unit", "current_value", "progress_mode", "manual_progress", "due_date",
              "completed_at", "created_at"),
    "milestones": ("goal_id", "title", "done", "done_at", "position", "created_at"),
    "sessions": ("mentee_id", "series_id", "title", "start_utc", "timezone",
                 "duration_minutes", "rrule", "original_start_utc", "status", "agenda",
                 "meeting_link", "want_meet", "started_at", "ended_at", "google_event_id",
                 "created_at"),
    "notes": ("mentee_id", "session_id", "body", "private", "created_at"),
    "action_items": ("mentee_id", "session_id", "goal_id", "text", "kind", "done", "done_at",
                     "due_date", "position", "created_at"),
    "resource_links": ("mentee_id", "goal_id", "title", "url", "position", "created_at"),
}

_CAPTURE = "EXISTS (SELECT 1 FROM team_state WHERE key = 'capture' AND value = '1')"
_NEXT_SEQ = "(SELECT coalesce(max(seq), 0) + 1 FROM team_outbox)"
_RANDOM = "lower(hex(randomblob(16)))"


def _builtin_uid(key: str) -> str:
    return uuid.uuid5(_NAMESPACE, key).hex


def _new_uid_sql(table: str) -> str:
    if table != "board_columns":
        return _RANDOM
    cases = " ".join(f"WHEN '{k}' THEN '{_builtin_uid(k)}'" for k in _BUILTIN)
    return f"CASE new.status_key {cases} ELSE {_RANDOM} END"


def _queue_parent(parent: str, key_sql: str) -> str:
    """Queue an upsert of a parent row whose derived field (tags, goals) changed, unless the
    parent's own delete is already queued."""
    return (
        "INSERT OR REPLACE INTO team_outbox(table_name, uid, op, seq) "
        f"SELECT '{parent}', p.uid, 'upsert', {_NEXT_SEQ} FROM {parent} p "
        f"WHERE p.id IN ({key_sql}) AND p.uid IS NOT NULL AND NOT EXISTS ("
        f"SELECT 1 FROM team_outbox o WHERE o.table_name = '{parent}' AND o.uid = p.uid "
        "AND o.op = 'delete')"
    )


def upgrade() -> None:
    op.create_table(
        "team_outbox",
        sa.Column("table_name", sa.String(length=32), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "uid", name=op.f("pk_team_outbox")),
    )
    op.create_index(op.f("ix_team_outbox_seq"), "team_outbox", ["seq"], unique=False)
    op.create_table(
        "team_base",
        sa.Column("table_name", sa.String(length=32), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "uid", name=op.f("pk_team_base")),
    )
    op.create_table(
        "team_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_team_state")),
    )
    bind = op.get_bind()
    for table, columns in _CAPTURED.items():
        op.add_column(table, sa.Column("uid", sa.String(length=32), nullable=True))
        if table == "board_columns":
            for key in _BUILTIN:
                bind.execute(sa.text("UPDATE board_columns SET uid = :uid WHERE status_key = :k"),
                             {"uid": _builtin_uid(key), "k": key})
        op.execute(f"UPDATE {table} SET uid = {_RANDOM} WHERE uid IS NULL")
        op.create_index(op.f(f"ix_{table}_uid"), table, ["uid"], unique=True)
        op.execute(
            f"CREATE TRIGGER team_{table}_ai AFTER INSERT ON {table} BEGIN "
            f"UPDATE {table} SET uid = {_new_uid_sql(table)} "
            "WHERE id = new.id AND new.uid IS NULL; "
            "INSERT OR REPLACE INTO team_outbox(table_name, uid, op, seq) "
            f"SELECT '{table}', uid, 'upsert', {_NEXT_SEQ} FROM {table} "
            f"WHERE id = new.id AND {_CAPTURE}; END"
        )
        op.execute(
            f"CREATE TRIGGER team_{table}_au AFTER UPDATE OF {', '.join(columns)} ON {table} "
            f"WHEN new.uid IS NOT NULL AND {_CAPTURE} BEGIN "
            "INSERT OR REPLACE INTO team_outbox(table_name, uid, op, seq) "
            f"VALUES ('{table}', new.uid, 'upsert', {_NEXT_SEQ}); END"
        )
        op.execute(
            f"CREATE TRIGGER team_{table}_ad AFTER DELETE ON {table} "
            f"WHEN old.uid IS NOT NULL AND {_CAPTURE} BEGIN "
            "INSERT OR REPLACE INTO team_outbox(table_name, uid, op, seq) "
            f"VALUES ('{table}', old.uid, 'delete', {_NEXT_SEQ}); END"
        )
    # Derived fields: a mentee's tags, a session's goals.
    for link, parent, key in (("mentee_tags", "mentees", "mentee_id"),
                              ("session_goals", "sessions", "session_id")):
        op.execute(f"CREATE TRIGGER team_{link}_ai AFTER INSERT ON {link} WHEN {_CAPTURE} "
                   f"BEGIN {_queue_parent(parent, f'SELECT new.{key}')}; END")
        op.execute(f"CREATE TRIGGER team_{link}_ad AFTER DELETE ON {link} WHEN {_CAPTURE} "
                   f"BEGIN {_queue_parent(parent, f'SELECT old.{key}')}; END")
    op.execute(
        f"CREATE TRIGGER team_tags_au AFTER UPDATE OF name ON tags WHEN {_CAPTURE} BEGIN "
        f"{_queue_parent('mentees', 'SELECT mentee_id FROM mentee_tags WHERE tag_id = new.id')};"
        " END"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS team_tags_au")
    for link in ("mentee_tags", "session_goals"):
        for suffix in ("ai", "ad"):
            op.execute(f"DROP TRIGGER IF EXISTS team_{link}_{suffix}")
    for table in _CAPTURED:
        for suffix in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER IF EXISTS team_{table}_{suffix}")
        op.drop_index(op.f(f"ix_{table}_uid"), table_name=table)
        # Not batch mode: rebuilding the table would drop the FTS and last-held triggers.
        op.execute(f"ALTER TABLE {table} DROP COLUMN uid")
    op.drop_table("team_state")
    op.drop_table("team_base")
    op.drop_index(op.f("ix_team_outbox_seq"), table_name="team_outbox")
    op.drop_table("team_outbox")
