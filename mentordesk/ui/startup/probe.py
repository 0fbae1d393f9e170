"""Start-up timing for benchmarks: with ``MENTORDESK_STARTUP_PROBE=FILE`` the app writes
when the main window first painted and when the first view became interactive (wall-clock
``time.time()``, so the benchmark can subtract its own spawn time), with peak RSS and, as 1.0/0.0,
whether SQLAlchemy was loaded by then, PySide had built its Qt namespace and the cyclic GC
ran, whether the mentee list came from the start-up helper process and that helper's peak
RSS; then it quits.

Every start imports this module before the first paint: ``resource`` (missing on Windows)
and the smoke check are imported only when a probe or a smoke check asks for them.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtWidgets
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from mentordesk.ui.main_window import MainWindow
from mentordesk.ui.qt_enums import qt_namespace_loaded

if TYPE_CHECKING:
    from mentordesk.startup.helper import SnapshotHelper

ENV = "MENTORDESK_STARTUP_PROBE"


class StartupProbe(QObject):
    def __init__(self, window: QWidget, out: Path, helper: SnapshotHelper | None = None
                 ) -> None:
        super().__init__(window)
        self._out = out
        self._helper = helper
        self.marks: dict[str, float] = {}
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and "first_paint" not in self.marks:
            self.marks["first_paint"] = time.time()
            self.marks["orm_at_first_paint"] = float("sqlalchemy" in sys.modules)
            self.marks["qt_namespace_at_first_paint"] = float(qt_namespace_loaded())
            self.marks["gc_enabled_at_first_paint"] = float(gc.isenabled())
        return False

    def interactive(self) -> None:
        if "interactive" in self.marks:
            return
        self.marks["interactive"] = time.time()
        self.marks.setdefault("first_paint", self.marks["interactive"])
        self.marks["orm_at_interactive"] = float("sqlalchemy" in sys.modules)
        # The list needs services.mentee_rows only; the rest of the service comes later.
        self.marks["mentee_service_at_interactive"] = float(
            "mentordesk.services.mentees" in sys.modules)
        # MentorDesk's style (QStyle's Python type, ~5 ms) and the single-instance socket
        # (QtNetwork, ~5 ms) wait until the first view answers (ui/app.py).
        self.marks["qstyle_at_interactive"] = float("QStyle" in vars(QtWidgets))
        self.marks["qtnetwork_at_interactive"] = float("PySide6.QtNetwork" in sys.modules)
        self.marks["peak_rss_kib"], self.marks["helper_peak_rss_kib"] = _peak_rss_kib()
        self.marks["list_from_helper"] = float(self._helper is not None
                                               and self._helper.outcome == "rows")
        self._out.write_text(json.dumps(self.marks))
        QTimer.singleShot(0, QApplication.quit)


def _peak_rss_kib() -> tuple[float, float]:
    """Peak RSS of this process and of its children (the start-up helper, which has exited
    by now if its list was used); zeros where the ``resource`` module is missing (Windows)."""
    try:
        import resource
    except ImportError:
        return 0.0, 0.0
    return (float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
            float(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))


def install_smoke_check(window: QWidget) -> None:
    """With ``MENTORDESK_SMOKE`` set, the installed-app check of ``mentordesk.ui.smoke``."""
    if os.environ.get("MENTORDESK_SMOKE"):
        from mentordesk.ui import smoke

        if isinstance(window, MainWindow):
            smoke.install(window)


def probe_path() -> Path | None:
    value = os.environ.get(ENV)
    return Path(value) if value else None
