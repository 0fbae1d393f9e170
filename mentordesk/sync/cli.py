"""``mentordesk sync``: the same sync, headless, for cron. One summary line, and a non-zero
status with a one-line reason when it could not finish."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TextIO

from mentordesk.errors import KnownError

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1


def run_sync(db_path: Path, out: TextIO, *, allow_mass_delete: bool = False) -> int:
    from mentordesk.storage.database import open_database
    from mentordesk.sync.service import build_engine

    try:
        db = open_database(db_path)
    except KnownError as exc:
        out.write(f"sync failed: {exc}\n")
        return EXIT_FAILED
    try:
        summary = build_engine(db).run(allow_mass_delete=allow_mass_delete)
    except KnownError as exc:
        out.write(f"sync failed: {exc}\n")
        return EXIT_FAILED
    finally:
        db.close()
    out.write(f"synced: {summary.line()}\n")
    if summary.quota_paused_until is not None:
        out.write(f"sync incomplete: Google paused edits; retrying at "
                  f"{summary.quota_paused_until.astimezone():%H:%M}\n")
        return EXIT_FAILED
    if summary.errors or summary.conflicts:
        out.write("sync incomplete: some sessions need attention in the app "
                  "(conflicts or data Google refused)\n")
        return EXIT_FAILED
    return EXIT_OK
