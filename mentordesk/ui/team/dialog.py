"""Tools ▸ Team…: where this desk stands in its team, and joining or leaving one.

Joining and the status check talk to the server, so they run in a worker; the dialog shows
what happens and never freezes.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mentordesk.errors import KnownError
from mentordesk.team.membership import join, leave, membership, status
from mentordesk.ui.resources import icon
from mentordesk.ui.tasks import TaskControl, run_task
from mentordesk.ui.team.controller import TeamController


class TeamDialog(QDialog):
    def __init__(self, controller: TeamController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._db = controller.db
        self.busy = False
        self.setWindowTitle("Team")
        self.setObjectName("teamDialog")
        layout = QVBoxLayout(self)
        intro = QLabel("In a team, this desk replicates through your program's PostgreSQL "
                       "server: a second computer of yours, or a mentoring program with a "
                       "coordinator. Everything keeps working here while offline.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.status_label = QLabel("Checking…")
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName("Team status")
        layout.addWidget(self.status_label)
        row = QHBoxLayout()
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText("Join code (MDT1.…) from your program's admin")
        self.code_edit.setAccessibleName("Join code")
        self.join_button = QPushButton(icon("add"), "Join")
        self.join_button.setAccessibleName("Join the team")
        self.join_button.clicked.connect(self.join)
        self.code_edit.returnPressed.connect(self.join)
        row.addWidget(self.code_edit, 1)
        row.addWidget(self.join_button)
        layout.addLayout(row)
        self.leave_button = QPushButton(icon("back"), "Leave the team…")
        self.leave_button.setAccessibleName("Leave the team")
        self.leave_button.clicked.connect(self.leave)
        layout.addWidget(self.leave_button)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self.refresh()

    @classmethod
    def ask(cls, controller: TeamController, parent: QWidget | None = None) -> None:
        cls(controller, parent).exec()

    def _set_busy(self, busy: bool, text: str | None = None) -> None:
        self.busy = busy
        self.join_button.setEnabled(not busy)
        self.leave_button.setEnabled(not busy)
        if text is not None:
            self.status_label.setText(text)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.status_label.setText(str(exc) if isinstance(exc, KnownError) else
                                  f"Something went wrong ({type(exc).__name__}); details "
                                  "are in the log. Nothing on this desk was lost.")

    def refresh(self) -> None:
        db = self._db
        in_team = membership(db) is not None
        self.code_edit.setVisible(not in_team)
        self.join_button.setVisible(not in_team)
        self.leave_button.setVisible(in_team)

        def work(_control: TaskControl) -> str:
            return status(db)

        def done(text: str) -> None:
            self._set_busy(False, text)

        self._set_busy(True, "Checking…")
        run_task(work, on_success=done, on_error=self._failed)

    def join(self) -> None:
        code = self.code_edit.text().strip()
        if not code:
            self.status_label.setText("Paste the join code you were given first.")
            return
        db = self._db

        def work(control: TaskControl) -> str:
            return join(db, code, lambda phase, done, total: control.progress(
                done, total, f"{phase}: {done} of {total}"))

        def done(text: str) -> None:
            self.code_edit.clear()
            self._controller.restart()
            self.refresh()
            self.status_label.setText(text)

        def progress(done_count: int, total: int, text: str) -> None:
            self.status_label.setText(f"Joining… {text}")

        self._set_busy(True, "Joining: checking the server and your sign-in…")
        run_task(work, on_success=done, on_error=self._failed, on_progress=progress)

    def leave(self) -> None:
        answer = QMessageBox.question(
            self, "Leave the team",
            "Stop replicating this desk? Every mentee, note and session stays here; "
            "changes not yet sent stay in this file.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._controller.stop()
        db = self._db

        def work(_control: TaskControl) -> str:
            return leave(db)

        def done(text: str) -> None:
            self._controller.restart()
            self.refresh()
            self.status_label.setText(text)

        self._set_busy(True, "Leaving…")
        run_task(work, on_success=done, on_error=self._failed)
