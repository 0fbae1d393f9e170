"""Qt models of the notes view: sessions grouped by day, action items, search hits."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QFont,
    QFontMetrics,
    QGuiApplication,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from mentordesk.domain.dates import instant_text
from mentordesk.domain.timezones import zone
from mentordesk.services.notes import ActionItemRecord
from mentordesk.services.search import HIGHLIGHT_CLOSE, HIGHLIGHT_OPEN, SearchHit
from mentordesk.services.sessions import SessionRecord
from mentordesk.ui.i18n import tr

RecordRole = Qt.ItemDataRole.UserRole + 1
HtmlRole = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


def group_sessions(upcoming: Sequence[SessionRecord], recent: Sequence[SessionRecord],
                   now: datetime, tz: str) -> list[tuple[str, list[SessionRecord]]]:
    """Today / This week / Later for what is coming, then Recent (newest first)."""
    today = now.astimezone(zone(tz)).date()
    week_end = today + timedelta(days=7)
    groups: dict[str, list[SessionRecord]] = {"Today": [], "This week": [], "Later": []}
    seen: set[tuple[int, datetime | None]] = set()
    for rec in upcoming:
        day: date = rec.start_utc.astimezone(zone(tz)).date()
        key = "Today" if day == today else ("This week" if day < week_end else "Later")
        groups[key].append(rec)
        seen.add((rec.ref.session_id, rec.ref.occurrence_utc))
    past = [r for r in recent if (r.ref.session_id, r.ref.occurrence_utc) not in seen
            and r.start_utc.astimezone(zone(tz)).date() != today]
    ordered = [(k, v) for k, v in groups.items() if v]
    if past:
        ordered.append(("Recent", past))
    return ordered


_SESSION_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_HEADING_FLAGS = Qt.ItemFlag.ItemIsEnabled


class SessionListModel(QAbstractListModel):
    """Sessions under group headings ("Today (3)"), as one flat list.

    Flat so the list view lays out thousands of rows in constant time per row (a tree's
    expandAll visits every row: 160 ms at 11,000 upcoming sessions); headings are rows that
    cannot be selected.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, int] | SessionRecord] = []
        self.display_zone = "UTC"
        self._row_height = 0

    def set_groups(self, groups: list[tuple[str, list[SessionRecord]]], tz: str) -> None:
        self.beginResetModel()
        rows: list[tuple[str, int] | SessionRecord] = []
        for title, items in groups:
            rows.append((title, len(items)))
            rows.extend(items)
        self._rows = rows
        self.display_zone = tz
        self.endResetModel()

    def record(self, index: Index) -> SessionRecord | None:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        return row if isinstance(row, SessionRecord) else None

    def find(self, session_id: int, occurrence: datetime | None = None) -> QModelIndex:
        for pos, row in enumerate(self._rows):
            if (isinstance(row, SessionRecord) and row.ref.session_id == session_id
                    and row.ref.occurrence_utc == occurrence):
                return self.index(pos, 0)
        return QModelIndex()

    def total(self) -> int:
        return sum(1 for row in self._rows if isinstance(row, SessionRecord))

    def headings(self) -> list[str]:
        return [row[0] for row in self._rows if isinstance(row, tuple)]

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return Qt.ItemFlag.NoItemFlags
        return (_SESSION_FLAGS if isinstance(self._rows[index.row()], SessionRecord)
                else _HEADING_FLAGS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role == Qt.ItemDataRole.SizeHintRole:
            if not self._row_height:
                self._row_height = 2 * QFontMetrics(QGuiApplication.font()).lineSpacing() + 6
            return QSize(0, self._row_height)
        row = self._rows[index.row()]
        if isinstance(row, tuple):
            title, count = row
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{title} ({count})"
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return f"{title}, " + tr("%n session(s)", "", count)
            return None
        rec = row
        mine = zone(self.display_zone)
        now = datetime.now().astimezone()
        if role == Qt.ItemDataRole.DisplayRole:
            mark = " ↻" if rec.recurring else ""
            state = {"cancelled": " — cancelled", "held": " ✓"}.get(rec.status, "")
            return f"   {instant_text(rec.start_utc, mine, now)}  {rec.mentee_name}{mark}" \
                   f"{state}\n" \
                   f"   {rec.display_title}"
        if role == Qt.ItemDataRole.ToolTipRole:
            first_name = (rec.mentee_name.split() or [""])[0]
            try:
                theirs = instant_text(rec.start_utc, zone(rec.mentee_timezone), now)
                their_line = (f"{first_name}: {theirs} "
                              f"({rec.mentee_timezone})")
            except ValueError:
                their_line = f"{first_name}: unknown time zone '{rec.mentee_timezone}'"
            lines = [f"{rec.display_title} with {rec.mentee_name}",
                     f"You: {instant_text(rec.start_utc, mine, now)} ({self.display_zone})",
                     their_line]
            if rec.recurring:
                lines.append(rec.repeat_text)
            return "\n".join(lines)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{rec.display_title} with {rec.mentee_name}, " \
                   f"{instant_text(rec.start_utc, mine, now)}"
        if role == Qt.ItemDataRole.ForegroundRole and rec.status == "cancelled":
            return QPalette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        if role == RecordRole:
            return rec
        return None


class ActionItemsModel(QAbstractListModel):
    """Checkable action items; ticking calls ``on_toggle`` (an undoable service call)."""

    def __init__(self, on_toggle: Callable[[ActionItemRecord, bool], None] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[ActionItemRecord] = []
        self.on_toggle = on_toggle

    def set_items(self, items: Sequence[ActionItemRecord]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def items(self) -> list[ActionItemRecord]:
        return list(self._items)

    def item(self, row: int) -> ActionItemRecord | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def append(self, item: ActionItemRecord) -> None:
        self.beginInsertRows(QModelIndex(), len(self._items), len(self._items))
        self._items.append(item)
        self.endInsertRows()

    def replace(self, item: ActionItemRecord) -> None:
        for row, old in enumerate(self._items):
            if old.id == item.id:
                self._items[row] = item
                idx = self.index(row, 0)
                self.dataChanged.emit(idx, idx)
                return

    def remove(self, item_id: int) -> None:
        for row, old in enumerate(self._items):
            if old.id == item_id:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._items[row]
                self.endRemoveRows()
                return

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._items)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            prefix = "Next time: " if item.kind == "next_time" else ""
            goal = f"  · {item.goal_title}" if item.goal_title else ""
            return f"{prefix}{item.text}{goal}"
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if item.done else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = "done" if item.done else "open"
            return f"{item.text}, {state}"
        if role == RecordRole:
            return item
        return None

    def setData(self, index: Index, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole:
            return False
        item = self._items[index.row()]
        done = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2)
        if done == item.done:
            return False
        if self.on_toggle is not None:
            self.on_toggle(item, done)
        return True


def snippet_html(snippet: str) -> str:
    escaped = html.escape(snippet)
    return (escaped.replace(html.escape(HIGHLIGHT_OPEN), "<b><u>")
            .replace(html.escape(HIGHLIGHT_CLOSE), "</u></b>")
            .replace(HIGHLIGHT_OPEN, "<b><u>").replace(HIGHLIGHT_CLOSE, "</u></b>"))


KIND_LABEL = {"note": "Note", "agenda": "Agenda", "goal": "Goal", "mentee": "Mentee"}


class SearchResultsModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []
        self.display_zone = "UTC"

    def set_hits(self, hits: Sequence[SearchHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hit(self, row: int) -> SearchHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        when = (" · " + instant_text(hit.when, zone(self.display_zone),
                                     datetime.now().astimezone(), time=False)
                if hit.when else "")
        who = f" · {hit.mentee_name}" if hit.mentee_name and hit.kind != "mentee" else ""
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{KIND_LABEL[hit.kind]}: {hit.title}{who}{when}\n{hit.plain_snippet()}"
        if role == HtmlRole:
            return (f"<b>{html.escape(hit.title)}</b> <span style='color:gray'>"
                    f"{KIND_LABEL[hit.kind]}{html.escape(who + when)}</span><br>"
                    f"{snippet_html(hit.snippet)}")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{KIND_LABEL[hit.kind]} {hit.title}{who}: {hit.plain_snippet()}"
        if role == RecordRole:
            return hit
        return None


class HtmlDelegate(QStyledItemDelegate):
    """Paints an item's HtmlRole (highlighted snippets) as rich text."""

    def _document(self, option: QStyleOptionViewItem, index: Index) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setHtml(str(index.data(HtmlRole) or ""))
        doc.setTextWidth(max(100, option.rect.width() - 12))
        return doc

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        self.initStyleOption(option, index)
        opt = QStyleOptionViewItem(option)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        doc = self._document(option, index)
        if option.state & QStyle.StateFlag.State_Selected:
            colour = option.palette.color(QPalette.ColorRole.HighlightedText).name()
            # Grey on the selection colour is unreadable: everything in the text colour.
            doc.setHtml(f"<div style='color:{colour}'>"
                        + str(index.data(HtmlRole) or "").replace("color:gray", f"color:{colour}")
                        + "</div>")
        painter.save()
        rect = option.rect
        painter.translate(rect.left() + 6, rect.top() + 4)
        doc.drawContents(painter, QRectF(0, 0, rect.width() - 12, rect.height() - 8))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        doc = self._document(option, index)
        return QSize(int(doc.idealWidth()), int(doc.size().height()) + 8)
