"""Alembic migrations, shipped inside the package and run at startup.

``HEAD`` is the newest revision; it lets startup decide whether a migration is due without
importing Alembic (a test keeps both constants equal to the script directory's).
"""

import os

# A revision's id is its file name's number (versions/0005_mentee_match_keys.py is "0005"):
# a new migration is one new file, and listing the folder costs microseconds.
KNOWN_REVISIONS: tuple[str, ...] = tuple(sorted(
    name[:4] for name in os.listdir(os.path.join(os.path.dirname(__file__), "versions"))
    if name[:4].isdigit() and name.endswith(".py")))
HEAD = KNOWN_REVISIONS[-1]
