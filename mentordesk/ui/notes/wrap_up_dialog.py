"""After the call: the recap to copy or send, and the next slot to book."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mentordesk.domain.dates import day_text
from mentordesk.services.sessions import (
    SlotProposal,
)
from mentordesk.ui.resources import icon


class WrapUpDialog(QDialog):
    """After the call: the recap to copy or send, and the next slot to book."""

    book_requested = Signal()
    pick_requested = Signal()

    def __init__(self, recap: str, proposal: SlotProposal | None, mentee_name: str,
                 problem: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Wrap-up with {mentee_name}")
        self.setAccessibleName(self.windowTitle())
        layout = QVBoxLayout(self)
        heading = QLabel("Recap (agreed actions and goals touched; private notes are never "
                         "included)")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.recap = QPlainTextEdit(recap)
        self.recap.setAccessibleName("Recap in Markdown")
        self.recap.setReadOnly(True)
        layout.addWidget(self.recap, 1)
        row = QHBoxLayout()
        self.copy_button = QPushButton(icon("copy"), "&Copy recap")
        self.copy_button.setAccessibleName("Copy recap")
        self.copy_button.clicked.connect(self.copy)
        row.addWidget(self.copy_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.proposal = proposal
        self.mentee_name = mentee_name
        self.next_label = QLabel()
        self.next_label.setWordWrap(True)
        self.next_label.setAccessibleName("Proposed next session")
        layout.addWidget(self.next_label)
        buttons = QHBoxLayout()
        self.book_button = QPushButton(icon("calendar"), "&Book this slot")
        self.book_button.setAccessibleName("Book this slot")
        self.book_button.setEnabled(False)
        self.book_button.clicked.connect(self._book)
        self.pick_button = QPushButton(icon("timer"), "&Pick another time…")
        self.pick_button.setAccessibleName("Pick another time")
        self.pick_button.clicked.connect(self._pick)
        close = QPushButton(icon("close"), "Close")
        close.setAccessibleName("Close")
        close.clicked.connect(self.reject)
        buttons.addWidget(self.book_button)
        buttons.addWidget(self.pick_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.choice = ""
        self.set_proposal(proposal, problem)
        self.resize(560, 520)

    def set_proposal(self, proposal: SlotProposal | None, problem: str = "") -> None:
        self.proposal = proposal
        if proposal is not None:
            c = proposal.check
            what = "Next session already booked" if proposal.booked else "Next session"
            self.next_label.setText(
                f"<b>{what}:</b> {day_text(c.mentor_local.date(), date.today())} "
                f"{c.mentor_local:%H:%M} your time · "
                f"{c.mentee_local:%a %H:%M} for {self.mentee_name.split()[0]} "
                f"({c.mentee_zone})<br><i>{proposal.reason}</i>")
        else:
            self.next_label.setText(problem or "No next slot proposed.")
        # A booked meeting needs no booking: only picking another time is offered.
        self.book_button.setEnabled(proposal is not None and not proposal.booked)
        self.book_button.setVisible(proposal is None or not proposal.booked)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.recap.toPlainText())
        self.copy_button.setText("Copied ✓")

    def _book(self) -> None:
        self.choice = "book"
        self.accept()

    def _pick(self) -> None:
        self.choice = "pick"
        self.accept()
