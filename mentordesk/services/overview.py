"""Whole-practice facts: is the database empty, how big is it."""

from __future__ import annotations

from dataclasses import dataclass

from mentordesk.storage.database import Database
from mentordesk.storage.stats import row_counts


@dataclass(frozen=True)
class Overview:
    mentees: int
    goals: int
    sessions: int
    notes: int

    @property
    def empty(self) -> bool:
        return self.mentees == 0


def overview(db: Database) -> Overview:
    with db.reader() as s:
        counts = row_counts(s)
    return Overview(counts["mentees"], counts["goals"], counts["sessions"], counts["notes"])
