"""Writing a whole file so that a failure leaves the previous one as it was.

Every export (CSV, .ics, Markdown and PDF reports) goes through ``write_atomically``: the
data goes to a new temporary file in the target's folder, is flushed and fsynced, and only
then renamed over the target (``os.replace`` is atomic within one folder). A full disk, a
file-size limit or a crash midway leaves the old file untouched and no temporary behind.
New files are owner-only (0600): reports and exports hold mentees' personal data.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from mentordesk.errors import KnownError


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` only once all of it is on disk.

    Raises ``KnownError`` (one line, naming the file and the reason) when it cannot be
    written; the previous file, if any, is then unchanged.
    """
    target = Path(path).expanduser()
    tmp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir():
            raise IsADirectoryError(21, "Is a directory", str(target))
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                   suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise KnownError(f"Could not write {target}: {reason}.",
                         hint="The previous file, if there was one, is unchanged.") from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    _fsync_folder(target.parent)
