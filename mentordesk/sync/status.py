"""Per-session sync status for the notes view: a plain value, computed from the database."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from mentordesk.storage import sync_repo
from mentordesk.storage.database import Database
from mentordesk.sync.mapping import FIELD_LABELS, LOCAL_REFUSAL, Json


@dataclass(frozen=True)
class SessionSyncStatus:
    # not_synced | pending | synced | error | conflict | local_only
    state: str
    text: str
    error_field: str | None = None
    conflict_fields: tuple[str, ...] = ()
    mine: Json = field(default_factory=dict)
    google: Json = field(default_factory=dict)


def session_sync_status(db: Database, session_id: int) -> SessionSyncStatus:
    with db.reader() as s:
        row = sync_repo.sessions_by_id(s, [session_id]).get(session_id)
        if row is None:
            return SessionSyncStatus("local_only", "Not a session.")
        queued, last_error = sync_repo.outbox_error(s, session_id)
        conflict_raw, sync_error, etag = row.sync_conflict, row.sync_error, row.google_etag
    if conflict_raw:
        data = json.loads(conflict_raw)
        fields = tuple(data.get("fields", []))
        labels = ", ".join(FIELD_LABELS.get(f, f) for f in fields)
        return SessionSyncStatus(
            "conflict", f"Changed here and in Google ({labels}): keep yours or use Google's?",
            conflict_fields=fields, mine=dict(data.get("mine", {})),
            google=dict(data.get("google", {})))
    if sync_error:
        field_name = None
        if sync_error.startswith("Google refused the "):
            field_name = sync_error.removeprefix("Google refused the ").split(":", 1)[0]
        elif sync_error.startswith(LOCAL_REFUSAL):
            field_name = sync_error.removeprefix(LOCAL_REFUSAL).split("):", 1)[0]
        return SessionSyncStatus("error", sync_error, error_field=field_name)
    if queued:
        text = "Waiting to be sent to Google Calendar."
        if last_error:
            text += f" Last try: {last_error}."
        return SessionSyncStatus("pending", text)
    if etag:
        return SessionSyncStatus("synced", "In Google Calendar.")
    return SessionSyncStatus("not_synced", "Not in Google Calendar.")


# A session that needs the user: its id, title and start.
AttentionRow = tuple[int, str, datetime]


def sessions_needing_attention(db: Database) -> list[AttentionRow]:
    """Every session with a conflict or data Google refused, each once."""
    with db.reader() as s:
        rows = [(r.id, r.title, r.start_utc) for r in
                sync_repo.conflicted_sessions(s) + sync_repo.errored_sessions(s)]
    first: dict[int, AttentionRow] = {}
    for row in rows:
        first.setdefault(row[0], row)
    return list(first.values())
