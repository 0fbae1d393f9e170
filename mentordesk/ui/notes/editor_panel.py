"""The note itself: the Markdown editor with its live preview, the private switch, and the
banners that say when saving is in trouble or another desk edited the same note."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from mentordesk.domain.markdown import hard_line_breaks
from mentordesk.services.notes import MAX_NOTE_CHARS
from mentordesk.ui.notes.bounded_editor import BoundedTextEdit
from mentordesk.ui.notes.conflict_bar import ConflictBar
from mentordesk.ui.notes.private_check import PrivateCheck

PREVIEW_DELAY_MS = 150
# Rendering Markdown is linear in the note: past this the live preview would stall the
# window for most of a second after each pause in typing (measured: ~0.8 s at 2 million).
PREVIEW_LIMIT = 200_000


def _banner(name: str, accessible: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(
        f"QLabel#{name} {{ background: palette(highlight); "
        "color: palette(highlighted-text); padding: 6px; border-radius: 4px; }")
    label.setAccessibleName(accessible)
    label.hide()
    return label


class NoteEditorPanel(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        label = QLabel("Notes")
        label.setProperty("role", "section")
        head.addWidget(label)
        hint = QLabel("Markdown · /action, /next, /goal at a line start · Ctrl+Enter: line "
                      "→ action item")
        hint.setProperty("role", "subtitle")
        head.addWidget(hint, 1)
        self.private_check = PrivateCheck()
        head.addWidget(self.private_check)
        layout.addLayout(head)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.editor = BoundedTextEdit(MAX_NOTE_CHARS)
        self.editor.setObjectName("noteEditor")
        self.editor.setAccessibleName("Session notes (Markdown)")
        self.editor.setPlaceholderText("Write during the call. Everything is saved as you "
                                       "type.")
        self.editor.setTabChangesFocus(True)
        self.splitter.addWidget(self.editor)
        self.preview = QTextBrowser()
        self.preview.setAccessibleName("Notes preview")
        self.preview.setOpenExternalLinks(True)
        self.splitter.addWidget(self.preview)
        layout.addWidget(self.splitter, 1)
        self.save_banner = _banner("saveBanner", "Save problem")
        layout.addWidget(self.save_banner)
        self.conflict_banner = _banner("conflictBanner", "Edit conflict")
        layout.addWidget(self.conflict_banner)
        self.limit_banner = _banner("limitBanner", "Note length")
        layout.addWidget(self.limit_banner)
        self.two_versions = ConflictBar(self.editor)
        layout.addWidget(self.two_versions)
        self.editor.refused.connect(self.show_limit)
        self._limit_timer = QTimer(self)
        self._limit_timer.setSingleShot(True)
        self._limit_timer.setInterval(8000)
        self._limit_timer.timeout.connect(self.limit_banner.hide)
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.update_preview)
        self.editor.textChanged.connect(self._preview_timer.start)

    def take_editor_back(self) -> None:
        """Call mode borrowed the editor: put it back in its place."""
        self.splitter.insertWidget(0, self.editor)
        self.editor.show()

    def set_private(self, private: bool) -> None:
        self.private_check.blockSignals(True)
        self.private_check.setChecked(private)
        self.private_check.blockSignals(False)

    def update_preview(self) -> None:
        if self.editor.length() > PREVIEW_LIMIT:
            self.preview.setPlainText(
                f"The live preview pauses for notes over {PREVIEW_LIMIT:,} characters, so "
                "that typing stays instant. The note itself is saved as usual.")
            return
        # A mentor's newline is a line break, not the space Markdown makes of it.
        self.preview.setMarkdown(hard_line_breaks(self.editor.toPlainText()))

    def show_limit(self, message: str) -> None:
        self.limit_banner.setText(message)
        self.limit_banner.show()
        self._limit_timer.start()

    def show_save_problem(self, message: str) -> None:
        self.save_banner.setText(f"Not saved yet — {message} Retrying every few seconds; "
                                 "your text stays in the editor.")
        self.save_banner.show()

    def show_conflict(self, message: str, theirs: str) -> None:
        """Another writer had changed the note: both texts were saved; show theirs too."""
        if theirs not in self.editor.toPlainText():
            user = self.editor.textCursor()
            anchor, position = user.anchor(), user.position()
            cursor = QTextCursor(self.editor.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(theirs)
            # The user's cursor stays in their text, even when it was at the end.
            user.setPosition(anchor)
            user.setPosition(position, QTextCursor.MoveMode.KeepAnchor)
            self.editor.setTextCursor(user)
        self.conflict_banner.setText(message)
        self.conflict_banner.show()

    def replace_line(self, cursor: QTextCursor, text: str) -> None:
        """Replace the line under ``cursor`` (a line command) with ``text``."""
        cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock,
                            QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(text)
        self.editor.setTextCursor(cursor)
