"""Recovery copies: note text the database could not take yet, on disk at once.

When saving fails (disk full, file locked, read-only) the notes view hands every session's
unsaved text here: it goes to ``unsaved-notes/session-N.md`` next to the database, owner-only
and fsynced, so even a crash or a quit right now loses nothing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

from mentordesk.paths import private_dir

log = logging.getLogger(__name__)

FOLDER = "unsaved-notes"


def write_private(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` (owner-only) and wait until it is on disk."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def write_recovery_copies(db_path: Path, texts: Mapping[int, Mapping[str, str]],
                          titles: Mapping[int, str]) -> dict[int, Path]:
    """Write each session's unsaved ``{"agenda": …, "note": …}`` texts next to the database
    file; return the copies written, by session id (a copy that failed is logged)."""
    if not texts:
        return {}
    try:
        folder = private_dir(db_path.parent / FOLDER)
    except OSError:
        log.warning("could not make the folder for recovery copies", exc_info=True)
        return {}
    written: dict[int, Path] = {}
    for sid, parts in texts.items():
        target = folder / f"session-{sid}.md"
        lines = [f"# {titles.get(sid, f'Session {sid}')}", ""]
        if "agenda" in parts:
            lines += ["## Agenda", "", parts["agenda"], ""]
        if "note" in parts:
            lines += ["## Notes", "", parts["note"], ""]
        try:
            write_private(target, "\n".join(lines))
        except OSError:
            log.warning("could not write the recovery copy of a note", exc_info=True)
            continue
        written[sid] = target
    return written
