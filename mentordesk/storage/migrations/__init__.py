"""Alembic migrations, shipped inside the package and run at startup.

``HEAD`` is the newest revision; it lets startup decide whether a migration is due without
importing Alembic (a test keeps both constants equal to the script directory's).
"""

KNOWN_REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0004", "0005")
HEAD = KNOWN_REVISIONS[-1]
