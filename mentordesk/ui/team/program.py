"""The coordinator's Program view: every mentor's mentees, their health, last and next
session and goal progress, sortable and filterable at 10,000 rows.

As in the Mentees table, the source sorts all rows itself on precomputed keys (one Python
sort, no ``lessThan`` per comparison) and the proxy only filters on a lower-cased key, so a
keystroke costs a substring test per row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mentordesk.domain.dates import day_text
from mentordesk.team.program import ProgramRow
from mentordesk.ui.context import AppContext
from mentordesk.ui.filter_tokens import TokenFilterProxy
from mentordesk.ui.i18n import tr
from mentordesk.ui.mentees.model import health_colour
from mentordesk.ui.tasks import TaskControl, run_task
from mentordesk.ui.view_page import ViewPage

ModelIndex = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()

COL_NAME, COL_MENTOR, COL_HEALTH, COL_LAST, COL_NEXT, COL_GOALS, COL_CADENCE = range(7)
HEADERS = ("Mentee", "Mentor", "Health", "Last session", "Next session", "Goals", "Cadence")
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1
REFRESH_MS = 5 * 60 * 1000
_FAR = datetime.max.replace(tzinfo=UTC)


def _when(value: datetime | None) -> str:
    if value is None:
        return "—"
    local = value.astimezone()
    return day_text(local.date(), datetime.now(UTC).astimezone().date())


def _health_text(row: ProgramRow) -> str:
    return row.health.word()


_SORT_KEYS: dict[int, Callable[[ProgramRow], Any]] = {
    COL_NAME: lambda r: (r.name.casefold(), r.uid),
    COL_MENTOR: lambda r: (r.mentor.casefold(), r.name.casefold()),
    COL_HEALTH: lambda r: (-r.health.urgency, r.name.casefold()),
    COL_LAST: lambda r: (r.last_held or _FAR, r.name.casefold()),
    COL_NEXT: lambda r: (r.next_session or _FAR, r.name.casefold()),
    COL_GOALS: lambda r: (r.progress, r.goals, r.name.casefold()),
    COL_CADENCE: lambda r: (r.cadence, r.name.casefold()),
}


class ProgramModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ProgramRow] = []
        # Each row's search key, kept in row order before any signal goes out, so the
        # proxy's filter (10,000 tests per keystroke) reads a plain list.
        self.keys: list[str] = []

    def set_rows(self, rows: Sequence[ProgramRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.keys = [r.search_key for r in self._rows]
        self.endResetModel()

    def row_at(self, row: int) -> ProgramRow:
        return self._rows[row]

    def rowCount(self, parent: ModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(HEADERS):
            return HEADERS[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == SEARCH_ROLE:
            return row.search_key
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_HEALTH:
            return QColor(health_colour(row.health))
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_HEALTH:
            return row.health.label()
        return None

    @staticmethod
    def _text(row: ProgramRow, column: int) -> str:
        if column == COL_NAME:
            return row.name + (" (archived)" if row.archived else "")
        if column == COL_MENTOR:
            return row.mentor
        if column == COL_HEALTH:
            return _health_text(row)
        if column == COL_LAST:
            return _when(row.last_held)
        if column == COL_NEXT:
            return _when(row.next_session) if row.next_session else "Nothing scheduled"
        if column == COL_GOALS:
            if not row.goals:
                return "No goals"
            return f"{row.goals_done} of {row.goals} done ({round(100 * row.progress)} %)"
        return row.cadence

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = _SORT_KEYS.get(column)
        if key is None:
            return
        self.layoutAboutToBeChanged.emit()
        self._rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self.keys = [r.search_key for r in self._rows]
        self.layoutChanged.emit()


class ProgramProxy(TokenFilterProxy):
    """Filters on mentee and mentor name; sorting is the source's (see module doc)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._program: ProgramModel | None = None

    def setSourceModel(self, model: Any) -> None:
        self._program = model if isinstance(model, ProgramModel) else None
        super().setSourceModel(model)

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        return self._program is None or self.matches(self._program.keys[source_row])

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if isinstance(source, ProgramModel):
            source.sort(column, order)
            self.invalidate()


class ProgramView(ViewPage):
    """Every mentor's mentees, for a program's coordinator (read from the team's server)."""

    view_id = "program"
    title = "Program"
    icon_name = "mentees"

    def __init__(self, context: AppContext, parent: QWidget | None = None,
                 loader: Callable[[], list[ProgramRow]] | None = None) -> None:
        super().__init__(context, parent)
        self._loader = loader or self._load_from_server
        self.model = ProgramModel(self)
        self.proxy = ProgramProxy(self)
        self.proxy.setSourceModel(self.model)
        layout = QVBoxLayout(self)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by mentee or mentor")
        self.filter_edit.setAccessibleName("Filter the program")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.proxy.set_filter_text)
        layout.addWidget(self.filter_edit)
        self.summary = QLabel()
        self.summary.setAccessibleName("Program summary")
        layout.addWidget(self.summary)
        self.stack = QStackedWidget()
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setAccessibleName("Program: every mentor's mentees")
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        rows = self.table.verticalHeader()
        rows.setVisible(False)
        # One fixed height: the view never measures 10,000 rows to lay them out.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)
        self.table.setColumnWidth(COL_NAME, 180)
        self.table.setColumnWidth(COL_MENTOR, 140)
        self.table.setColumnWidth(COL_NEXT, 140)
        self.table.setColumnWidth(COL_GOALS, 170)
        # Most urgent first, as in the Mentees view.
        self.table.horizontalHeader().setSortIndicator(COL_HEALTH,
                                                       Qt.SortOrder.AscendingOrder)
        self.message = QLabel("Loading the program…")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setProperty("role", "subtitle")
        self.stack.addWidget(self.message)
        self.stack.addWidget(self.table)
        layout.addWidget(self.stack, 1)
        self.refresh_action = QAction("&Refresh Program", self)
        # F5 is Sync with Google Calendar; Ctrl+R is "reload" in browsers and file managers.
        self.refresh_action.setShortcuts([QKeySequence("Ctrl+R")])
        self.refresh_action.triggered.connect(self.refresh)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def menu_actions(self) -> dict[str, list[QAction]]:
        return {"&View": [self.refresh_action]}

    def focus_filter(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def _load_from_server(self) -> list[ProgramRow]:
        from mentordesk.team.program import load_program

        return load_program(self.context.db)

    def refresh(self) -> None:
        loader = self._loader

        def work(_control: TaskControl) -> list[ProgramRow]:
            return loader()

        run_task(work, on_success=self._show, on_error=self._failed)

    def _show(self, rows: list[ProgramRow]) -> None:
        header = self.table.horizontalHeader()
        self.model.set_rows(rows)
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self.proxy.invalidate()
        red = sum(1 for r in rows if r.health.level.name == "RED" and not r.health.snoozed)
        mentors = len({r.mentor for r in rows})
        self.summary.setText(", ".join((tr("%n mentee(s)", "", len(rows)),
                                         tr("%n mentor(s)", "", mentors), f"{red} overdue")))
        if rows:
            self.stack.setCurrentWidget(self.table)
        else:
            self.message.setText("No mentees in the program yet. They appear here as "
                                 "mentors' desks join the team.")
            self.stack.setCurrentWidget(self.message)
        self.ready.emit()

    def _failed(self, exc: BaseException) -> None:
        from mentordesk.errors import KnownError

        text = str(exc) if isinstance(exc, KnownError) else (
            f"The program could not be loaded ({type(exc).__name__}); details are in the log.")
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)
