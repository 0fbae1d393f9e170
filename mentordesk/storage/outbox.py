"""The calendar outbox: pending Google Calendar changes, one row per session.

Every service that creates, moves, edits, cancels or deletes a session calls
``enqueue_session_change`` with the *same* SQLAlchemy session as the edit, so the edit and
its pending push commit (or roll back) together. Rows coalesce: whatever happened since the
last push, one upsert or one delete goes out.
"""

from __future__ import annotations

import json
import re
import uuid

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session as OrmSession

from mentordesk.storage.schema import OutboxEntry
from mentordesk.storage.schema import Session as SessionRow
from mentordesk.storage.types import utcnow

# Google's event ids: base32hex, 5 to 1024 characters.
_EVENT_ID = re.compile(r"[a-v0-9]{5,1024}")


def new_event_id() -> str:
    """A Google event id chosen by us: base32hex ([a-v0-9]) and long enough to be unique."""
    return uuid.uuid4().hex


def is_foreign(snapshot: str | None) -> bool:
    """Whether a session's sync snapshot marks an event MentorDesk did not make."""
    if not snapshot or '"foreign"' not in snapshot:
        return False
    try:
        value = json.loads(snapshot)
    except ValueError:
        return False
    return isinstance(value, dict) and value.get("foreign") is True


def enqueue_session_change(db: OrmSession, row: SessionRow, *, deleted: bool = False) -> None:
    """Queue ``row``'s current state (or its deletion) for the next calendar push.

    ``row`` must be flushed (have an id). An id for the Google event is assigned on first use,
    before anything is sent, so a retried insert can never create a second event.
    """
    db.flush()
    if row.google_event_id is None:
        if deleted:
            return  # never queued for Google: nothing to remove there
        # The global id where there is one: every desk of a team that gets here first
        # picks the same id for the same session, so two desks can never make two events.
        uid = getattr(row, "uid", None)
        row.google_event_id = uid if uid and _EVENT_ID.fullmatch(uid) else new_event_id()
    if deleted and is_foreign(row.sync_snapshot):
        # An event of the mentor's own calendar that MentorDesk did not make: removing the
        # session here never deletes it there.
        db.execute(delete(OutboxEntry).where(OutboxEntry.session_id == row.id))
        return
    # A delete is always pushed (404/410 on delete count as done), even when the insert may
    # never have happened: a sync in flight could have created it a moment ago.
    op = "delete" if deleted else "upsert"
    stmt = sqlite_insert(OutboxEntry).values(
        session_id=row.id,
        google_event_id=row.google_event_id,
        op=op,
        queued_at=utcnow(),
        attempts=0,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[OutboxEntry.session_id],
        set_={
            "op": stmt.excluded.op,
            "google_event_id": stmt.excluded.google_event_id,
            "queued_at": stmt.excluded.queued_at,
            "attempts": 0,
            "next_attempt_at": None,
            "last_error": None,
        },
    )
    db.execute(stmt)


def pending_count(db: OrmSession) -> int:
    return int(db.scalar(select(func.count()).select_from(OutboxEntry)) or 0)
