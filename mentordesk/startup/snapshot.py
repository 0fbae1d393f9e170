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

import gc
import marshal
import os
import zlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, get_type_hints

from mentordesk.domain.cadence import Cadence
from mentordesk.domain.health import Health, Level
from mentordesk.services.mentee_rows import Loaded, MenteeRow, cadence_of, compute_rows
from mentordesk.storage.migrations import HEAD
from mentordesk.storage.raw_reader import read_transaction, schema_revision

# One row on the wire: MenteeRow's fields in their order, each as a plain value ``marshal``
# writes (~10x faster than pickle here, and no slower to read). Each field's conversion is
# chosen by its declared type, so a new plain field (text, a number) needs nothing here:
#   datetime -> whole microseconds since the epoch (exact, ~10x cheaper than ISO text)
#   date     -> its ordinal
#   Cadence  -> (interval, unit)
#   Health   -> its fields, the level as its index in ``Level``
# Values many rows share (zones, tag tuples) go on the wire once.
_SHARED = ("timezone", "tags")

_Wire = tuple[Any, ...]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_LEVELS = tuple(Level)
_LEVEL_CODES = {level: code for code, level in enumerate(_LEVELS)}
assert Health._fields[0] == "level"  # the one field of Health converted


def _conversions() -> tuple[list[str], list[str], list[str]]:
    """For each field of MenteeRow: the expression that puts its value ``v_<name>`` on the
    wire, the target that unpacks it there, and the expression that takes it back."""
    to_wire, on_wire, from_wire = [], [], []
    health = ", ".join(f"h_{name}" for name in Health._fields)
    for name, kind in get_type_hints(MenteeRow).items():
        v = f"v_{name}"
        target = v
        if kind in (datetime, datetime | None):
            out = f"None if {v} is None else ({v} - EPOCH) // MICROSECOND"
            back = f"None if {v} is None else EPOCH + timedelta(0, 0, {v})"
        elif kind in (date, date | None):
            out = f"None if {v} is None else {v}.toordinal()"
            back = f"None if {v} is None else date.fromordinal({v})"
        elif kind is Cadence:
            out, target, back = (f"({v}.interval, {v}.unit)", "(c_interval, c_unit)",
                                 "cadence_of(c_interval, c_unit)")
        elif kind is Health:
            out, target = f"(LEVEL_CODES[{v}[0]], *{v}[1:])", f"({health})"
            back = f"new(Health, (LEVELS[{health.replace(',', '],', 1)}))"
        else:
            out, back = f"share({v}, {v})" if name in _SHARED else v, v
        to_wire.append(out)
        on_wire.append(target)
        from_wire.append(back)
    return to_wire, on_wire, from_wire


def _compile() -> tuple[Any, Any]:
    """``encode`` and ``decode`` written out for MenteeRow's fields, as ``namedtuple`` once
    wrote its classes: one tuple display per row, ~30% faster than converting field by
    field in a loop (10,000 rows: ~22 ms to decode, in the app's start-up)."""
    to_wire, on_wire, from_wire = _conversions()
    values = ", ".join(f"v_{name}" for name in MenteeRow._fields)
    source = (
        "def encode(rows):\n"
        "    share = {}.setdefault\n"
        f"    return [({', '.join(to_wire)},) for ({values},) in rows]\n"
        "def decode(wire):\n"
        f"    return [new(MenteeRow, ({', '.join(from_wire)},))\n"
        f"            for ({', '.join(on_wire)},) in wire]\n")
    scope: dict[str, Any] = {
        "EPOCH": _EPOCH, "MICROSECOND": _MICROSECOND, "LEVELS": _LEVELS,
        "LEVEL_CODES": _LEVEL_CODES, "Health": Health, "MenteeRow": MenteeRow,
        "cadence_of": cadence_of, "date": date, "timedelta": timedelta, "new": tuple.__new__}
    exec(compile(source, f"<{__name__} wire format>", "exec"), scope)
    return scope["encode"], scope["decode"]


_encode, _decode = _compile()
# A helper from another version is ignored: the format changes with the fields.
FORMAT = zlib.crc32(repr((2, MenteeRow._fields, Health._fields)).encode())


def encode(rows: Sequence[MenteeRow]) -> list[_Wire]:
    """Rows as tuples of plain values for ``marshal`` (see the conversions above)."""
    result: list[_Wire] = _encode(rows)
    return result


def decode(wire: Sequence[_Wire]) -> list[MenteeRow]:
    """The rows ``encode`` was given (equal, field for field, and built in C where
    possible: ``tuple.__new__`` rather than the NamedTuples' Python constructors)."""
    result: list[MenteeRow] = _decode(wire)
    return result


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
