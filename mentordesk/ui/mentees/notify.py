"""The "someone turned red" desktop notification, at most once a day.

A system tray message where the desktop has a tray; otherwise (or offscreen) a banner in
the Mentees view says the same, so the news is never lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from mentordesk.services.mentee_rows import MenteeRow
from mentordesk.ui.i18n import tr
from mentordesk.ui.resources import icon

log = logging.getLogger(__name__)

SHOW_MS = 10_000


def message_for(rows: Sequence[MenteeRow]) -> tuple[str, str]:
    names = [r.name for r in rows]
    if len(names) == 1:
        return (f"{names[0]} needs a check-in",
                tr("It has been %n day(s) since your last session.", "",
                   rows[0].health.days_since or 0))
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return tr("%n mentee(s) need a check-in", "", len(names)), f"Overdue: {shown}."


class RedNotifier:
    """Shows the notification; ``fallback`` receives (title, text) when there is no tray."""

    def __init__(self, parent: QWidget, fallback: Callable[[str, str], None]) -> None:
        self._parent = parent
        self._fallback = fallback
        self._tray: QSystemTrayIcon | None = None
        self.sent: list[tuple[date, str]] = []

    def _tray_icon(self) -> QSystemTrayIcon | None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return None
        if self._tray is None:
            self._tray = QSystemTrayIcon(icon("app"), self._parent)
            self._tray.setToolTip("MentorDesk")
            self._tray.show()
        return self._tray

    def notify(self, rows: Sequence[MenteeRow], today: date) -> None:
        if not rows:
            return
        title, text = message_for(rows)
        self.sent.append((today, title))
        tray = self._tray_icon()
        if tray is not None and QSystemTrayIcon.supportsMessages():
            tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Warning, SHOW_MS)
        else:
            log.info("no system tray: showing the health notice in the window")
        # The banner also shows with a tray: a notification bubble is easy to miss.
        self._fallback(title, text)
