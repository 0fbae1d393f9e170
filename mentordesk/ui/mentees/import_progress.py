"""The progress dialog of a CSV import running in the background.

The import reports from its worker thread (``report``) and asks whether to stop
(``cancelled``); the dialog lives on the GUI thread and hears about it through queued
signals. It is not modal: the mentor can go on writing notes while a big file goes in (the
import holds the file's write lock only for its last, short step). Cancelling is possible
until that last step starts; then the button goes away.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from mentordesk.services.csv_io import LAST_STEP

# Small imports finish before the dialog would show: no flash.
SHOW_AFTER_MS = 400


class ImportProgress(QObject):
    _reported = Signal(int, int, str)
    _ended = Signal()

    def __init__(self, file_name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self._cancel = threading.Event()
        self.last_step = ""
        self.dialog = QProgressDialog(f"Importing {file_name}…", "Cancel", 0, 0, parent)
        self.dialog.setWindowTitle("Import mentees")
        self.dialog.setWindowModality(Qt.WindowModality.NonModal)
        self.dialog.setMinimumDuration(SHOW_AFTER_MS)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setMinimumWidth(360)
        self.dialog.canceled.connect(self._on_cancel)
        self._reported.connect(self._show)
        self._ended.connect(self._close)

    # -- called by the import, in its thread ---------------------------------------------
    def report(self, done: int, total: int, what: str) -> None:
        self._reported.emit(done, total, what)

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def ended(self) -> None:
        self._ended.emit()

    # -- the GUI thread ----------------------------------------------------------------------
    def cancel(self) -> None:
        """Stop the import unless it is at its last step (the Cancel button does this)."""
        self._on_cancel()
        self.dialog.cancel()

    def _on_cancel(self) -> None:
        self._cancel.set()
        self.dialog.setLabelText("Cancelling: nothing will be imported…")

    def _show(self, done: int, total: int, what: str) -> None:
        if self._cancel.is_set():
            return
        self.last_step = what
        if what.startswith(LAST_STEP):
            # One short transaction that is not interrupted half way: no Cancel button.
            self.dialog.setCancelButton(None)
        self.dialog.setLabelText(what)
        self.dialog.setMaximum(max(total, 1))
        self.dialog.setValue(max(0, min(done, total)))

    def _close(self) -> None:
        self.dialog.hide()
        self.dialog.deleteLater()
        self.deleteLater()
