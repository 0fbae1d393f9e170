"""mentee match keys: lower(name) and lower(email) as indexed virtual columns, so the CSV
import finds the mentee a row means with an index probe instead of a scan per row

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:00:00

``lower(col) = ?`` cannot use an index, so matching one row scanned every mentee and an
import grew with the square of its size. Generated (virtual) columns are computed by SQLite
itself, so every writer keeps them right without knowing about them (the services, the team
pull, bulk statements, raw SQL). ``ADD COLUMN`` of a virtual column rewrites nothing, and no
table is rebuilt (a rebuild would drop the FTS, last-held and team triggers). SQLite's
lower() folds ASCII letters only; the import folds its probes the same way.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE mentees ADD COLUMN name_key VARCHAR(200) "
               "GENERATED ALWAYS AS (lower(name)) VIRTUAL")
    op.execute("ALTER TABLE mentees ADD COLUMN email_key VARCHAR(320) "
               "GENERATED ALWAYS AS (lower(email)) VIRTUAL")
    op.execute("CREATE INDEX ix_mentees_name_key ON mentees (name_key)")
    op.execute("CREATE INDEX ix_mentees_email_key ON mentees (email_key)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_mentees_email_key")
    op.execute("DROP INDEX ix_mentees_name_key")
    op.execute("ALTER TABLE mentees DROP COLUMN email_key")
    op.execute("ALTER TABLE mentees DROP COLUMN name_key")
