"""Painting goal cards and story events. Colours come from the palette (light and dark),
except the overdue red, which is picked to read on either."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QTextLayout,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from mentordesk.domain.dates import day_text
from mentordesk.services.goals import BoardCard, StoryEvent
from mentordesk.ui.board.editor_models import EventRole
from mentordesk.ui.board.models import CardRole, FinishedRole
from mentordesk.ui.resources import icon

AnyIndex = QModelIndex | QPersistentModelIndex
PAD_X = 10
PAD_Y = 8
GAP = 4
BAR = 6
# The card's outline sits this far inside its item rect: the gap between two cards.
INSET = 3


def _small(font: QFont) -> QFont:
    small = QFont(font)
    size = font.pointSizeF()
    if size > 0:
        small.setPointSizeF(max(7.0, size * 0.88))
    return small


def _bold(font: QFont) -> QFont:
    bold = QFont(font)
    bold.setWeight(QFont.Weight.DemiBold)
    return bold


def _is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def overdue_colour(palette: QPalette) -> QColor:
    return QColor("#ff7b72") if _is_dark(palette) else QColor("#c62828")


def _two_lines(text: str, font: QFont, width: int) -> list[str]:
    """Wrap ``text`` into at most two lines, eliding the second."""
    metrics = QFontMetrics(font)
    layout = QTextLayout(text, font)
    layout.beginLayout()
    line = layout.createLine()
    if not line.isValid():
        layout.endLayout()
        return [text]
    line.setLineWidth(width)
    first_len = line.textLength()
    layout.endLayout()
    first = text[:first_len].rstrip()
    rest = text[first_len:].strip()
    if not rest:
        return [first]
    return [first, metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width)]


def _due_text(due: date, today: date, overdue: bool) -> str:
    text = day_text(due, today, weekday=False)
    return f"Overdue · {text}" if overdue else f"Due {text}"


class CardDelegate(QStyledItemDelegate):
    """A goal card: mentee, title, target, progress bar, due date, open action items."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = date.today()
        self._icons: dict[tuple[float, str], QPixmap] = {}

    def _check_icon(self, option: QStyleOptionViewItem) -> QPixmap:
        """The small tick, rendered once per screen scale and text colour (SVG rendering
        per card would cost more than the rest of the card)."""
        ratio = option.widget.devicePixelRatioF() if option.widget is not None else 1.0
        colour = option.palette.color(QPalette.ColorRole.Text).name()
        key = (ratio, colour)
        if key not in self._icons:
            pixmap = icon("check").pixmap(QSize(12, 12), ratio)
            self._icons[key] = pixmap
        return self._icons[key]

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        # Every card has the same height (the list views lay out thousands of cards without
        # asking each one): mentee, two title lines, target, bar, how progress is counted and
        # the due date each have their own line, so no footer shares its width with another
        # text and none is cut at the window's default size or at any scale.
        base = QFontMetrics(option.font).height()
        small = QFontMetrics(_small(option.font)).height()
        height = (2 * PAD_Y + 2 * INSET + small + GAP + 2 * base + GAP + small + GAP + BAR
                  + GAP + small + GAP + small)
        return QSize(220, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        card = index.data(CardRole)
        if not isinstance(card, BoardCard):
            super().paint(painter, option, index)
            return
        finished = bool(index.data(FinishedRole))
        palette = option.palette
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        focused = bool(state & QStyle.StateFlag.State_HasFocus)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(INSET, INSET, -INSET, -INSET)
        border = palette.color(QPalette.ColorRole.Highlight) if selected else palette.color(
            QPalette.ColorRole.Mid)
        painter.setPen(QPen(border, 2.0 if selected else 1.0))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), 7, 7)
        if focused and selected:
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 1.0,
                                Qt.PenStyle.DotLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(rect).adjusted(3, 3, -3, -3), 5, 5)

        inner = rect.adjusted(PAD_X, PAD_Y, -PAD_X, -PAD_Y)
        text_colour = palette.color(QPalette.ColorRole.Text)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        small_font = _small(option.font)
        small_metrics = QFontMetrics(small_font)
        small_h = small_metrics.height()
        base_h = QFontMetrics(option.font).height()
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        y = inner.top()

        # The mentee.
        painter.setFont(small_font)
        painter.setPen(muted)
        _draw_fitted(painter, QRect(inner.left(), y, inner.width(), small_h), left,
                     card.mentee_name)
        y += small_h + GAP

        # Title, up to two lines.
        title_font = _bold(option.font)
        painter.setFont(title_font)
        painter.setPen(text_colour)
        title_lines = _two_lines(card.title, title_font, inner.width())
        for line in title_lines:
            painter.drawText(QRect(inner.left(), y, inner.width(), base_h), left, line)
            y += base_h
        if len(title_lines) == 1:
            y += base_h
        y += GAP

        # The measurable target.
        painter.setFont(small_font)
        painter.setPen(muted)
        target = f"Target: {card.target}" if card.target else "No measurable target yet"
        _draw_fitted(painter, QRect(inner.left(), y, inner.width(), small_h), left, target)
        y += small_h + GAP

        # Progress bar.
        pct = card.progress.percent
        bar = QRectF(inner.left(), y, inner.width() - 44, BAR)
        track = QColor(palette.color(QPalette.ColorRole.Mid))
        track.setAlpha(90)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(track)
        painter.drawRoundedRect(bar, BAR / 2, BAR / 2)
        if pct:
            chunk = QRectF(bar)
            chunk.setWidth(max(BAR, bar.width() * min(pct, 100) / 100))
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(chunk, BAR / 2, BAR / 2)
        painter.setPen(text_colour if pct is not None else muted)
        painter.drawText(QRect(int(bar.right()) + 4, y - small_h // 2 + BAR // 2, 40, small_h),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         f"{pct} %" if pct is not None else "–")
        y += BAR + GAP

        # How progress is counted ("12 of 12 pull requests reviewed"): the whole width.
        painter.setPen(muted)
        _draw_fitted(painter, QRect(inner.left(), y, inner.width(), small_h), left,
                     card.progress.label)
        y += small_h + GAP

        # The due date, and the open action items on the right.
        right_w = 0
        if card.open_actions:
            label = f"{card.open_actions} open"
            right_w = small_metrics.horizontalAdvance(label) + 16
            painter.drawPixmap(inner.right() - right_w + 1, y + (small_h - 12) // 2,
                               self._check_icon(option))
            painter.setPen(text_colour)
            painter.drawText(QRect(inner.right() - right_w + 16, y, right_w - 16, small_h),
                             left, label)
        if card.due_date is not None:
            overdue = not finished and card.due_date < self.today
            due_font = _bold(small_font) if overdue else small_font
            painter.setFont(due_font)
            painter.setPen(overdue_colour(palette) if overdue else muted)
            _draw_fitted(painter, QRect(inner.left(), y, inner.width() - right_w - 6, small_h),
                         left, _due_text(card.due_date, self.today, overdue))
        painter.restore()


def _draw_fitted(painter: QPainter, rect: QRect, align: Qt.AlignmentFlag, text: str) -> None:
    """``text`` in ``rect`` in the painter's font, elided only when the column is too narrow
    for it (the card's tooltip then has it in full)."""
    metrics = QFontMetrics(painter.font())
    if metrics.horizontalAdvance(text) > rect.width():
        text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
    painter.drawText(rect, align, text)


STORY_ICONS = {
    "created": "goal", "completed": "goal", "milestone": "star", "session": "calendar",
    "note": "notes", "action": "check", "action_done": "check",
}


class StoryDelegate(QStyledItemDelegate):
    """One event of a goal's story: date, icon, what happened and a line of detail."""

    DATE_W = 84

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        base = QFontMetrics(option.font).height()
        small = QFontMetrics(_small(option.font)).height()
        return QSize(300, 12 + base + 2 + small)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        event = index.data(EventRole)
        if not isinstance(event, StoryEvent):
            super().paint(painter, option, index)
            return
        palette = option.palette
        painter.save()
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, palette.color(QPalette.ColorRole.Highlight))
            text = palette.color(QPalette.ColorRole.HighlightedText)
            muted = text
        else:
            text = palette.color(QPalette.ColorRole.Text)
            muted = palette.color(QPalette.ColorRole.PlaceholderText)
        rect = option.rect.adjusted(8, 6, -8, -6)
        small_font = _small(option.font)
        base_h = QFontMetrics(option.font).height()
        small_h = QFontMetrics(small_font).height()
        painter.setFont(small_font)
        painter.setPen(muted)
        when = event.when.astimezone().strftime("%d %b %Y").lstrip("0")
        painter.drawText(QRect(rect.left(), rect.top(), self.DATE_W, base_h),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, when)
        icon_rect = QRect(rect.left() + self.DATE_W, rect.top() + (base_h - 16) // 2, 16, 16)
        icon(STORY_ICONS.get(event.kind, "info")).paint(painter, icon_rect)
        left = rect.left() + self.DATE_W + 24
        width = rect.right() - left
        title_font = _bold(option.font) if event.kind in ("session", "completed") \
            else QFont(option.font)
        painter.setFont(title_font)
        painter.setPen(text)
        title = event.title + ("  (private)" if event.private else "")
        painter.drawText(QRect(left, rect.top(), width, base_h),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         QFontMetrics(title_font).elidedText(title, Qt.TextElideMode.ElideRight,
                                                             width))
        if event.detail:
            painter.setFont(small_font)
            painter.setPen(muted)
            painter.drawText(QRect(left, rect.top() + base_h + 2, width, small_h),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             QFontMetrics(small_font).elidedText(
                                 event.detail, Qt.TextElideMode.ElideRight, width))
        painter.restore()
