"""Models behind the goal editor: the milestone checklist, the links, the goal's story.

The editor works on a draft: these models hold it until Save, which writes it in one
undoable step.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from mentordesk.services.goals import LinkDraft, MilestoneDraft, StoryEvent

AnyIndex = QModelIndex | QPersistentModelIndex
EventRole = Qt.ItemDataRole.UserRole + 1


class MilestonesModel(QAbstractListModel):
    """A reorderable checklist. ``all_done`` fires when the last open milestone is ticked."""

    all_done = Signal()
    changed = Signal()

    def __init__(self, items: Iterable[MilestoneDraft] = (),
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[MilestoneDraft] = list(items)

    @property
    def items(self) -> tuple[MilestoneDraft, ...]:
        return tuple(self._items)

    def done_count(self) -> int:
        return sum(1 for m in self._items if m.done)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return item.title
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if item.done else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{item.title}, {'done' if item.done else 'open'}"
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsUserCheckable
                | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemNeverHasChildren)

    def setData(self, index: AnyIndex, value: object,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return False
        row = index.row()
        item = self._items[row]
        if role == Qt.ItemDataRole.EditRole:
            text = str(value).strip()
            if not text:
                return False
            self._items[row] = replace(item, title=text)
        elif role == Qt.ItemDataRole.CheckStateRole:
            checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2, True)
            if checked == item.done:
                return True
            was_open = sum(1 for m in self._items if not m.done)
            self._items[row] = replace(item, done=checked, done_at=None)
            self.dataChanged.emit(index, index)
            self.changed.emit()
            if checked and was_open == 1:
                self.all_done.emit()
            return True
        else:
            return False
        self.dataChanged.emit(index, index)
        self.changed.emit()
        return True

    def add(self, title: str, row: int | None = None) -> int:
        row = len(self._items) if row is None else max(0, min(row, len(self._items)))
        self.beginInsertRows(QModelIndex(), row, row)
        self._items.insert(row, MilestoneDraft(title))
        self.endInsertRows()
        self.changed.emit()
        return row

    def removeRows(self, row: int, count: int,
                   parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or row < 0 or count < 1 or row + count > len(self._items):
            return False
        self.beginRemoveRows(QModelIndex(), row, row + count - 1)
        del self._items[row:row + count]
        self.endRemoveRows()
        self.changed.emit()
        return True

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def moveRows(self, source_parent: AnyIndex, source_row: int, count: int,
                 destination_parent: AnyIndex, destination_child: int) -> bool:
        if (source_parent.isValid() or destination_parent.isValid() or count < 1
                or source_row < 0 or source_row + count > len(self._items)
                or not 0 <= destination_child <= len(self._items)
                or source_row <= destination_child <= source_row + count):
            return False
        self.beginMoveRows(QModelIndex(), source_row, source_row + count - 1,
                           QModelIndex(), destination_child)
        block = self._items[source_row:source_row + count]
        del self._items[source_row:source_row + count]
        at = destination_child - count if destination_child > source_row else destination_child
        self._items[at:at] = block
        self.endMoveRows()
        self.changed.emit()
        return True


class LinksModel(QAbstractTableModel):
    """Links to resources (a shared doc, a portfolio): title and URL, both editable."""

    HEADERS = ("Title", "Link")

    def __init__(self, items: Iterable[LinkDraft] = (), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[LinkDraft] = list(items)

    @property
    def items(self) -> tuple[LinkDraft, ...]:
        return tuple(self._items)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole,
                    Qt.ItemDataRole.ToolTipRole):
            return item.title if index.column() == 0 else item.url
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < 2):
            return self.HEADERS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemNeverHasChildren)

    def setData(self, index: AnyIndex, value: object,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        item = self._items[index.row()]
        text = str(value).strip()
        self._items[index.row()] = (replace(item, title=text) if index.column() == 0
                                    else replace(item, url=text))
        self.dataChanged.emit(index, index)
        return True

    def add(self, title: str = "", url: str = "https://") -> int:
        row = len(self._items)
        self.beginInsertRows(QModelIndex(), row, row)
        self._items.append(LinkDraft(title, url))
        self.endInsertRows()
        return row

    def removeRows(self, row: int, count: int,
                   parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or row < 0 or count < 1 or row + count > len(self._items):
            return False
        self.beginRemoveRows(QModelIndex(), row, row + count - 1)
        del self._items[row:row + count]
        self.endRemoveRows()
        return True


STORY_LABELS = {
    "created": "Goal", "completed": "Goal", "milestone": "Milestone", "session": "Session",
    "note": "Note", "action": "Action", "action_done": "Action",
}


class StoryModel(QAbstractListModel):
    """The goal's timeline: sessions, notes, action items and milestones, newest first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._events: list[StoryEvent] = []

    def set_events(self, events: Sequence[StoryEvent]) -> None:
        self.beginResetModel()
        self._events = list(events)
        self.endResetModel()

    def story_event(self, row: int) -> StoryEvent:
        return self._events[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._events)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._events):
            return None
        ev = self._events[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return ev.title
        if role == EventRole:
            return ev
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            when = ev.when.astimezone().strftime("%d %b %Y")
            extra = f": {ev.detail}" if ev.detail else ""
            private = " (private)" if ev.private else ""
            return f"{when}, {ev.title}{private}{extra}"
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren)
