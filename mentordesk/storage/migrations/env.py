"""Alembic environment: always run programmatically by ``mentordesk.storage.migrate``.

SQLite cannot ALTER most things, so batch mode rebuilds tables. With foreign keys on, a
rebuild of a parent table would cascade deletes into its children, so they are switched off
for the run and ``PRAGMA foreign_key_check`` must come back empty before we commit.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from mentordesk.storage.schema import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when someone runs the alembic CLI
    raise RuntimeError("MentorDesk migrations run from the app: use `mentordesk` to open the file")

if connection.dialect.name == "sqlite":
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
    transaction_per_migration=False,
)

with context.begin_transaction():
    context.run_migrations()
    if connection.dialect.name == "sqlite":
        problems = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
        if problems:
            raise RuntimeError(f"migration broke {len(problems)} foreign key references")
