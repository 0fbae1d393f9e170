"""Qt models of the Goal board: one list model per column, a filter proxy per column view.

A model per column (rather than one big model sorted by proxies) makes a move between
columns one row removed here and one inserted there: the proxies update incrementally and
nothing is re-sorted, which keeps a drag smooth at 2,000 goals. Order within a column is the
order of the model's list, the same order the database gives by position.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)

from mentordesk.services.goals import BoardCard, ColumnInfo
from mentordesk.ui.i18n import tr

GOAL_MIME = "application/x-mentordesk-goal-ids"
CardRole = Qt.ItemDataRole.UserRole + 1
GoalIdRole = Qt.ItemDataRole.UserRole + 2
FinishedRole = Qt.ItemDataRole.UserRole + 3

AnyIndex = QModelIndex | QPersistentModelIndex
# goal ids, target column id, the goal to land before (None: the end of the column)
DropHandler = Callable[[list[int], int, int | None], None]


def encode_goal_ids(ids: Sequence[int]) -> QMimeData:
    data = QMimeData()
    data.setData(GOAL_MIME, json.dumps(list(ids)).encode("ascii"))
    text = ", ".join(str(i) for i in ids)
    data.setText(f"goal {text}")
    return data


def decode_goal_ids(data: QMimeData) -> list[int]:
    if not data.hasFormat(GOAL_MIME):
        return []
    try:
        raw = json.loads(bytes(data.data(GOAL_MIME).data()).decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        return []
    return [int(x) for x in raw if isinstance(x, int)] if isinstance(raw, list) else []


def card_summary(card: BoardCard, *, finished: bool, today: date) -> str:
    """The card as one sentence, for screen readers and tooltips."""
    parts = [f"{card.title}, for {card.mentee_name}"]
    if card.target:
        parts.append(f"target {card.target}")
    parts.append(card.progress.label)
    if card.due_date is not None:
        late = not finished and card.due_date < today
        parts.append(("overdue since " if late else "due ") + card.due_date.isoformat())
    if card.open_actions:
        parts.append(tr("%n open action item(s)", "", card.open_actions))
    return "; ".join(parts)


class ColumnModel(QAbstractListModel):
    """The cards of one board column, in board order."""

    def __init__(self, column: ColumnInfo, on_drop: DropHandler,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.column = column
        self._cards: list[BoardCard] = []
        self._on_drop = on_drop

    # -- reading -----------------------------------------------------------------------
    @property
    def cards(self) -> Sequence[BoardCard]:
        return self._cards

    def card(self, row: int) -> BoardCard:
        return self._cards[row]

    def row_of(self, goal_id: int) -> int | None:
        for row, card in enumerate(self._cards):
            if card.id == goal_id:
                return row
        return None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cards)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._cards):
            return None
        card = self._cards[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return card.title
        if role == CardRole:
            return card
        if role == GoalIdRole:
            return card.id
        if role == FinishedRole:
            return self.column.is_done
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return card_summary(card, finished=self.column.is_done, today=date.today())
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            # Drops land between cards, never onto one.
            return Qt.ItemFlag.ItemIsDropEnabled
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemNeverHasChildren)

    # -- drag and drop -----------------------------------------------------------------
    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [GOAL_MIME]

    def mimeData(self, indexes: Iterable[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        return encode_goal_ids([self._cards[r].id for r in rows])

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int,
                        column: int, parent: AnyIndex) -> bool:
        return action == Qt.DropAction.MoveAction and bool(decode_goal_ids(data))

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: AnyIndex) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        ids = decode_goal_ids(data)
        if action != Qt.DropAction.MoveAction or not ids:
            return False
        if parent.isValid():
            row = parent.row()
        before = self._cards[row].id if 0 <= row < len(self._cards) else None
        # The move goes through an undo command, which updates this model when it is done;
        # the view must not remove the dragged rows itself (removeRows is not supported).
        self._on_drop(ids, self.column.id, before)
        return True

    # -- changes (called by the board after the database agreed) ----------------------
    def reset(self, cards: Iterable[BoardCard]) -> None:
        self.beginResetModel()
        self._cards = list(cards)
        self.endResetModel()

    def set_column(self, column: ColumnInfo) -> None:
        self.column = column
        if self._cards:
            self.dataChanged.emit(self.index(0), self.index(len(self._cards) - 1),
                                  [FinishedRole, Qt.ItemDataRole.ToolTipRole])

    def insert_card(self, row: int, card: BoardCard) -> None:
        row = max(0, min(row, len(self._cards)))
        self.beginInsertRows(QModelIndex(), row, row)
        self._cards.insert(row, card)
        self.endInsertRows()

    def take_card(self, row: int) -> BoardCard:
        self.beginRemoveRows(QModelIndex(), row, row)
        card = self._cards.pop(row)
        self.endRemoveRows()
        return card

    def move_card(self, row: int, before_row: int) -> None:
        """Move the card at ``row`` to just before ``before_row`` (len: to the end)."""
        if before_row in (row, row + 1):
            return
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), before_row)
        card = self._cards.pop(row)
        self._cards.insert(before_row - 1 if before_row > row else before_row, card)
        self.endMoveRows()

    def replace_card(self, card: BoardCard) -> None:
        row = self.row_of(card.id)
        if row is None:
            return
        self._cards[row] = card
        index = self.index(row)
        self.dataChanged.emit(index, index)


class CardFilterProxy(QSortFilterProxyModel):
    """Shows the cards of one mentee or tag, or all, narrowed by typed text.

    It never sorts: the column's order is the board's order.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._mentee_ids: frozenset[int] | None = None
        self._text = ""

    def set_filter(self, mentee_ids: frozenset[int] | None, text: str) -> None:
        text = text.strip().casefold()
        if mentee_ids == self._mentee_ids and text == self._text:
            return
        self.beginFilterChange()
        self._mentee_ids = mentee_ids
        self._text = text
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        source = self.sourceModel()
        if not isinstance(source, ColumnModel):
            return True
        card = source.card(source_row)
        if self._mentee_ids is not None and card.mentee_id not in self._mentee_ids:
            return False
        if self._text:
            hay = f"{card.title}\n{card.mentee_name}\n{card.target}".casefold()
            return all(word in hay for word in self._text.split())
        return True

    def card(self, row: int) -> BoardCard:
        source = self.sourceModel()
        assert isinstance(source, ColumnModel)
        return source.card(self.mapToSource(self.index(row, 0)).row())

    def row_of(self, goal_id: int) -> int | None:
        source = self.sourceModel()
        assert isinstance(source, ColumnModel)
        row = source.row_of(goal_id)
        if row is None:
            return None
        mapped = self.mapFromSource(source.index(row))
        return mapped.row() if mapped.isValid() else None


class Board(QObject):
    """The board's columns and their models; the one place cards change in the UI."""

    columns_changed = Signal()
    counts_changed = Signal()

    def __init__(self, on_drop: DropHandler, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_drop = on_drop
        self.columns: list[ColumnInfo] = []
        self.models: dict[int, ColumnModel] = {}

    def model(self, column_id: int) -> ColumnModel | None:
        return self.models.get(column_id)

    def column_index(self, column_id: int) -> int | None:
        for i, c in enumerate(self.columns):
            if c.id == column_id:
                return i
        return None

    def total(self) -> int:
        return sum(m.rowCount() for m in self.models.values())

    def locate(self, goal_id: int) -> tuple[ColumnModel, int] | None:
        for model in self.models.values():
            row = model.row_of(goal_id)
            if row is not None:
                return model, row
        return None

    def load(self, columns: Sequence[ColumnInfo], cards: Iterable[BoardCard]) -> None:
        by_column: dict[int, list[BoardCard]] = {c.id: [] for c in columns}
        for card in cards:
            by_column.setdefault(card.column_id, []).append(card)
        structure_changed = [c.id for c in columns] != [c.id for c in self.columns]
        self.set_columns(columns)
        for column in columns:
            self.models[column.id].reset(by_column.get(column.id, []))
        if not structure_changed:
            self.counts_changed.emit()

    def set_columns(self, columns: Sequence[ColumnInfo]) -> None:
        """Adopt a new column list, keeping the models (and their views) of columns that
        stay."""
        old_ids = [c.id for c in self.columns]
        kept: dict[int, ColumnModel] = {}
        for column in columns:
            model = self.models.get(column.id)
            if model is None:
                model = ColumnModel(column, self._on_drop, self)
            else:
                model.set_column(column)
            kept[column.id] = model
        for column_id, model in self.models.items():
            if column_id not in kept:
                model.deleteLater()
        self.models = kept
        self.columns = list(columns)
        if [c.id for c in columns] != old_ids:
            self.columns_changed.emit()
        else:
            self.counts_changed.emit()

    def rename_column(self, column_id: int, name: str) -> None:
        self.set_columns([
            ColumnInfo(c.id, name, c.position, c.status_key) if c.id == column_id else c
            for c in self.columns])

    def place(self, card: BoardCard, before_id: int | None) -> None:
        """Show ``card`` in its column right before ``before_id`` (None: at the end),
        taking it out of wherever it was."""
        target = self.models.get(card.column_id)
        found = self.locate(card.id)
        if target is None:
            if found is not None:
                found[0].take_card(found[1])
                self.counts_changed.emit()
            return
        before_row = target.row_of(before_id) if before_id is not None else None
        if found is not None and found[0] is target:
            target.move_card(found[1], before_row if before_row is not None
                             else target.rowCount())
            target.replace_card(card)
            return
        if found is not None:
            found[0].take_card(found[1])
        target.insert_card(before_row if before_row is not None else target.rowCount(), card)
        self.counts_changed.emit()

    def remove(self, goal_id: int) -> None:
        found = self.locate(goal_id)
        if found is not None:
            found[0].take_card(found[1])
            self.counts_changed.emit()

    def update(self, card: BoardCard) -> None:
        found = self.locate(card.id)
        if found is not None:
            found[0].replace_card(card)
