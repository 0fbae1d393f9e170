"""A plain-text editor that never holds more than a note may: a paste, a drop or a key that
would go past the limit is refused at once, with a message, and changes nothing.

Without it a 5 MB paste froze the window for seconds, and the autosave then retried a save
that could never succeed (the service refuses over-long notes) for as long as the app ran.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QPlainTextEdit, QWidget


class BoundedTextEdit(QPlainTextEdit):
    # The message for the person: what was refused and what to do instead.
    refused = Signal(str)

    def __init__(self, max_chars: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.max_chars = max_chars

    def length(self) -> int:
        """Characters in the editor (O(1): no copy of a 2-million-character text)."""
        return max(0, self.document().characterCount() - 1)

    def _room(self) -> int:
        selected = self.textCursor().selectionEnd() - self.textCursor().selectionStart()
        return self.max_chars - self.length() + selected

    def insertFromMimeData(self, source: QMimeData) -> None:
        incoming = len(source.text()) if source.hasText() else 0
        room = self._room()
        if incoming > room:
            self.refused.emit(
                f"Nothing was pasted: that text has {incoming:,} characters and a note holds "
                f"at most {self.max_chars:,} ({max(0, room):,} more fit here). Split it "
                "across sessions, or keep the document elsewhere and add it as a link.")
            return
        super().insertFromMimeData(source)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        typing = (bool(text) and text.isprintable()) or event.matches(
            QKeySequence.StandardKey.InsertParagraphSeparator)
        if typing and self._room() < max(1, len(text)):
            self.refused.emit(f"This note is full ({self.max_chars:,} characters, the most a "
                              "note holds): continue in the next session's note.")
            return
        super().keyPressEvent(event)
