"""Every query the calendar sync engine runs. Functions take the unit of work's Session and
never commit: the caller's ``Database.transaction()`` does."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, and_, bindparam, delete, func, or_, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session as OrmSession

from mentordesk.storage.outbox import enqueue_session_change
from mentordesk.storage.schema import Mentee, OutboxEntry, SyncState
from mentordesk.storage.schema import Session as SessionRow
from mentordesk.storage.types import utcnow

# Outbox rows whose data Google refused wait for the next edit instead of being retried.
INVALID_PREFIX = "invalid:"


@dataclass(frozen=True)
class OutboxItem:
    session_id: int
    google_event_id: str | None
    op: str
    queued_at: datetime
    attempts: int


def get_state(db: OrmSession, key: str) -> str | None:
    row = db.get(SyncState, key)
    return row.value if row is not None else None


def set_state(db: OrmSession, key: str, value: str | None) -> None:
    row = db.get(SyncState, key)
    if value is None:
        if row is not None:
            db.delete(row)
        return
    if row is None:
        db.add(SyncState(key=key, value=value))
    else:
        row.value = value


def pending_count(db: OrmSession) -> int:
    return int(db.scalar(select(func.count()).select_from(OutboxEntry)) or 0)


def due_outbox(db: OrmSession, now: datetime) -> list[OutboxItem]:
    stmt = (
        select(OutboxEntry)
        .where((OutboxEntry.next_attempt_at.is_(None)) | (OutboxEntry.next_attempt_at <= now))
        .where((OutboxEntry.last_error.is_(None))
               | (OutboxEntry.last_error.not_like(f"{INVALID_PREFIX}%")))
        .order_by(OutboxEntry.id)
    )
    return [OutboxItem(e.session_id, e.google_event_id, e.op, e.queued_at, e.attempts)
            for e in db.scalars(stmt)]


def outbox_entries(db: OrmSession, session_ids: Iterable[int]) -> dict[int, OutboxEntry]:
    ids = list(session_ids)
    if not ids:
        return {}
    rows = db.scalars(select(OutboxEntry).where(OutboxEntry.session_id.in_(ids)))
    return {r.session_id: r for r in rows}


def finish_outbox(db: OrmSession, session_id: int, queued_at: datetime) -> None:
    """Drop the pending change, unless the session was edited again while it was in flight."""
    db.execute(delete(OutboxEntry).where(OutboxEntry.session_id == session_id,
                                         OutboxEntry.queued_at == queued_at))


def finish_outbox_many(db: OrmSession, done: Sequence[tuple[int, datetime]]) -> None:
    """``finish_outbox`` for many sessions in one executemany."""
    if not done:
        return
    table = cast(Table, OutboxEntry.__table__)
    stmt = table.delete().where(table.c.session_id == bindparam("sid"),
                                table.c.queued_at == bindparam("queued"))
    db.execute(stmt, [{"sid": sid, "queued": queued} for sid, queued in done])


def session_row(db: OrmSession, session_id: int) -> SessionRow | None:
    """One session; free when the unit of work already loaded it."""
    return db.get(SessionRow, session_id)


def defer_outbox(db: OrmSession, session_id: int, error: str, next_attempt_at: datetime) -> None:
    db.execute(update(OutboxEntry).where(OutboxEntry.session_id == session_id).values(
        attempts=OutboxEntry.attempts + 1, last_error=error, next_attempt_at=next_attempt_at))


def mark_invalid(db: OrmSession, session_id: int, message: str) -> None:
    db.execute(update(OutboxEntry).where(OutboxEntry.session_id == session_id).values(
        attempts=OutboxEntry.attempts + 1, last_error=f"{INVALID_PREFIX} {message}",
        next_attempt_at=None))
    db.execute(update(SessionRow).where(SessionRow.id == session_id).values(sync_error=message))


def sessions_by_id(db: OrmSession, ids: Iterable[int]) -> dict[int, SessionRow]:
    wanted = list(ids)
    if not wanted:
        return {}
    return {r.id: r for r in db.scalars(select(SessionRow).where(SessionRow.id.in_(wanted)))}


def sessions_by_event_id(db: OrmSession, event_ids: Sequence[str]) -> dict[str, SessionRow]:
    if not event_ids:
        return {}
    rows = db.scalars(select(SessionRow).where(SessionRow.google_event_id.in_(list(event_ids))))
    return {r.google_event_id: r for r in rows if r.google_event_id is not None}


def exceptions_of(db: OrmSession, master_ids: Iterable[int]) -> dict[int, list[SessionRow]]:
    ids = list(master_ids)
    out: dict[int, list[SessionRow]] = {i: [] for i in ids}
    if not ids:
        return out
    for row in db.scalars(select(SessionRow).where(SessionRow.series_id.in_(ids))):
        if row.series_id is not None:
            out[row.series_id].append(row)
    return out


def session_by_uid(db: OrmSession, uid: str) -> SessionRow | None:
    return db.scalar(select(SessionRow).where(SessionRow.uid == uid))


def mentee_emails(db: OrmSession, mentee_ids: Iterable[int]) -> dict[int, str]:
    ids = [i for i in set(mentee_ids)]
    if not ids:
        return {}
    rows = db.execute(select(Mentee.id, Mentee.email).where(Mentee.id.in_(ids)))
    return {mid: email for mid, email in rows if email}


def mentee_by_email(db: OrmSession) -> dict[str, int]:
    rows = db.execute(select(Mentee.id, Mentee.email)
                      .where(Mentee.email.is_not(None), Mentee.archived.is_(False)))
    return {email.strip().lower(): mid for mid, email in rows if email}


def synced_live_events(db: OrmSession) -> dict[str, int]:
    """Event id -> session id for sessions that are in Google and not cancelled."""
    rows = db.execute(select(SessionRow.google_event_id, SessionRow.id).where(
        SessionRow.google_etag.is_not(None), SessionRow.status != "cancelled",
        SessionRow.google_event_id.is_not(None)))
    return {eid: sid for eid, sid in rows if eid is not None}


def pending_delete_ids(db: OrmSession) -> set[int]:
    return set(db.scalars(select(OutboxEntry.session_id).where(OutboxEntry.op == "delete")))


def highest_session_id_ever(db: OrmSession) -> int:
    """The largest session id this file ever handed out (sessions use AUTOINCREMENT)."""
    value = db.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'sessions'")).scalar()
    return int(value or 0)


def queue_delete(db: OrmSession, session_id: int, event_id: str) -> None:
    """Queue the removal of an event whose session is gone without having queued it."""
    stmt = sqlite_insert(OutboxEntry).values(session_id=session_id, google_event_id=event_id,
                                             op="delete", queued_at=utcnow(), attempts=0)
    db.execute(stmt.on_conflict_do_nothing(index_elements=[OutboxEntry.session_id]))


def add_session(db: OrmSession, row: SessionRow) -> SessionRow:
    db.add(row)
    db.flush()
    return row


def attention_counts(db: OrmSession) -> tuple[int, int]:
    """(sessions in conflict, sessions with data Google refused)."""
    conflicts = db.scalar(select(func.count()).select_from(SessionRow)
                          .where(SessionRow.sync_conflict.is_not(None)))
    errors = db.scalar(select(func.count()).select_from(SessionRow)
                       .where(SessionRow.sync_error.is_not(None)))
    return int(conflicts or 0), int(errors or 0)


def conflicted_sessions(db: OrmSession) -> list[SessionRow]:
    return list(db.scalars(select(SessionRow).where(SessionRow.sync_conflict.is_not(None))))


def errored_sessions(db: OrmSession) -> list[SessionRow]:
    return list(db.scalars(select(SessionRow).where(SessionRow.sync_error.is_not(None))))


def reset_for_new_calendar(db: OrmSession) -> int:
    """Forget the old calendar's etags and queue every live session for the new one."""
    db.execute(update(SessionRow).values(google_etag=None, sync_snapshot=None,
                                         sync_conflict=None, sync_error=None))
    db.execute(delete(OutboxEntry))
    rows = list(db.scalars(select(SessionRow).where(SessionRow.status != "cancelled")))
    for row in rows:
        enqueue_session_change(db, row)
    return len(rows)


def queue_unsent(db: OrmSession, since: datetime) -> int:
    """Queue every session that is not in Google and not waiting to go there: from
    ``since`` on, and every series that is not cancelled. Returns how many."""
    waiting = select(OutboxEntry.session_id)
    rows = list(db.scalars(select(SessionRow).where(
        SessionRow.google_etag.is_(None), SessionRow.status != "cancelled",
        SessionRow.id.not_in(waiting),
        or_(SessionRow.start_utc >= since,
            and_(SessionRow.rrule.is_not(None), SessionRow.series_id.is_(None))))
        .order_by(SessionRow.id)))
    for row in rows:
        enqueue_session_change(db, row)
    return len(rows)


def all_sessions(db: OrmSession) -> list[SessionRow]:
    return list(db.scalars(select(SessionRow).order_by(SessionRow.start_utc, SessionRow.id)))


def mentee_names(db: OrmSession) -> dict[int, str]:
    return {mid: name for mid, name in db.execute(select(Mentee.id, Mentee.name))}


def outbox_error(db: OrmSession, session_id: int) -> tuple[bool, str | None]:
    entry = db.scalar(select(OutboxEntry).where(OutboxEntry.session_id == session_id))
    if entry is None:
        return False, None
    return True, entry.last_error
