"""Alembic environment for the team server: run by ``mentordesk team init`` as the admin.

The schema ``team`` holds the tables and Alembic's version table; it is created here first so
the version table can live in it. Every migration is written to be re-runnable.
"""

from __future__ import annotations

from alembic import context

from mentordesk.storage.team_migrations import SCHEMA, VERSION_TABLE

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when someone runs the alembic CLI
    raise RuntimeError("Team server migrations run from `mentordesk team init URL`")

connection.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
context.configure(
    connection=connection,
    version_table=VERSION_TABLE,
    version_table_schema=SCHEMA,
    transaction_per_migration=False,
)

with context.begin_transaction():
    context.run_migrations()
