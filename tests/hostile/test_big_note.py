"""The biggest notes, through the real Notes view and real key events: a paste or a key past
the most a note holds is refused at once with a message and changes nothing (it used to
freeze the window and then retry an impossible save for ever), and the live preview of a
very long note pauses instead of stalling the window after each pause in typing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from mentordesk.services.notes import MAX_NOTE_CHARS
from mentordesk.storage.database import Database
from mentordesk.ui.notes import editor_panel
from mentordesk.ui.notes.bounded_editor import BoundedTextEdit
from tests.support.app_start import StartApp
from tests.ui.notes.test_view import notes_db, open_window, saved_body, select

__all__ = ["notes_db"]


def _open(qtbot: QtBot, start_app: StartApp, db: Database) -> tuple[object, object, int]:
    window, view = open_window(qtbot, start_app, db)
    select(view, lambda r: r.title == "One-off")
    assert view.current is not None
    view.editor.setFocus()
    QTest.keyClicks(view.editor, "Kept. ")
    view.note_autosave.save_now()
    assert view.saver.flush()
    return window, view, view.current.ref.session_id


def test_the_notes_editor_holds_at_most_what_a_note_may(qtbot: QtBot, notes_db: Database,
                                                        start_app: StartApp) -> None:
    _window, view, _row = _open(qtbot, start_app, notes_db)
    assert isinstance(view.editor, BoundedTextEdit)  # type: ignore[attr-defined]
    assert view.editor.max_chars == MAX_NOTE_CHARS  # type: ignore[attr-defined]


def test_a_paste_past_the_limit_is_refused_at_once_and_changes_nothing(
        qtbot: QtBot, notes_db: Database, start_app: StartApp) -> None:
    _window, view, row = _open(qtbot, start_app, notes_db)
    editor = view.editor  # type: ignore[attr-defined]
    editor.max_chars = 1_000  # the same rule, at a size a test types quickly
    QApplication.clipboard().setText("pasted " * 500)  # 3,500 characters
    with qtbot.waitSignal(editor.refused, timeout=2000) as refused:
        QTest.keyClick(editor, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert "Nothing was pasted" in str(refused.args[0])
    assert editor.toPlainText() == "Kept. "
    assert view.editor_panel.limit_banner.isVisible()  # type: ignore[attr-defined]
    assert "3,500 characters" in view.editor_panel.limit_banner.text()  # type: ignore[attr-defined]
    # A paste that fits still goes in, and is saved as usual.
    QApplication.clipboard().setText("fits")
    QTest.keyClick(editor, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText() == "Kept. fits"
    view.note_autosave.save_now()  # type: ignore[attr-defined]
    assert view.saver.flush()  # type: ignore[attr-defined]
    assert saved_body(notes_db, row) == "Kept. fits"


def test_typing_into_a_full_note_is_refused_with_a_message(qtbot: QtBot, notes_db: Database,
                                                           start_app: StartApp) -> None:
    _window, view, _row = _open(qtbot, start_app, notes_db)
    editor = view.editor  # type: ignore[attr-defined]
    editor.max_chars = len("Kept. ") + 3
    QTest.keyClicks(editor, "abc")
    with qtbot.waitSignal(editor.refused, timeout=2000) as refused:
        QTest.keyClicks(editor, "d")
    assert "note is full" in str(refused.args[0])
    assert editor.toPlainText() == "Kept. abc"
    # Deleting makes room again: a replaced selection counts what it takes away.
    QTest.keyClick(editor, Qt.Key.Key_Backspace)
    QTest.keyClicks(editor, "z")
    assert editor.toPlainText() == "Kept. abz"


def test_the_live_preview_pauses_for_a_very_long_note(qtbot: QtBot, notes_db: Database,
                                                     start_app: StartApp) -> None:
    _window, view, _row = _open(qtbot, start_app, notes_db)
    editor = view.editor  # type: ignore[attr-defined]
    panel = view.editor_panel  # type: ignore[attr-defined]
    panel.update_preview()
    assert "Kept." in panel.preview.toPlainText()
    editor.insertPlainText("# Heading\n" + "x" * editor_panel.PREVIEW_LIMIT)
    panel.update_preview()
    assert "preview pauses" in panel.preview.toPlainText()
