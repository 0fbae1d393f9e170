"""Time zones: the mentor's and each mentee's, searching IANA names, shared working hours.

Everything is computed from IANA zone names with zoneinfo (tzdata ships the database on
platforms without one), never from fixed offsets, so DST and odd offsets (+5:30, +5:45,
-3:30) just work.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

WORK_START = 8
WORK_END = 20


# Names tzdata has dropped altogether (its ``backward`` file once linked them; the other
# retired names are still links there and need nothing), mapped to the zone they meant.
# A file written when they were valid must still open.
RETIRED_ZONES = {
    "US/Pacific-New": "America/Los_Angeles",
    "Canada/East-Saskatchewan": "America/Regina",
    "SystemV/AST4": "America/Puerto_Rico",
    "SystemV/AST4ADT": "America/Halifax",
    "SystemV/CST6": "America/Regina",
    "SystemV/CST6CDT": "America/Chicago",
    "SystemV/EST5": "America/Panama",
    "SystemV/EST5EDT": "America/New_York",
    "SystemV/HST10": "Pacific/Honolulu",
    "SystemV/MST7": "America/Phoenix",
    "SystemV/MST7MDT": "America/Denver",
    "SystemV/PST8": "Pacific/Pitcairn",
    "SystemV/PST8PDT": "America/Los_Angeles",
    "SystemV/YST9": "Pacific/Gambier",
    "SystemV/YST9YDT": "America/Anchorage",
}


def zone(name: str) -> ZoneInfo:
    """A ZoneInfo for ``name`` (retired names map to the zone they meant); raises
    ValueError with a readable message if unknown."""
    try:
        return ZoneInfo(RETIRED_ZONES.get(name, name))
    # A folder of the zone database ("America") or an over-long name is an OSError, not a
    # ZoneInfoNotFoundError: both come straight from typed or imported text.
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"'{name}' is not a known time zone") from exc


def is_valid_zone(name: str) -> bool:
    try:
        zone(name)
    except ValueError:
        return False
    return True


@cache
def all_zones() -> tuple[str, ...]:
    """Canonical IANA names people pick from (no legacy aliases such as 'US/Pacific')."""
    names = {
        n for n in available_timezones()
        if "/" in n and not n.startswith(("Etc/", "SystemV/", "US/", "Canada/", "Mexico/",
                                          "Brazil/", "Chile/", "posix/", "right/"))
    }
    names.add("UTC")
    return tuple(sorted(names))


def mentor_zone() -> str:
    """The computer's IANA zone: $TZ, else /etc/localtime's target, else UTC."""
    env = os.environ.get("TZ", "").lstrip(":")
    if env and is_valid_zone(env):
        return env
    try:
        target = Path("/etc/localtime").resolve()
        parts = target.parts
        if "zoneinfo" in parts:
            name = "/".join(parts[parts.index("zoneinfo") + 1:])
            if is_valid_zone(name):
                return name
    except OSError:
        pass
    return "UTC"


def utc_offset(name: str, at: datetime) -> timedelta:
    offset = at.astimezone(zone(name)).utcoffset()
    return offset if offset is not None else timedelta(0)


def format_offset(delta: timedelta) -> str:
    """'+5:30', '-3:30', '+0', '+1' — hours, with minutes only when there are some."""
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours}:{mins:02d}" if mins else f"{sign}{hours}"


def relative_offset(mentee_zone: str, mentor: str, at: datetime) -> str:
    """How far the mentee's clock is from the mentor's: '+5:30 h', 'same time'."""
    delta = utc_offset(mentee_zone, at) - utc_offset(mentor, at)
    if not delta:
        return "same time"
    return f"{format_offset(delta)} h"


def city(name: str) -> str:
    return name.rsplit("/", 1)[-1].replace("_", " ")


@dataclass(frozen=True)
class ZoneMatch:
    name: str
    label: str  # "Europe/Berlin — CET, UTC+1"


def zone_label(name: str, at: datetime) -> str:
    local = at.astimezone(zone(name))
    abbrev = local.tzname() or ""
    offset = f"UTC{format_offset(local.utcoffset() or timedelta(0))}"
    if abbrev and not abbrev.lstrip("+-").isdigit():
        return f"{name} — {abbrev}, {offset}"
    return f"{name} — {offset}"


# Abbreviations people type that zoneinfo cannot find by itself (no zone is *named* IST).
_ABBREVIATIONS = {
    "IST": ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"),
    "CET": ("Europe/Berlin", "Europe/Paris"), "CEST": ("Europe/Berlin", "Europe/Paris"),
    "PST": ("America/Los_Angeles",), "PDT": ("America/Los_Angeles",),
    "EST": ("America/New_York",), "EDT": ("America/New_York",),
    "CST": ("America/Chicago", "Asia/Shanghai"), "MST": ("America/Denver",),
    "BST": ("Europe/London",), "GMT": ("Europe/London", "UTC"), "JST": ("Asia/Tokyo",),
    "AEST": ("Australia/Sydney",), "NZST": ("Pacific/Auckland",), "WAT": ("Africa/Lagos",),
    "EAT": ("Africa/Nairobi",), "SGT": ("Asia/Singapore",), "HKT": ("Asia/Hong_Kong",),
    "NPT": ("Asia/Kathmandu",), "BRT": ("America/Sao_Paulo",),
}


def search_zones(query: str, at: datetime | None = None, limit: int = 50) -> list[ZoneMatch]:
    """Zones matching a city ('Berlin'), a region ('Europe/'), an abbreviation ('IST') or an
    offset ('+5:30'); best matches first."""
    at = at or datetime.now(UTC)
    q = query.strip()
    if not q:
        return [ZoneMatch(n, zone_label(n, at)) for n in all_zones()[:limit]]
    folded = q.casefold().replace(" ", "_")
    scored: list[tuple[int, str]] = []
    abbrev_hits = set(_ABBREVIATIONS.get(q.upper(), ()))
    for name in all_zones():
        low = name.casefold()
        if name in abbrev_hits:
            scored.append((0, name))
        elif city(name).casefold().replace(" ", "_") == folded:
            scored.append((1, name))
        elif city(name).casefold().replace(" ", "_").startswith(folded):
            scored.append((2, name))
        elif folded in low:
            scored.append((3, name))
        else:
            label = zone_label(name, at)
            abbrev = label.split(" — ", 1)[1].split(",")[0] if " — " in label else ""
            if q.upper() == abbrev.upper() or (q.startswith(("+", "-"))
                                                and f"UTC{q}" in label.replace(":00", "")):
                scored.append((4, name))
    scored.sort()
    return [ZoneMatch(n, zone_label(n, at)) for _, n in scored[:limit]]


def in_working_hours(instant: datetime, name: str, start: int = WORK_START,
                     end: int = WORK_END) -> bool:
    local = instant.astimezone(zone(name))
    minutes = local.hour * 60 + local.minute
    return start * 60 <= minutes < end * 60


def shared_working_hours(zone_a: str, zone_b: str, day: date, start: int = WORK_START,
                         end: int = WORK_END) -> list[tuple[datetime, datetime]]:
    """Stretches of ``day`` (a date in ``zone_a``) when both people are inside working hours,
    as UTC intervals, found on a 15-minute grid."""
    za = zone(zone_a)
    begin = datetime.combine(day, time(0), za).astimezone(UTC)
    stop = datetime.combine(day + timedelta(days=1), time(0), za).astimezone(UTC)
    step = timedelta(minutes=15)
    spans: list[tuple[datetime, datetime]] = []
    t = begin
    current: datetime | None = None
    while t < stop:
        both = in_working_hours(t, zone_a, start, end) and in_working_hours(t, zone_b, start, end)
        if both and current is None:
            current = t
        elif not both and current is not None:
            spans.append((current, t))
            current = None
        t += step
    if current is not None:
        spans.append((current, stop))
    return spans
