"""Small promises: log files stay private to their owner after rotation, and damage is
reported on one line."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

from mentordesk.logging_setup import PrivateRotatingFileHandler, log_file, setup_logging
from tests.hostile.procs import mentordesk
from tests.hostile.test_damaged_file import _damage_a_page_nobody_reads_at_start, _demo


def test_rotated_log_files_are_owner_only() -> None:
    setup_logging()
    handler = next(h for h in logging.getLogger().handlers
                   if isinstance(h, PrivateRotatingFileHandler)
                   and Path(h.baseFilename) == log_file())
    try:
        logging.getLogger("mentordesk.test").info("before the rotation")
        handler.doRollover()
        logging.getLogger("mentordesk.test").info("after the rotation")
        files = sorted(log_file().parent.glob("mentordesk.log*"))
        assert len(files) >= 2
        for path in files:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()


def test_a_damaged_file_is_reported_on_one_line(tmp_path: Path) -> None:
    path = _demo(tmp_path)
    _damage_a_page_nobody_reads_at_start(path)
    result = mentordesk("--db", str(path), "backup")
    assert result.returncode == 1
    assert "damaged" in result.stderr and result.stderr.count("\n") == 1, result.stderr
