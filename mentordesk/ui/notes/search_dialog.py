"""Search-as-you-type over notes, agendas, goals and mentees."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from mentordesk.errors import KnownError
from mentordesk.services.search import SearchHit, SearchService
from mentordesk.ui.i18n import tr
from mentordesk.ui.notes.models import HtmlDelegate, SearchResultsModel
from mentordesk.ui.tasks import TaskControl, run_task


class SearchDialog(QDialog):
    """Search-as-you-type over notes, agendas, goals and mentees; Enter opens the hit."""

    opened = Signal(object)

    def __init__(self, search: SearchService, display_zone: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Search notes, agendas, goals and mentees")
        self.setAccessibleName("Search")
        self.service = search
        layout = QVBoxLayout(self)
        self.field = QLineEdit()
        self.field.setPlaceholderText("Search… (words, or the start of a word)")
        self.field.setAccessibleName("Search text")
        self.field.setClearButtonEnabled(True)
        layout.addWidget(self.field)
        self.model = SearchResultsModel(self)
        self.model.display_zone = display_zone
        self.results = QListView()
        self.results.setAccessibleName("Search results")
        self.results.setModel(self.model)
        self.results.setItemDelegate(HtmlDelegate(self.results))
        self.results.setWordWrap(True)
        self.results.setAlternatingRowColors(True)
        layout.addWidget(self.results, 1)
        self.status = QLabel("Type to search.")
        self.status.setProperty("role", "subtitle")
        layout.addWidget(self.status)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self.run_query)
        self.field.textChanged.connect(lambda _t: self._timer.start())
        self.field.returnPressed.connect(self.open_current)
        self.results.activated.connect(lambda idx: self.open_row(idx.row()))
        down = QShortcut(QKeySequence("Down"), self.field)
        down.activated.connect(self._focus_results)
        self._generation = 0
        self.last_hits: list[SearchHit] = []
        self.resize(720, 560)

    def _focus_results(self) -> None:
        self.results.setFocus()
        if self.model.rowCount() and not self.results.currentIndex().isValid():
            self.results.setCurrentIndex(self.model.index(0, 0))

    def run_query(self) -> None:
        query = self.field.text()
        self._generation += 1
        generation = self._generation
        service = self.service

        def work(_control: TaskControl) -> list[SearchHit]:
            return service.search(query)

        def done(hits: list[SearchHit]) -> None:
            if generation != self._generation:
                return  # an older query answered after a newer one was typed
            self.show_hits(hits, query)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.status.setText(str(exc) if isinstance(exc, KnownError)
                                    else "Search failed; see the log.")

        run_task(work, on_success=done, on_error=failed)

    def show_hits(self, hits: list[SearchHit], query: str) -> None:
        self.last_hits = hits
        self.model.set_hits(hits)
        if not query.strip():
            self.status.setText("Type to search.")
        elif hits:
            self.status.setText(tr("%n result(s)", "", len(hits))
                                + (" (top 50)" if len(hits) >= 50 else ""))
            self.results.setCurrentIndex(self.model.index(0, 0))
        else:
            self.status.setText(f"Nothing found for “{query.strip()}”.")

    def open_current(self) -> None:
        idx = self.results.currentIndex()
        self.open_row(idx.row() if idx.isValid() else 0)

    def open_row(self, row: int) -> None:
        hit = self.model.hit(row)
        if hit is None:
            return
        self.opened.emit(hit)
        self.accept()
