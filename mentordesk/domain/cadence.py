"""Check-in cadence: how often a mentor means to meet someone, and the gaps it implies.

A cadence is "every <interval> <unit>" (days, weeks or months). It gives two defaults for
relationship health: the target gap (meet again by then) and the maximum gap (past it, the
relationship needs attention). Each mentee may override both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = ("days", "weeks", "months")
_UNIT_DAYS = {"days": 1, "weeks": 7, "months": 30}
MAX_INTERVAL = 365


class CadenceError(ValueError):
    """Text that is not a cadence; the message says what would be."""


@dataclass(frozen=True)
class Cadence:
    interval: int = 2
    unit: str = "weeks"

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise CadenceError(f"A cadence is counted in days, weeks or months, not '{self.unit}'.")
        if not 1 <= self.interval <= MAX_INTERVAL:
            raise CadenceError(f"The cadence interval must be between 1 and {MAX_INTERVAL}.")

    @property
    def days(self) -> int:
        return self.interval * _UNIT_DAYS[self.unit]

    def default_gaps(self) -> tuple[int, int]:
        """(target, maximum) gap in days: the cadence itself, then half as long again as grace
        (every 2 weeks -> 14/21, weekly -> 7/11, monthly -> 30/45)."""
        target = self.days
        return target, target + max(1, (target + 1) // 2)

    def label(self) -> str:
        """'Weekly', 'Every 2 weeks', 'Monthly', 'Every 10 days' — also what parse() reads."""
        if self.interval == 1:
            return {"days": "Daily", "weeks": "Weekly", "months": "Monthly"}[self.unit]
        return f"Every {self.interval} {self.unit}"

    def __str__(self) -> str:
        return self.label()


DEFAULT_CADENCE = Cadence(2, "weeks")


def effective_gaps(cadence: Cadence, target_days: int | None,
                   max_days: int | None) -> tuple[int, int]:
    """A mentee's (target, maximum) gap in days: their own overrides where set, else the
    cadence's defaults. Without its own maximum it is never below the target, so raising
    only the target cannot make the relationship overdue before it is due."""
    default_target, default_max = cadence.default_gaps()
    target = target_days if target_days is not None else default_target
    maximum = max_days if max_days is not None else max(default_max, target)
    return target, maximum

_WORDS = {
    "daily": Cadence(1, "days"),
    "weekly": Cadence(1, "weeks"),
    "biweekly": Cadence(2, "weeks"),
    "bi-weekly": Cadence(2, "weeks"),
    "fortnightly": Cadence(2, "weeks"),
    "monthly": Cadence(1, "months"),
    "quarterly": Cadence(3, "months"),
}
_PATTERN = re.compile(
    r"^(?:every\s+)?(?:(\d+)\s*)?(d|day|days|w|wk|wks|week|weeks|m|mo|month|months)$"
)
_UNIT_OF = {"d": "days", "day": "days", "days": "days", "w": "weeks", "wk": "weeks",
            "wks": "weeks", "week": "weeks", "weeks": "weeks", "m": "months", "mo": "months",
            "month": "months", "months": "months"}


def parse_cadence(text: str) -> Cadence:
    """Read 'weekly', 'every 2 weeks', '10 days', '2w', 'monthly', 'fortnightly'."""
    folded = " ".join(text.strip().casefold().split())
    if not folded:
        raise CadenceError("The cadence is empty.")
    if folded in _WORDS:
        return _WORDS[folded]
    match = _PATTERN.match(folded)
    if match is None:
        raise CadenceError(
            f"'{text.strip()}' is not a cadence; write e.g. 'weekly', 'every 2 weeks', "
            "'every 10 days' or 'monthly'."
        )
    # int() refuses more than 4300 digits (leading zeros too) with a plain ValueError.
    digits = (match.group(1) or "1").lstrip("0") or "0"
    if len(digits) > len(str(MAX_INTERVAL)):
        raise CadenceError(f"The cadence interval must be between 1 and {MAX_INTERVAL}.")
    interval = int(digits)
    return Cadence(interval, _UNIT_OF[match.group(2)])
