"""Cheap counts for empty states and the status bar."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from mentordesk.storage.schema import Goal, Mentee, Note, Session


def row_counts(db: OrmSession) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, model in (("mentees", Mentee), ("goals", Goal), ("sessions", Session),
                        ("notes", Note)):
        counts[name] = int(db.scalar(select(func.count()).select_from(model)) or 0)
    return counts
