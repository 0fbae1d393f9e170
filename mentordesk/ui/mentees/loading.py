"""Loading the mentee list: the query the view runs, and its start-up preload.

The preload starts before the view's modules are imported; even the service module is
imported by the worker, so the GUI thread goes straight on to painting and importing the view.
At start-up the worker first asks the helper process the command line started
(``startup/snapshot.py``) and reads the list itself only if that has none.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from mentordesk.startup.helper import SnapshotHelper
from mentordesk.ui.context import AppContext
from mentordesk.ui.startup.preload import Preload
from mentordesk.ui.tasks import TaskControl

if TYPE_CHECKING:
    from mentordesk.services.mentee_rows import Loaded
    from mentordesk.storage.database import Database

log = logging.getLogger(__name__)

PRELOAD_KEY = "mentees.rows"
HELPER_KEY = "mentees.helper"


def load_rows(db: Database) -> Loaded:
    """Every row, archived included, with the moment the health was computed for."""
    from mentordesk.services.mentee_rows import list_rows

    now = datetime.now(UTC)
    return list_rows(db, include_archived=True, now=now), now


def start_preload(context: AppContext) -> None:
    db = context.db

    helper = take_helper(context)

    def work(_control: TaskControl) -> Loaded:
        if helper is not None:
            loaded = helper.result()
            if loaded is not None:
                log.info("the mentee list came from the start-up helper")
                return loaded
            log.info("the start-up helper gave no mentee list (%s): reading it here",
                     helper.outcome)
        return load_rows(db)

    context.preloads[PRELOAD_KEY] = Preload(work)


def take_preload(context: AppContext) -> Preload[Loaded] | None:
    found = context.preloads.pop(PRELOAD_KEY, None)
    return found if isinstance(found, Preload) else None


def give_helper(context: AppContext, helper: SnapshotHelper) -> None:
    """Hand the start-up helper (started by the command line) to the first list load."""
    context.preloads[HELPER_KEY] = helper


def take_helper(context: AppContext) -> SnapshotHelper | None:
    found = context.preloads.pop(HELPER_KEY, None)
    return found if isinstance(found, SnapshotHelper) else None


def discard_helper(context: AppContext) -> None:
    """Stop the helper if the first view was not the Mentees view (nobody took its rows)."""
    found = take_helper(context)
    if found is not None:
        found.discard()
