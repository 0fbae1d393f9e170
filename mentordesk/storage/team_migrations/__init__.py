"""Alembic migrations of the team server's schema (PostgreSQL), separate from the desk's own
SQLite migrations. ``KNOWN_REVISIONS`` lets a desk refuse a server schema newer than it knows
(a test keeps it equal to the script directory's)."""

KNOWN_REVISIONS: tuple[str, ...] = ("t0001",)
HEAD = KNOWN_REVISIONS[-1]
SCHEMA = "team"
VERSION_TABLE = "alembic_version"
