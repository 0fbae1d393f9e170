"""mentee list facts: each mentee's last held session kept on the mentee row, partial indexes
for the upcoming sessions and the recurring series

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 02:10:00

The mentee list is the first thing the app shows. Finding each mentee's last held session
meant grouping all sessions (100,000 at benchmark scale: ~45 ms of the start-up). The value
now lives on the mentee row, kept current by triggers, so every writer (the services, the
sync pull, an import, an undo that puts rows back) keeps it right without knowing about it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mentordesk.storage.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LATEST_HELD = (
    "(SELECT max(start_utc) FROM sessions "
    "WHERE sessions.mentee_id = mentees.id AND sessions.status = 'held')"
)


def upgrade() -> None:
    op.add_column("mentees", sa.Column("last_held_utc", mentordesk.storage.types.UTCDateTime(),
                                       nullable=True))
    # Serves the triggers' max() below with one index probe per mentee.
    op.create_index("ix_sessions_held", "sessions", ["mentee_id", "start_utc"],
                    sqlite_where=sa.text("status = 'held'"))
    # The list's "next session": future one-off sessions, and the few series heads.
    op.create_index("ix_sessions_upcoming", "sessions", ["start_utc", "mentee_id"],
                    sqlite_where=sa.text("status = 'scheduled' AND rrule IS NULL"))
    op.create_index("ix_sessions_series_heads", "sessions", ["mentee_id"],
                    sqlite_where=sa.text("rrule IS NOT NULL AND series_id IS NULL"))
    op.execute(
        "CREATE TRIGGER sessions_last_held_ai AFTER INSERT ON sessions "
        "WHEN new.status = 'held' AND new.mentee_id IS NOT NULL BEGIN "
        "UPDATE mentees SET last_held_utc = new.start_utc WHERE id = new.mentee_id "
        "AND (last_held_utc IS NULL OR last_held_utc < new.start_utc); END"
    )
    op.execute(
        "CREATE TRIGGER sessions_last_held_au AFTER UPDATE OF status, start_utc, mentee_id "
        "ON sessions WHEN old.status = 'held' OR new.status = 'held' BEGIN "
        f"UPDATE mentees SET last_held_utc = {_LATEST_HELD} "
        "WHERE id IN (old.mentee_id, new.mentee_id); END"
    )
    op.execute(
        "CREATE TRIGGER sessions_last_held_ad AFTER DELETE ON sessions "
        "WHEN old.status = 'held' BEGIN "
        f"UPDATE mentees SET last_held_utc = {_LATEST_HELD} WHERE id = old.mentee_id; END"
    )
    op.execute(f"UPDATE mentees SET last_held_utc = {_LATEST_HELD}")


def downgrade() -> None:
    for suffix in ("ai", "au", "ad"):
        op.execute(f"DROP TRIGGER IF EXISTS sessions_last_held_{suffix}")
    for name in ("ix_sessions_series_heads", "ix_sessions_upcoming", "ix_sessions_held"):
        op.drop_index(name, table_name="sessions")
    with op.batch_alter_table("mentees") as batch:
        batch.drop_column("last_held_utc")
