"""Showing failures: known errors as friendly messages, bugs logged and reported.

The excepthook may fire on any thread; dialogs are only ever created on the GUI thread
(creating widgets elsewhere crashes Qt), so reports cross threads through a queued signal.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from mentordesk.errors import DatabaseClosed, KnownError
from mentordesk.logging_setup import log_file

log = logging.getLogger(__name__)


class _Relay(QObject):
    report = Signal(str, str)

    @Slot(str, str)
    def show(self, summary: str, details: str) -> None:
        show_bug_dialog(summary, details)


_relay: _Relay | None = None
# Tests set this to collect reports instead of opening modal dialogs.
dialogs_enabled = True
reported: list[str] = []


def show_bug_dialog(summary: str, details: str) -> None:
    reported.append(summary)
    if not dialogs_enabled:
        return
    parent = QApplication.activeWindow()
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("MentorDesk hit a problem")
    box.setText(f"Something went wrong: {summary}")
    box.setInformativeText(
        "Your saved work is safe. The details were written to the log file:\n"
        f"{log_file()}\nPlease include it if you report the problem."
    )
    box.setDetailedText(details)
    box.exec()


def report_exception(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    if isinstance(exc, KnownError):
        show_known_error(None, exc)
        return
    log.error("uncaught exception", exc_info=(exc_type, exc, tb))
    details = "".join(traceback.format_exception(exc_type, exc, tb))
    summary = f"{exc_type.__name__}: {exc}"[:300]
    app = QApplication.instance()
    if _relay is not None and app is not None and QThread.currentThread() is not app.thread():
        _relay.report.emit(summary, details)
    elif app is not None:
        show_bug_dialog(summary, details)


def install_excepthook() -> None:
    """Log and show every uncaught exception instead of printing it and carrying on."""
    global _relay
    if _relay is None:
        _relay = _Relay()
        _relay.report.connect(_relay.show)
    sys.excepthook = report_exception

    def thread_hook(args: object) -> None:
        exc_type = getattr(args, "exc_type", Exception)
        exc_value = getattr(args, "exc_value", None) or exc_type()
        report_exception(exc_type, exc_value, getattr(args, "exc_traceback", None))

    threading.excepthook = thread_hook


def show_known_error(parent: QWidget | None, exc: KnownError, title: str = "MentorDesk") -> None:
    """An expected failure: say what happened and what to do, nothing more."""
    log.info("known error shown to the user: %s", type(exc).__name__)
    reported.append(exc.message)
    if not dialogs_enabled:
        return
    box = QMessageBox(parent or QApplication.activeWindow())
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(exc.message)
    if exc.hint:
        box.setInformativeText(exc.hint)
    box.exec()


def show_failure(parent: QWidget | None, exc: BaseException) -> None:
    """A background task failed: a known error as a message over ``parent``, anything else
    logged once and reported as a bug."""
    if isinstance(exc, DatabaseClosed) and exc.reading:
        # A background read answered after its file closed: its window is gone or now
        # shows the reopened file, so a dialog would only puzzle (an edit still tells).
        log.info("a read for a closed file was dropped: %s", exc.message)
        return
    if isinstance(exc, KnownError):
        show_known_error(parent, exc)
    else:
        report_exception(type(exc), exc, exc.__traceback__)
