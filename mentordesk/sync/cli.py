"""``mentordesk sync``: the same sync, headless, for cron. One summary line on stdout, and a
non-zero status with a one-line reason on stderr when it could not finish."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TextIO

from mentordesk.errors import KnownError
from mentordesk.storage.database import open_database
from mentordesk.sync.service import build_engine, choose_calendar

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1


def run_sync(db_path: Path, out: TextIO, err: TextIO | None = None, *,
             allow_mass_delete: bool = False, create_calendar: bool = False,
             calendar_id: str | None = None) -> int:
    err = err or out
    try:
        db = open_database(db_path)
    except KnownError as exc:
        err.write(f"sync failed: {_one_line(exc)}\n")
        return EXIT_FAILED
    try:
        if create_calendar or calendar_id:
            choose_calendar(db, create=create_calendar, calendar_id=calendar_id)
        summary = build_engine(db).run(allow_mass_delete=allow_mass_delete)
    except KnownError as exc:
        err.write(f"sync failed: {_one_line(exc)}\n")
        return EXIT_FAILED
    finally:
        db.close()
    out.write(f"synced: {summary.line()}\n")
    if summary.quota_paused_until is not None:
        err.write(f"sync incomplete: Google paused edits; retrying at "
                  f"{summary.quota_paused_until.astimezone():%H:%M}\n")
        return EXIT_FAILED
    if summary.errors or summary.conflicts:
        err.write("sync incomplete: some sessions need attention in the app "
                  "(conflicts or data Google refused)\n")
        return EXIT_FAILED
    return EXIT_OK


def _one_line(exc: KnownError) -> str:
    return " ".join(str(exc).split())
