"""Rules for measurable goals: how progress is counted and how a target reads."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from mentordesk.plurals import counted


class ColumnKind(enum.StrEnum):
    """The built-in board columns (``BoardColumn.status_key``; a column the mentor added
    has none). A goal moved into DONE is completed."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"


class ProgressMode(enum.StrEnum):
    """How a goal's progress is counted (``Goal.progress_mode``)."""

    MILESTONES = "milestones"  # the share of its milestones done
    MEASURE = "measure"  # a number against a target (3 of 5 talks)
    MANUAL = "manual"  # a percentage the mentor sets


def format_number(value: float) -> str:
    """3.0 reads "3", 2.5 reads "2.5": targets are counts far more often than fractions."""
    if value == int(value):
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Progress:
    """How far a goal is, and the words that say how it is measured."""

    percent: int | None
    label: str

    @property
    def complete(self) -> bool:
        return self.percent is not None and self.percent >= 100


def progress(
    mode: str,
    *,
    milestones_done: int,
    milestones_total: int,
    current_value: float | None,
    target_value: float | None,
    target_unit: str,
    manual_progress: int | None,
) -> Progress:
    """Progress from milestones done, from a measured value against its target, or by hand.

    ``percent`` is None when the goal has nothing to count yet (no milestones, no target):
    the card then shows no bar rather than a misleading 0 %.
    """
    if mode == ProgressMode.MILESTONES:
        if milestones_total == 0:
            return Progress(None, "No milestones yet")
        pct = round(100 * milestones_done / milestones_total)
        return Progress(pct, counted(milestones_total, f"{milestones_done} of {{n}} milestone",
                                     f"{milestones_done} of {{n}} milestones"))
    if mode == ProgressMode.MEASURE:
        if not target_value or target_value <= 0:
            return Progress(None, "No target set")
        current = current_value or 0.0
        pct = max(0, min(100, round(100 * current / target_value)))
        unit = f" {target_unit}" if target_unit else ""
        return Progress(pct, f"{format_number(current)} of {format_number(target_value)}{unit}")
    if manual_progress is None:
        return Progress(None, "Progress not set")
    pct = max(0, min(100, manual_progress))
    return Progress(pct, f"{pct} % (set by hand)")


def target_text(target_value: float | None, target_unit: str) -> str:
    """The measurable target as a phrase: "3 portfolio pieces"; empty when there is none."""
    if target_value is None:
        return target_unit.strip()
    unit = target_unit.strip()
    return f"{format_number(target_value)} {unit}".strip()


def is_overdue(due: date | None, today: date, *, finished: bool) -> bool:
    return due is not None and not finished and due < today
