"""The bar over a note that holds two versions (two windows, a CLI, or two desks of a team
changed it at once): it says so and settles it in one click — keep the text above, keep
the other version, or keep both — as an ordinary edit of the note (Ctrl+Z undoes it)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QWidget

from mentordesk.services.note_conflicts import START, TwoVersions, first_conflict

CHECK_DELAY_MS = 300


class ConflictBar(QWidget):
    def __init__(self, editor: QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noteConflictBar")
        self._editor = editor
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("This note holds two versions: it was changed in two places at "
                            "once, and both were kept.")
        self.label.setWordWrap(True)
        self.label.setAccessibleName("Two versions of this note")
        layout.addWidget(self.label, 1)
        self.keep_above = self._button("Keep the text above", "Keep the text above the "
                                       "marker; drop the other version", TwoVersions.keep_above)
        self.keep_other = self._button("Keep the other version", "Keep the other version; "
                                       "drop the text above the marker", TwoVersions.keep_other)
        self.keep_both = self._button("Keep both", "Keep both texts, one after the other, "
                                      "without the markers", TwoVersions.keep_both)
        for button in (self.keep_above, self.keep_other, self.keep_both):
            layout.addWidget(button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        # The document's signal, not the editor's: it also fires when a session's text is
        # put in with the editor's signals blocked.
        editor.document().contentsChanged.connect(self._timer.start)
        self.hide()

    def _button(self, text: str, accessible: str,
                settle: Callable[[TwoVersions], str]) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(accessible)
        button.clicked.connect(lambda: self.settle(settle))
        return button

    def refresh(self) -> None:
        # QTextDocument.find runs in C++: cheap even on a note of millions of characters.
        found = not self._editor.document().find(START).isNull()
        self.setVisible(found)

    def settle(self, choose: Callable[[TwoVersions], str]) -> None:
        versions = first_conflict(self._editor.toPlainText())
        if versions is None:
            self.refresh()
            return
        cursor = QTextCursor(self._editor.document())
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(choose(versions))
        cursor.endEditBlock()
        self._editor.setTextCursor(cursor)
        self.refresh()
