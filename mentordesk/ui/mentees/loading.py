"""Loading the mentee list: the query the view runs, and its start-up preload.

The preload starts before the view's modules are imported; even the service module is
imported by the worker, so the GUI thread goes straight on to painting and importing the view.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from mentordesk.ui.context import AppContext
from mentordesk.ui.preload import Preload
from mentordesk.ui.tasks import TaskControl

if TYPE_CHECKING:
    from mentordesk.services.mentees import MenteeRow, MenteeService

PRELOAD_KEY = "mentees.rows"

Loaded = tuple["list[MenteeRow]", datetime]


def load_rows(service: MenteeService) -> Loaded:
    """Every row, archived included, with the moment the health was computed for."""
    now = datetime.now(UTC)
    return service.list_rows(include_archived=True, now=now), now


def start_preload(context: AppContext) -> None:
    db = context.db

    def work(_control: TaskControl) -> Loaded:
        from mentordesk.services.mentees import MenteeService

        return load_rows(MenteeService(db))

    context.preloads[PRELOAD_KEY] = Preload(work)


def take_preload(context: AppContext) -> Preload[Loaded] | None:
    found = context.preloads.pop(PRELOAD_KEY, None)
    return found if isinstance(found, Preload) else None
