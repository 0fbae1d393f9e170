"""Helpers for the mentee tests: sessions of every status on a real database."""

from __future__ import annotations

from datetime import datetime, timedelta

from mentordesk.storage.database import Database
from mentordesk.storage.schema import Note, Session


def add_session(db: Database, mentee_id: int, start: datetime, *, status: str = "held",
                rrule: str | None = None, zone: str = "Europe/Berlin", title: str = "Check-in",
                note: str | None = None, series_id: int | None = None,
                original: datetime | None = None) -> int:
    with db.transaction() as s:
        row = Session(mentee_id=mentee_id, start_utc=start, timezone=zone, status=status,
                      rrule=rrule, title=title, series_id=series_id,
                      original_start_utc=original, duration_minutes=45,
                      ended_at=start + timedelta(minutes=45) if status == "held" else None)
        s.add(row)
        s.flush()
        if note is not None:
            s.add(Note(mentee_id=mentee_id, session_id=row.id, body=note))
        return row.id


def type_text(widget: object, text: str) -> None:
    """Real key events for ``text``; QTest.keyClicks aborts on characters outside ASCII
    (our demo names have ë, é and Cyrillic), so those are sent as text-only key events."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QWidget

    assert isinstance(widget, QWidget)
    for ch in text:
        if ch.isascii():
            QTest.keyClicks(widget, ch)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown,
                                                     Qt.KeyboardModifier.NoModifier, ch))
