"""The start-up mentee list, computed by a helper process while the app loads Qt.

CPython runs one thread at a time. At start-up the GUI thread imports and builds the Mentees
view while a worker reads and assesses every mentee; in one process the two take turns, and
at 10,000 mentees the list answered ~250 ms after the first paint. A helper process, started
before PySide is imported, computes the rows on another core during the ~180 ms the app
spends loading Qt; the app then only reads them back (~30 ms).

The helper is only ever a shortcut. It reads the file read-only in one transaction and
writes one ``marshal`` message to its stdout: ``(FORMAT, "rows", now, rows)``, ``(FORMAT, "stale",
revision)`` when the file is not at the packaged schema (the app migrates it first), or
``(FORMAT, "error", text)``. Anything else (no helper, a crash, a timeout) and the caller
computes the rows itself, as it always did.

It is started with ``python -S`` and the app's import path: no ``site`` (the editable
install's finder alone costs ~20 ms) and nothing from ``mentordesk`` but this module, the
list's rows and the raw reader. It runs no code of the app's process (no fork), so nothing the
app holds (locks, Qt, open files) can leak into it.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from mentordesk.domain.health import Health, Level
from mentordesk.services.mentee_rows import Loaded, MenteeRow, cadence_of

# Bumped whenever the message's shape changes: a helper from another version is ignored.
FORMAT = 1

# One row on the wire: MenteeRow's fields, the health's and the cadence's spread out.
_Wire = tuple[Any, ...]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_LEVELS = tuple(Level)
_LEVEL_CODES = {level: code for code, level in enumerate(_LEVELS)}


def encode(rows: Sequence[MenteeRow]) -> list[_Wire]:
    """Rows as tuples of plain values for ``marshal`` (~10x faster to write than pickle
    here, and no slower to read): instants as whole microseconds since the epoch (exact,
    and ~10x cheaper both ways than ISO text), days as ordinals, the health level as its
    index in ``Level``, the cadence as its two fields. Shared values (zones, tag tuples) go
    on the wire once."""
    seen: dict[object, object] = {}
    share = seen.setdefault
    wire: list[_Wire] = []
    append = wire.append
    for r in rows:
        health, cadence = r.health, r.cadence
        last, upcoming, snoozed, notified = (r.last_held, r.next_session, r.snoozed_until,
                                             r.health_notified_on)
        append((r.id, r.name, r.email, share(r.timezone, r.timezone), share(r.tags, r.tags),
                r.archived, cadence.interval, cadence.unit, r.target_gap_days,
                r.max_gap_days, None if last is None else (last - _EPOCH) // _MICROSECOND,
                None if upcoming is None else (upcoming - _EPOCH) // _MICROSECOND,
                _LEVEL_CODES[health.level], health.days_since, health.never_met,
                health.nothing_scheduled, health.snoozed, health.urgency, r.meeting_link,
                None if snoozed is None else (snoozed - _EPOCH) // _MICROSECOND,
                None if notified is None else notified.toordinal(), r.search_key))
    return wire


def decode(wire: Sequence[_Wire]) -> list[MenteeRow]:
    """The rows ``encode`` was given (equal, field for field, and built in C where
    possible: ``tuple.__new__`` rather than the NamedTuples' Python constructors)."""
    make = tuple.__new__
    epoch, span, day = _EPOCH, timedelta, date.fromordinal
    levels = _LEVELS
    rows: list[MenteeRow] = []
    append = rows.append
    for (mid, name, email, zone, tags, archived, interval, unit, target, maximum, last,
         upcoming, level, days, never_met, unbooked, snoozed, urgency, link, snoozed_until,
         notified, key) in wire:
        append(make(MenteeRow, (
            mid, name, email, zone, tags, archived, cadence_of(interval, unit), target,
            maximum, None if last is None else epoch + span(0, 0, last),
            None if upcoming is None else epoch + span(0, 0, upcoming),
            make(Health, (levels[level], days, never_met, unbooked, snoozed, urgency)), link,
            None if snoozed_until is None else epoch + span(0, 0, snoozed_until),
            None if notified is None else day(notified), key)))
    return rows


def read_message(blob: bytes) -> tuple[str, Loaded | None]:
    """What a helper's output says: ("rows", its rows and their moment) or (why not, None)."""
    try:
        found = marshal.loads(blob)
        if found[0] != FORMAT:
            return f"format {found[0]}", None
        if found[1] == "rows":
            return "rows", (decode(found[3]), datetime.fromisoformat(found[2]))
        return f"{found[1]}: {found[2]}", None
    except Exception as exc:  # a half-written or foreign message: just not a shortcut
        return f"unreadable ({type(exc).__name__})", None


def message(uri: str, now: datetime) -> tuple[Any, ...]:
    """What the helper writes for the file at ``uri``."""
    from mentordesk.services.mentee_rows import compute_rows
    from mentordesk.storage.migrations import HEAD
    from mentordesk.storage.raw_reader import read_transaction, schema_revision

    try:
        with read_transaction(uri) as conn:
            revision = schema_revision(conn)
            if revision != HEAD:
                return (FORMAT, "stale", revision)
            rows = compute_rows(conn, now, include_archived=True)
    except Exception as exc:  # the app reads the list itself and reports what it finds
        return (FORMAT, "error", f"{type(exc).__name__}: {exc}")
    return (FORMAT, "rows", now.isoformat(), encode(rows))


def main(uri: str) -> int:
    """The helper process: one message on stdout, then exit without any clean-up."""
    import gc

    gc.disable()  # a short-lived process: collecting its ~200k objects is wasted work
    data = marshal.dumps(message(uri, datetime.now(UTC)))
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(1, view):]
    except OSError:
        return 1  # the app stopped listening
    finally:
        os.close(1)  # the app reads up to end-of-file: give it now, not at exit
    return 0
