"""A check that an installed MentorDesk really starts: with ``MENTORDESK_SMOKE=FILE`` the app
runs as usual and, once the window is exposed, the first view has loaded and start-up has
built the other views, writes a JSON report to FILE and a screenshot beside it
(``FILE.png``), then keeps running until it is quit like any window (``scripts/
smoke_window.py`` checks the X11 window from outside and presses Ctrl+Q).

The report lists every error logged meanwhile (an exception in an icon engine or a missing
resource ends up there through the excepthook), so a broken install fails the check even
when the window itself shows. It also says whether Google's Calendar discovery document,
which sync builds its client from, is where the Google client looks for it (a bundle must
carry it): that import waits until the report, so the checked start imports no more of
Google's client than a user's.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from mentordesk import version
from mentordesk.ui.main_window import MainWindow

ENV = "MENTORDESK_SMOKE"
POLL_MS = 100
# However the check goes, the app does not outlive this (a hung check must not hang CI).
GIVE_UP_MS = 180_000
EXIT_GAVE_UP = 3


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text += f": {type(exc).__name__}: {exc}"
        self.messages.append(f"{record.name}: {text}")


def _calendar_discovery_document() -> bool:
    try:
        from googleapiclient.discovery_cache import get_static_doc
    except ImportError:
        return False
    doc = get_static_doc("calendar", "v3")
    return bool(doc) and '"calendar"' in doc


class SmokeCheck(QObject):
    def __init__(self, window: MainWindow, out: Path) -> None:
        super().__init__(window)
        self._window = window
        self._out = out
        self._errors = _Errors()
        logging.getLogger().addHandler(self._errors)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._timer.start()
        QTimer.singleShot(GIVE_UP_MS, self, lambda: QApplication.exit(EXIT_GAVE_UP))

    def _ready(self) -> bool:
        window = self._window
        handle = window.windowHandle()
        if handle is None or not handle.isExposed():
            return False
        view = window.current_view()
        if view is None or not getattr(view, "loaded", True):
            return False
        return len(window.views) == len(window.view_ids())

    def _poll(self) -> None:
        # An error ends the wait at once: the report says what went wrong.
        if not self._errors.messages and not self._ready():
            return
        self._timer.stop()
        window = self._window
        view = window.current_view()
        model = getattr(view, "model", None)
        total = getattr(model, "total", None)
        shot = self._out.with_name(self._out.name + ".png")
        saved = window.grab().save(str(shot))
        app = QGuiApplication.instance()
        report = {
            "pid": os.getpid(),
            "frozen": bool(getattr(sys, "frozen", False)),
            "platform": QGuiApplication.platformName(),
            "title": window.windowTitle(),
            "version": version(),
            "application_name": QGuiApplication.applicationName(),
            "desktop_file_name": QGuiApplication.desktopFileName(),
            "window_icon": not window.windowIcon().isNull(),
            "app_icon_sizes": [s.width() for s in QGuiApplication.windowIcon().availableSizes()],
            "style_sheet": bool(app is not None and isinstance(app, QApplication)
                                and app.styleSheet()),
            "views": window.view_ids(),
            "current_view": view.view_id if view is not None else None,
            "rows": total() if callable(total) else None,
            "calendar_discovery": _calendar_discovery_document(),
            "screenshot": str(shot) if saved else None,
            "errors": self._errors.messages,
        }
        part = self._out.with_name(self._out.name + ".part")
        part.write_text(json.dumps(report, indent=1), encoding="utf-8")
        os.replace(part, self._out)  # the checker never reads half a report


def install(window: MainWindow) -> SmokeCheck | None:
    value = os.environ.get(ENV)
    return SmokeCheck(window, Path(value)) if value else None
