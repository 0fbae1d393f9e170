"""Which session the Notes view opens when it comes back: the one it showed last (kept per
database file, across restarts), or the session of the mentee picked in another view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QSettings

from mentordesk.services.sessions import MAX_DURATION, SessionRecord, SessionRef, SessionService
from mentordesk.storage.locks import path_key

# How far ahead a mentee's next meeting is looked for.
NEXT_WITHIN_DAYS = 120


class LastSession:
    """The session shown last, in the settings under a key of the resolved database file
    (the same settings serve every file the mentor opens)."""

    def __init__(self, settings: QSettings, db_path: Path) -> None:
        self.settings = settings
        self.key = f"notes/lastSession/{path_key(db_path)}"

    def remember(self, ref: SessionRef) -> None:
        value = str(ref.session_id)
        if ref.occurrence_utc is not None:
            value += "@" + ref.occurrence_utc.astimezone(UTC).isoformat()
        if self.settings.value(self.key) != value:
            self.settings.setValue(self.key, value)

    def recall(self) -> SessionRef | None:
        value = self.settings.value(self.key)
        if not isinstance(value, str) or not value:
            return None
        ident, _, occurrence = value.partition("@")
        try:
            return SessionRef(int(ident),
                              datetime.fromisoformat(occurrence) if occurrence else None)
        except ValueError:
            return None  # written by something else: open nothing rather than guess


def mentee_session(sessions: SessionService, mentee_id: int,
                   now: datetime | None = None) -> SessionRecord | None:
    """The mentee's next meeting (one running now included), else their latest; None when
    they have none. Reads the file: call it off the GUI thread."""
    now = now or datetime.now(UTC)
    for rec in sessions.upcoming(now - timedelta(minutes=MAX_DURATION),
                                 now + timedelta(days=NEXT_WITHIN_DAYS), mentee_id=mentee_id):
        if rec.status == "scheduled" and rec.end_utc > now:
            return rec
    recent = sessions.recent(limit=10, mentee_id=mentee_id, now=now)
    kept = [rec for rec in recent if rec.status != "cancelled"]
    latest = kept or recent
    return latest[0] if latest else None
