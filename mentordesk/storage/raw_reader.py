"""Read-only snapshots over the stdlib sqlite3 driver, for the reads that must not wait for
SQLAlchemy's import: the start-up mentee list, in the app and in its helper process (which
imports nothing else from storage)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator

BUSY_TIMEOUT_MS = 5000


@contextlib.contextmanager
def read_transaction(uri: str, trace: Callable[[str], object] | None = None
                     ) -> Iterator[sqlite3.Connection]:
    """A read-only connection (``uri``: ``paths.read_only_uri``) inside one read
    transaction, so every query in the block sees the same snapshot of the file."""
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False,
                           timeout=BUSY_TIMEOUT_MS / 1000)
    if trace is not None:
        conn.set_trace_callback(trace)
    try:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("BEGIN")
        yield conn
    finally:
        conn.close()


def schema_revision(conn: sqlite3.Connection) -> str | None:
    """The migration revision the file is at (None before the first migration)."""
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return None if row is None else str(row[0])
