"""The mentee table: a lazily fetched source model and a filtering proxy.

Built for 10,000 rows answered within a frame:
- the source keeps every row (plain frozen tuples from the service) in memory but exposes
  them to views in batches (``canFetchMore``/``fetchMore``), so the first paint and every
  filter pass only touch the rows a view has asked for;
- sorting happens in the source with Python's sort on precomputed keys (one pass, no Python
  ``lessThan`` per comparison); the proxy forwards ``sort`` to it and only filters;
- each row carries a lower-case search key (name, email, tags), so a filter test is a
  substring check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QPainter, QPixmap

from mentordesk.domain import timezones
from mentordesk.domain.dates import day_text
from mentordesk.domain.health import Health, Level
from mentordesk.services.mentee_rows import MenteeRow
from mentordesk.ui.filter_tokens import TokenFilterProxy
from mentordesk.ui.i18n import tr

ModelIndex = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()

COL_NAME, COL_HEALTH, COL_LOCAL, COL_NEXT, COL_LAST, COL_TAGS = range(6)
HEADERS = ("Name", "Health", "Local time", "Next session", "Last session", "Tags")
FETCH_BATCH = 400
# Most urgent first (services/mentee_rows.py hands rows out in this order).
DEFAULT_SORT = (COL_HEALTH, Qt.SortOrder.AscendingOrder)
_COLUMNS = len(HEADERS)

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
URGENCY_ROLE = Qt.ItemDataRole.UserRole + 3
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)
_ANSWERED = frozenset({_DISPLAY, _DECORATION, _TOOLTIP, _ACCESSIBLE, int(ID_ROLE),
                       int(SEARCH_ROLE), int(URGENCY_ROLE)})

# Semantic colours for health; mid-tones that read on light and dark palettes alike.
HEALTH_COLOURS = {Level.GREEN: "#2e9d57", Level.AMBER: "#d9951c", Level.RED: "#d64545"}
SNOOZED_COLOUR = "#8a8f98"
# Someone not met yet (and not due yet): neither good nor bad, so no traffic-light colour.
NOT_MET_COLOUR = "#5b8fd6"


def health_colour(health: Health) -> str:
    """The colour of a health state (dot and text), one rule for every view."""
    if health.snoozed:
        return SNOOZED_COLOUR
    if health.not_met_yet:
        return NOT_MET_COLOUR
    return HEALTH_COLOURS[health.level]


def health_icon(colour: str, hollow: bool = False) -> QPixmap:
    """A dot drawn once; a QPixmap (not a QIcon) is painted as is, with no scaling per cell."""
    pixmap = QPixmap(16, 16)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = painter.pen()
    pen.setColor(QColor(colour))
    pen.setWidthF(2.0)
    painter.setPen(pen)
    if not hollow:
        painter.setBrush(QColor(colour))
    painter.drawEllipse(3, 3, 10, 10)
    painter.end()
    return pixmap


@cache
def cached_zone(name: str) -> tzinfo:
    """ZoneInfo keeps only a few zones in its strong cache; a table of 10,000 mentees in
    dozens of zones would reload zone files from disk while painting and sorting."""
    try:
        return timezones.zone(name)
    except ValueError:
        return UTC


def offset_minutes(zone_name: str, at: datetime) -> int:
    offset = at.astimezone(cached_zone(zone_name)).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def format_when(instant: datetime | None, now: datetime, zone_name: str) -> str:
    """'Today 14:00', 'Tomorrow 09:30', 'Wed 26 Nov 17:00' (with the year when it is not
    this one) in ``zone_name``."""
    if instant is None:
        return ""
    zone = cached_zone(zone_name)
    local = instant.astimezone(zone)
    today = now.astimezone(zone).date()
    if local.date() == today:
        day = "Today"
    elif local.date() == today + timedelta(days=1):
        day = "Tomorrow"
    elif local.date() == today - timedelta(days=1):
        day = "Yesterday"
    else:
        day = day_text(local.date(), today)
    return f"{day} {local:%H:%M}"


def days_ago(instant: datetime | None, now: datetime) -> str:
    if instant is None:
        return "Never"
    days = (now - instant).days
    if days <= 0:
        return "Today"
    if days == 1:
        return "Yesterday"
    if days < 60:
        return tr("%n day(s) ago", "", days)
    return tr("%n month(s) ago", "", days // 30)


class MenteeTableModel(QAbstractTableModel):
    """All mentee rows in memory, exposed to views in batches, sorted in Python."""

    sort_started = Signal()
    sort_done = Signal()

    def __init__(self, parent: QObject | None = None, *, mentor_zone: str | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(parent)
        self._rows: list[MenteeRow] = []
        self._exposed = 0
        self._row_of: dict[int, int] = {}
        self._sort_column, self._sort_order = DEFAULT_SORT
        self.mentor_zone = mentor_zone or timezones.mentor_zone()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._now = self._clock()
        self._local_cache: dict[str, str] = {}
        self._display_cache: dict[tuple[int, int], str] = {}
        # False once a row changed in place: the same sort must then really run again.
        self._in_order = False
        self._icons = {level: health_icon(c) for level, c in HEALTH_COLOURS.items()}
        self._icons_hollow = {level: health_icon(c, hollow=True)
                              for level, c in HEALTH_COLOURS.items()}
        self._snoozed_icon = health_icon(SNOOZED_COLOUR, hollow=True)
        self._not_met_icons = (health_icon(NOT_MET_COLOUR), health_icon(NOT_MET_COLOUR,
                                                                        hollow=True))
        # The "local time now" column ticks on the minute.
        self._ticker = QTimer(self)
        self._ticker.setSingleShot(True)
        self._ticker.timeout.connect(self.tick)
        self._schedule_tick()

    # -- loading -------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[MenteeRow], *, keep_exposed: bool = True,
                 in_default_order: bool = False) -> None:
        """Replace every row (after a reload); keeps as many rows exposed as before.

        ``in_default_order``: the rows come straight from the service, which hands them
        out in the table's default order, so if that is the current order there is nothing
        to sort (building 10,000 sort keys costs ~10 ms of the start-up)."""
        wanted = max(self._exposed, FETCH_BATCH) if keep_exposed else FETCH_BATCH
        self.beginResetModel()
        self._now = self._clock()
        self._local_cache.clear()
        self._display_cache.clear()
        self._rows = list(rows)
        if in_default_order and self.sort_state() == DEFAULT_SORT:
            self._reindex()
            self._in_order = True
        else:
            self._sort_rows()
        self._exposed = min(len(self._rows), wanted)
        self.endResetModel()

    def all_rows(self) -> list[MenteeRow]:
        return list(self._rows)

    def total(self) -> int:
        return len(self._rows)

    def row_for_id(self, mentee_id: int) -> int | None:
        """Source row of a mentee, exposing rows up to it if needed."""
        row = self._row_of.get(mentee_id)
        if row is None:
            return None
        if row >= self._exposed:
            self._expose(row + 1)
        return row

    def mentee(self, row: int) -> MenteeRow | None:
        return self._rows[row] if 0 <= row < self._exposed else None

    def upsert(self, row: MenteeRow) -> None:
        """One mentee changed (or appeared): update it in place without a reset."""
        existing = self._row_of.get(row.id)
        if existing is None:
            # New mentees show at the top, where the mentor is looking, until the next sort.
            at = 0
            self._in_order = False
            self.beginInsertRows(QModelIndex(), at, at)
            self._rows.insert(at, row)
            self._exposed += 1
            self._reindex()
            self.endInsertRows()
            return
        old = self._rows[existing]
        self._forget(row.id)
        self._in_order = False
        if existing < self._exposed and (old.archived != row.archived
                                         or old.search_key != row.search_key):
            # What the filter reads changed: remove and insert so proxies filter it again.
            self.beginRemoveRows(QModelIndex(), existing, existing)
            del self._rows[existing]
            self._exposed -= 1
            self.endRemoveRows()
            self.beginInsertRows(QModelIndex(), existing, existing)
            self._rows.insert(existing, row)
            self._exposed += 1
            self.endInsertRows()
            return
        self._rows[existing] = row
        if existing < self._exposed:
            self.dataChanged.emit(self.index(existing, 0),
                                  self.index(existing, len(HEADERS) - 1))

    def remove_id(self, mentee_id: int) -> None:
        row = self._row_of.get(mentee_id)
        if row is None:
            return
        if row < self._exposed:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self._exposed -= 1
            self._reindex()
            self.endRemoveRows()
        else:
            del self._rows[row]
            self._reindex()

    # -- lazy fetching -------------------------------------------------------------------
    def canFetchMore(self, parent: ModelIndex = _ROOT) -> bool:
        return not parent.isValid() and self._exposed < len(self._rows)

    def fetchMore(self, parent: ModelIndex = _ROOT) -> None:
        if parent.isValid():
            return
        self._expose(self._exposed + FETCH_BATCH)

    def shrink_exposure(self, count: int = FETCH_BATCH) -> None:
        """Hide all but the first ``count`` rows again (one contiguous removal, cheap for the
        proxy): a new filter then tests only these, and views fetch more as they need."""
        if self._exposed <= count:
            return
        self.beginRemoveRows(QModelIndex(), count, self._exposed - 1)
        self._exposed = count
        self.endRemoveRows()

    def is_exposed(self, mentee_id: int) -> bool:
        row = self._row_of.get(mentee_id)
        return row is not None and row < self._exposed

    def fetch_all(self) -> None:
        self._expose(len(self._rows))

    def _expose(self, count: int) -> None:
        count = min(count, len(self._rows))
        if count <= self._exposed:
            return
        self.beginInsertRows(QModelIndex(), self._exposed, count - 1)
        self._exposed = count
        self.endInsertRows()

    # -- the table -----------------------------------------------------------------------
    def index(self, row: int, column: int, parent: ModelIndex = _ROOT) -> QModelIndex:
        # The base class asks rowCount() and columnCount() (two calls into Python) for every
        # index the proxy maps while painting; one bounds check here is half the cost.
        if 0 <= row < self._exposed and 0 <= column < _COLUMNS and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def rowCount(self, parent: ModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else self._exposed

    def columnCount(self, parent: ModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(HEADERS):
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[section]
            if role == Qt.ItemDataRole.ToolTipRole and section == COL_LOCAL:
                return "Their clock now, and how far ahead (+) or behind (−) yours it is"
        return None

    def data(self, index: ModelIndex, role: int = _DISPLAY) -> Any:
        if role not in _ANSWERED:
            return None
        r = index.row()
        if r < 0 or r >= self._exposed:
            return None
        return self._value(self._rows[r], index.column(), role)

    def multiData(self, index: ModelIndex, span: Any) -> None:
        """Every role a delegate needs for a cell in one call (data() would be called about
        eight times per cell on each paint, each a trip from C++ into Python)."""
        r = index.row()
        if r < 0 or r >= self._exposed:
            return
        row = self._rows[r]
        col = index.column()
        for item in span:
            role = item.role()
            if role in _ANSWERED:
                item.setData(self._value(row, col, role))

    def _value(self, row: MenteeRow, col: int, role: int) -> Any:
        if role == _DISPLAY:
            key = (row.id, col)
            text = self._display_cache.get(key)
            if text is None:
                text = self._display(row, col)
                self._display_cache[key] = text
            return text
        if role == _DECORATION:
            if col != COL_HEALTH:
                return None
            if row.health.snoozed:
                return self._snoozed_icon
            if row.health.not_met_yet:
                return self._not_met_icons[row.health.nothing_scheduled]
            icons = self._icons_hollow if row.health.nothing_scheduled else self._icons
            return icons[row.health.level]
        if role == _TOOLTIP:
            return self._tooltip(row, col)
        if role == ID_ROLE:
            return row.id
        if role == SEARCH_ROLE:
            return row.search_key
        if role == URGENCY_ROLE:
            return row.health.urgency
        if col == COL_HEALTH:  # accessible text
            return row.health.label()
        return self._display(row, col)

    def _display(self, row: MenteeRow, col: int) -> str:
        if col == COL_NAME:
            return row.name + ("  (archived)" if row.archived else "")
        if col == COL_HEALTH:
            # "Nothing scheduled" is its own mark: a hollow dot here, words in Next session.
            return row.health.word()
        if col == COL_LOCAL:
            return self._local_time(row.timezone)
        if col == COL_NEXT:
            return (format_when(row.next_session, self._now, self.mentor_zone)
                    or "Nothing scheduled")
        if col == COL_LAST:
            return days_ago(row.last_held, self._now)
        if col == COL_TAGS:
            return ", ".join(row.tags)
        return ""

    def _tooltip(self, row: MenteeRow, col: int) -> str:
        if col == COL_HEALTH:
            return (f"{row.health.label()}\nTarget gap "
                    + tr("%n day(s)", "", row.target_gap_days) + ", maximum "
                    + tr("%n day(s)", "", row.max_gap_days)
                    + f" ({row.cadence.label().lower()})")
        if col == COL_LOCAL:
            if not timezones.is_valid_zone(row.timezone):
                return f"Unknown time zone '{row.timezone}': shown as UTC. Edit to fix."
            return timezones.zone_label(row.timezone, self._clock())
        if col == COL_LAST and row.last_held is not None:
            return format_when(row.last_held, self._now, self.mentor_zone)
        if col == COL_NEXT and row.next_session is not None:
            local = format_when(row.next_session, self._now, row.timezone)
            return f"{local} in {timezones.city(row.timezone)}"
        if col == COL_NAME:
            return row.email
        return ""

    def _local_time(self, zone_name: str) -> str:
        cached = self._local_cache.get(zone_name)
        if cached is not None:
            return cached
        now = self._clock()
        if not timezones.is_valid_zone(zone_name):
            # Not a UTC clock passed off as theirs: say so (the tooltip says how to fix it).
            self._local_cache[zone_name] = "Unknown zone"
            return "Unknown zone"
        local = now.astimezone(cached_zone(zone_name))
        delta = offset_minutes(zone_name, now) - offset_minutes(self.mentor_zone, now)
        offset = timezones.format_offset(timedelta(minutes=delta)) + " h" if delta else "±0 h"
        text = f"{local:%H:%M}  ({offset})"
        self._local_cache[zone_name] = text
        return text

    # -- the live clock ------------------------------------------------------------------
    def _schedule_tick(self) -> None:
        now = self._clock()
        self._ticker.start(max(200, (60 - now.second) * 1000 - now.microsecond // 1000))

    def _forget(self, mentee_id: int) -> None:
        for col in range(len(HEADERS)):
            self._display_cache.pop((mentee_id, col), None)

    def tick(self) -> None:
        """A new minute: only the local-time column changes (and "Today" may roll over)."""
        self._local_cache.clear()
        self._display_cache.clear()
        self._now = self._clock()
        if self._exposed:
            self.dataChanged.emit(self.index(0, COL_LOCAL),
                                  self.index(self._exposed - 1, COL_LOCAL),
                                  [Qt.ItemDataRole.DisplayRole])
        self._schedule_tick()

    # -- sorting -------------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(HEADERS):
            return
        if (column, order) == (self._sort_column, self._sort_order) and self._in_order:
            return  # the header and the view both ask; the rows are already in this order
        # After a sort the mentor looks at the top: back to one batch of rows, so proxies
        # re-filter 400 rows, not 10,000. Views keep their selection through sort_done.
        self.sort_started.emit()
        self.shrink_exposure(FETCH_BATCH)
        self.layoutAboutToBeChanged.emit()
        old_ids = {}
        persistent = self.persistentIndexList()
        for idx in persistent:
            if idx.isValid():
                old_ids[(idx.row(), idx.column())] = self._rows[idx.row()].id
        self._sort_column, self._sort_order = column, order
        self._sort_rows()
        new_list = []
        for idx in persistent:
            mentee_id = old_ids.get((idx.row(), idx.column()))
            row = self._row_of.get(mentee_id) if mentee_id is not None else None
            if row is None or row >= self._exposed:
                new_list.append(QModelIndex())
            else:
                new_list.append(self.index(row, idx.column()))
        self.changePersistentIndexList(persistent, new_list)
        self.layoutChanged.emit()
        self.sort_done.emit()

    def sort_state(self) -> tuple[int, Qt.SortOrder]:
        return self._sort_column, self._sort_order

    def _sort_rows(self) -> None:
        key = _SORT_KEYS[self._sort_column]
        # Ties always read A→Z: the search key starts with the lower-case name.
        if self._sort_order == Qt.SortOrder.AscendingOrder:
            # One pass: rows from the service already come in the default order (most
            # urgent first, then by search key and id), which Python's sort checks in O(n).
            self._rows.sort(key=lambda r: (key(r), r.search_key, r.id))
        else:
            self._rows.sort(key=lambda r: (r.search_key, r.id))
            self._rows.sort(key=key, reverse=True)
        self._reindex()
        self._in_order = True

    def _reindex(self) -> None:
        self._row_of = {r.id: i for i, r in enumerate(self._rows)}


def _none_last(value: datetime | None) -> tuple[bool, float]:
    return (value is None, value.timestamp() if value is not None else 0.0)


_SORT_KEYS: dict[int, Callable[[MenteeRow], Any]] = {
    COL_NAME: lambda r: r.search_key,
    COL_HEALTH: lambda r: -r.health.urgency,
    COL_LOCAL: lambda r: offset_minutes(r.timezone, datetime.now(UTC)),
    COL_NEXT: lambda r: _none_last(r.next_session),
    COL_LAST: lambda r: r.last_held.timestamp() if r.last_held is not None else float("-inf"),
    COL_TAGS: lambda r: (not r.tags, ", ".join(r.tags).casefold()),
}


class MenteeFilterProxy(TokenFilterProxy):
    """Type-to-filter over name, email and tags, and hiding archived mentees.

    Sorting is forwarded to the source (it sorts all rows, fetched or not, in one pass);
    this proxy keeps the source order and only filters.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.show_archived = False
        self._source: MenteeTableModel | None = None

    def setSourceModel(self, model: Any) -> None:
        self._source = model if isinstance(model, MenteeTableModel) else None
        super().setSourceModel(model)

    def set_show_archived(self, show: bool) -> None:
        if show == self.show_archived:
            return
        self.beginFilterChange()
        self.show_archived = show
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        source = self._source
        if source is None:
            return True
        row = source._rows[source_row]
        if row.archived and not self.show_archived:
            return False
        return self.matches(row.search_key)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if self._source is not None:
            self._source.sort(column, order)

    def multiData(self, index: ModelIndex, span: Any) -> None:
        # QSortFilterProxyModel answers multiData role by role through data(); passing the
        # whole span on is one call into the source per painted cell.
        if self._source is not None and index.isValid():
            self._source.multiData(self.mapToSource(index), span)

    def mentee_id(self, index: QModelIndex) -> int | None:
        if not index.isValid():
            return None
        value = self.data(index, ID_ROLE)
        return int(value) if value is not None else None

    def index_of(self, mentee_id: int) -> QModelIndex:
        if self._source is None:
            return QModelIndex()
        row = self._source.row_for_id(mentee_id)
        if row is None:
            return QModelIndex()
        return self.mapFromSource(self._source.index(row, 0))


def matching_ids(rows: Iterable[MenteeRow], text: str) -> list[int]:
    """The ids a filter text matches (what the proxy shows once everything is fetched)."""
    tokens = text.casefold().split()
    return [r.id for r in rows if all(t in r.search_key for t in tokens)]
