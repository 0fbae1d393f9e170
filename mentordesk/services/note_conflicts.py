"""Settling a note that holds two versions.

When two writers changed the same note (two windows, a CLI, or two desks of a team), nothing
is dropped: the other version is kept inside the note between a ``<<<<<<<`` line and a
``>>>>>>>`` line (services/notes.py and team/merge.py write them). These functions take one
such block apart so the Notes view can offer: keep the text above it, keep the other
version, or keep both one after the other.
"""

from __future__ import annotations

from dataclasses import dataclass

START = "<<<<<<< MentorDesk kept both versions."
END_PREFIX = ">>>>>>> "


@dataclass(frozen=True)
class TwoVersions:
    above: str  # the text before the block (this writer's version, and anything before)
    other: str  # the other version, as it was kept
    after: str  # whatever follows the block

    def keep_above(self) -> str:
        return _join(self.above, self.after)

    def keep_other(self) -> str:
        return _join(self.other, self.after)

    def keep_both(self) -> str:
        return _join(_join(self.above, self.other), self.after)


def first_conflict(text: str) -> TwoVersions | None:
    """The first two-versions block in ``text``, or None (also for a damaged block)."""
    start = text.find(START)
    if start < 0:
        return None
    line_end = text.find("\n", start)
    if line_end < 0:
        return None
    end = text.find("\n" + END_PREFIX, line_end)
    if end < 0:
        return None
    end_line = text.find("\n", end + 1)
    after = "" if end_line < 0 else text[end_line + 1:]
    return TwoVersions(text[:start].rstrip("\n"), text[line_end + 1:end], after)


def _join(first: str, second: str) -> str:
    if not first:
        return second
    if not second:
        return first
    return f"{first.rstrip()}\n\n{second.lstrip()}"
