"""Where MentorDesk keeps its files.

Environment variables win over platform defaults so tests, demos and power users can point
the app anywhere without touching the real database.

The command line imports this module before it starts the start-up helper, and the helper
imports it too: platformdirs (~8 ms) and importlib.resources (~5 ms) are imported when
first needed, and with ``--db`` or the variables below a start never needs platformdirs.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from mentordesk import APP_ID

if TYPE_CHECKING:
    from argparse import Namespace

    from platformdirs import PlatformDirs

DB_ENV = "MENTORDESK_DB"
DATA_ENV = "MENTORDESK_DATA_DIR"
LOG_ENV = "MENTORDESK_LOG_DIR"


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the owner only."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


@cache
def _dirs() -> PlatformDirs:
    from platformdirs import PlatformDirs

    return PlatformDirs(appname=APP_ID, appauthor=False)


@cache
def resources_root() -> Path:
    """The folder of shipped files (icons, style sheets, the desktop entry): the top-level
    ``resources/`` folder, which the build installs as the package ``mentordesk.resources``."""
    from importlib.resources import files

    try:
        root = files("mentordesk.resources")
    except ModuleNotFoundError:
        # An editable install made before that mapping existed: the checkout's own folder.
        checkout = Path(__file__).resolve().parent.parent
        if not (checkout / "pyproject.toml").is_file():
            raise
        root = checkout / "resources"
    if not isinstance(root, Path):  # a zipped install: Qt needs real files
        raise RuntimeError(f"MentorDesk's resources are not a folder: {root}")
    return root


def db_path_from(args: Namespace) -> Path:
    """The database file the command line's ``--demo`` and ``--db`` name (else the default)."""
    if args.demo:
        return demo_db_path()
    if args.db is not None:
        return Path(args.db).expanduser()
    return default_db_path()


def read_only_uri(path: Path) -> str:
    """The SQLite URI that opens the database at ``path`` read-only."""
    return f"{path.absolute().as_uri()}?mode=ro"


def data_dir() -> Path:
    override = os.environ.get(DATA_ENV)
    return Path(override) if override else Path(_dirs().user_data_dir)


def log_dir() -> Path:
    override = os.environ.get(LOG_ENV)
    return Path(override) if override else Path(_dirs().user_log_dir)


def default_db_path() -> Path:
    override = os.environ.get(DB_ENV)
    if override:
        return Path(override).expanduser()
    return data_dir() / "mentordesk.sqlite3"


def demo_db_path() -> Path:
    """The demo database lives next to, but never in, the user's real file."""
    return data_dir() / "demo.sqlite3"


def backup_dir_for(db_path: Path) -> Path:
    return db_path.parent / "backups"
