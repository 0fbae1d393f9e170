"""Showing a search hit where it is: the first occurrence of a matched word, selected,
marked and scrolled into view in the note or the agenda (or the action item that holds
it)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

# The search index stores words; match them whole, in any case ("art" is not in "start").
_FLAGS = re.IGNORECASE | re.UNICODE


def _pattern(word: str) -> re.Pattern[str] | None:
    word = word.strip().rstrip("*")
    return re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", _FLAGS) if word else None


def find_first(text: str, words: Sequence[str]) -> tuple[int, int] | None:
    """(start, end) of the first occurrence in ``text`` of the first of ``words`` found."""
    for word in words:
        pattern = _pattern(word)
        match = pattern.search(text) if pattern is not None else None
        if match is not None:
            return match.start(), match.end()
    return None


def match_cursor(document: QTextDocument, words: Sequence[str]) -> QTextCursor | None:
    found = find_first(document.toPlainText(), words)
    if found is None:
        return None
    cursor = QTextCursor(document)
    cursor.setPosition(found[0])
    cursor.setPosition(found[1], QTextCursor.MoveMode.KeepAnchor)
    return cursor


def match_format() -> QTextCharFormat:
    """A mark that stays visible when the editor loses focus (a selection turns pale),
    dark on yellow in a light and a dark palette alike."""
    fmt = QTextCharFormat()
    fmt.setBackground(QColor(255, 214, 0))
    fmt.setForeground(QColor(20, 20, 20))
    return fmt


class MatchMarker:
    """Marks the match in ``editor`` until the text changes or another match is shown."""

    def __init__(self, editor: QPlainTextEdit) -> None:
        self.editor = editor
        editor.textChanged.connect(self.clear)

    def show(self, words: Sequence[str]) -> bool:
        """Select and mark the first match and scroll it into view; False when none."""
        self.clear()
        cursor = match_cursor(self.editor.document(), words)
        if cursor is None:
            return False
        mark = QTextEdit.ExtraSelection()
        mark.cursor = QTextCursor(cursor)
        mark.format = match_format()
        self.editor.setExtraSelections([mark])
        self.editor.setTextCursor(cursor)
        self.editor.setFocus()
        self._scroll()
        # A page just switched to is laid out on the next turn of the event loop: the
        # viewport has its real size only then.
        QTimer.singleShot(0, self.editor, self._scroll)
        return True

    def _scroll(self) -> None:
        self.editor.centerCursor()
        self.editor.ensureCursorVisible()

    def clear(self) -> None:
        if self.editor.extraSelections():
            self.editor.setExtraSelections([])
