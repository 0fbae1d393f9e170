"""Field-level three-way merge of a replicated row against the last replicated version.

For each field: a side that did not change it takes the other side's value. When both
changed it differently, free text a person wrote keeps both versions, one after the other
between markers (never dropped); a set (tags, a session's goals) keeps every addition and
every removal; any other field takes this desk's value, which is then pushed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mentordesk.storage.team_tables import SET, TableSpec

Payload = dict[str, Any]

CONFLICT_START = "<<<<<<< MentorDesk kept both versions."
CONFLICT_END = ">>>>>>> End of the other version."


@dataclass(frozen=True)
class Merged:
    payload: Payload
    conflicts: tuple[str, ...]


def merge_text(base: str | None, mine: str | None, theirs: str | None) -> str:
    b, m, t = base or "", mine or "", theirs or ""
    if m == t or t == b:
        return m
    if m == b:
        return t
    if t in m:  # ours already holds all of theirs (an earlier merge, or an addition to it)
        return m
    if m in t:
        return t
    # The same text whichever desk merges: the two versions in a fixed order.
    first, second = sorted((m, t))
    return (f"{first}\n\n{CONFLICT_START} Two desks changed this text at the same time; "
            "below is the other version. Keep what you need, then delete from this line to "
            f"the end marker.\n{second}\n{CONFLICT_END}\n")


def merge_set(base: list[str] | None, mine: list[str], theirs: list[str]) -> list[str]:
    b, m, t = set(base or ()), set(mine), set(theirs)
    return sorted((m & t) | (m - b) | (t - b))


def merge_row(spec: TableSpec, base: Payload | None, mine: Payload,
              theirs: Payload) -> Merged:
    base = base or {}
    out: Payload = {}
    conflicts: list[str] = []
    for key in mine.keys() | theirs.keys():
        b, m, t = base.get(key), mine.get(key), theirs.get(key)
        if m == t or t == b:
            out[key] = m
        elif m == b:
            out[key] = t
        else:
            conflicts.append(key)
            field = spec.field(key)
            if field is not None and field.prose:
                out[key] = merge_text(b, m, t)
            elif field is not None and field.kind == SET:
                out[key] = merge_set(b, m or [], t or [])
            else:
                out[key] = m
    return Merged(out, tuple(sorted(conflicts)))
