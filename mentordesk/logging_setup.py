"""Logging to a rotating file in the user log dir.

Messages never include note text, emails or tokens: log ids and counts, not content.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
from pathlib import Path

from mentordesk.paths import log_dir, private_dir

LOG_FILE_NAME = "mentordesk.log"


def log_file() -> Path:
    return log_dir() / LOG_FILE_NAME


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Every log file it makes, the rotated ones included, is owner-only (0600): the
    stock handler opens each new file with the umask's mode (0644)."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


def setup_logging(level: int = logging.INFO) -> Path:
    """Send all ``mentordesk`` logs to a rotating, owner-only file; return its path."""
    path = log_file()
    private_dir(path.parent)
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler) and Path(
            handler.baseFilename
        ) == path:
            return path
    handler = PrivateRotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(level)
    path.chmod(0o600)
    return path
