"""A one-day strip of the hours both people are in working hours (08:00–20:00 each)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from mentordesk.domain import timezones

SLOT_MINUTES = 30
SLOTS = 24 * 60 // SLOT_MINUTES


def day_slots(mentor_zone: str, mentee_zone: str, day: date) -> list[tuple[bool, bool]]:
    """For each half hour of ``day`` on the mentor's clock: (mentor working, mentee working)."""
    start = datetime.combine(day, time(0), timezones.zone(mentor_zone)).astimezone(UTC)
    result = []
    for i in range(SLOTS):
        instant = start + timedelta(minutes=i * SLOT_MINUTES)
        result.append((timezones.in_working_hours(instant, mentor_zone),
                       timezones.in_working_hours(instant, mentee_zone)))
    return result


def describe_overlap(mentor_zone: str, mentee_zone: str, day: date) -> str:
    spans = timezones.shared_working_hours(mentor_zone, mentee_zone, day)
    if not spans:
        return "No shared working hours: one of you is outside 08:00–20:00 at all times."
    mentor, mentee = timezones.zone(mentor_zone), timezones.zone(mentee_zone)
    parts = []
    for begin, end in spans:
        parts.append(f"{begin.astimezone(mentor):%H:%M}–{end.astimezone(mentor):%H:%M} your time"
                     f" ({begin.astimezone(mentee):%H:%M}–{end.astimezone(mentee):%H:%M} theirs)")
    return "Both working: " + "; ".join(parts)


class WorkingHoursStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._slots: list[tuple[bool, bool]] = []
        self._now_fraction: float | None = None
        self.setAccessibleName("Shared working hours")

    def set_zones(self, mentor_zone: str, mentee_zone: str, now: datetime) -> None:
        day = now.astimezone(timezones.zone(mentor_zone)).date()
        self._slots = day_slots(mentor_zone, mentee_zone, day)
        local = now.astimezone(timezones.zone(mentor_zone))
        self._now_fraction = (local.hour * 60 + local.minute) / (24 * 60)
        text = describe_overlap(mentor_zone, mentee_zone, day)
        self.setToolTip(text)
        self.setAccessibleDescription(text)
        self.update()

    def slots(self) -> list[tuple[bool, bool]]:
        return list(self._slots)

    def sizeHint(self) -> QSize:
        return QSize(288, 34)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        bar_h = 14.0
        width = float(self.width())
        if not self._slots:
            painter.end()
            return
        slot_w = width / len(self._slots)
        both = palette.color(QPalette.ColorRole.Highlight)
        one = QColor(both)
        one.setAlpha(70)
        none = palette.color(QPalette.ColorRole.Midlight)
        for i, (mentor, mentee) in enumerate(self._slots):
            colour = both if mentor and mentee else (one if mentor or mentee else none)
            painter.fillRect(QRectF(i * slot_w, 0, slot_w + 0.5, bar_h), colour)
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        font = painter.font()
        font.setPointSizeF(max(6.5, font.pointSizeF() * 0.78))
        painter.setFont(font)
        for hour in (0, 6, 12, 18):
            x = width * hour / 24
            painter.drawLine(int(x), int(bar_h), int(x), int(bar_h) + 3)
            painter.drawText(QRectF(x + 2, bar_h + 1, 40, 16),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, f"{hour:02d}")
        if self._now_fraction is not None:
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            x = width * self._now_fraction
            painter.drawLine(int(x), 0, int(x), int(bar_h) + 2)
        painter.end()
