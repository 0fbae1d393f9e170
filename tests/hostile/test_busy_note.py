"""A note typed while another process holds the file's write lock is never dropped, never
overwritten by older text, and its recovery copy holds the newest text (docs/reliability.md:
"Another program holds the file's write lock while you type" and "The same, and the app
then crashes"). The lock is held by a real second process (``BEGIN IMMEDIATE``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from mentordesk.storage.database import Database
from mentordesk.ui.main_window import MainWindow
from mentordesk.ui.notes import autosave
from mentordesk.ui.notes.view import NotesView
from tests.hostile.procs import holding, release
from tests.support.app_start import StartApp
from tests.ui.notes.test_autosave_faults import Condition
from tests.ui.notes.test_view import notes_db, open_window, saved_body, select

__all__ = ["notes_db"]

BUSY = "PRAGMA busy_timeout=100"  # the app gives up on the lock after 0.1 s instead of 5 s


@pytest.fixture(autouse=True)
def quick_retry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(autosave, "RETRY_SECONDS", 0.3)
    yield


def _start(qtbot: QtBot, start_app: StartApp,
           db: Database) -> tuple[MainWindow, NotesView, int]:
    window, view = open_window(qtbot, start_app, db)
    select(view, lambda r: r.title == "One-off")
    assert view.current is not None
    row = view.current.ref.session_id
    view.editor.setFocus()
    QTest.keyClicks(view.editor, "Old text. ")
    view.flush()
    assert saved_body(db, row) == "Old text. "
    return window, view, row


def _type_while_busy(qtbot: QtBot, view: NotesView, words: str) -> str:
    QTest.keyClicks(view.editor, words)
    view.note_autosave.save_now()
    qtbot.waitUntil(lambda: view.save_label.text() == "Not saved yet", timeout=5000)
    return view.editor.toPlainText()


def _copy(db: Database, row: int) -> Path:
    return db.path.parent / "unsaved-notes" / f"session-{row}.md"


def test_switching_away_and_back_shows_the_unsaved_text_and_quit_keeps_it(
        qtbot: QtBot, notes_db: Database, start_app: StartApp,
        no_dialogs: list[str]) -> None:
    window, view, row = _start(qtbot, start_app, notes_db)
    with Condition(view, BUSY), holding("hold-write", str(notes_db.path)) as holder:
        newest = _type_while_busy(qtbot, view, "X typed while the file was busy")
        select(view, lambda r: r.title == "Last time")
        select(view, lambda r: r.title == "One-off")
        assert view.editor.toPlainText() == newest, "the editor went back to older text"
        assert view.save_label.text() == "Not saved yet"
        window.close()  # Ctrl+Q
        assert any("could not be saved" in m for m in no_dialogs), no_dialogs
        assert "X typed while the file was busy" in _copy(notes_db, row).read_text("utf-8")
        assert saved_body(notes_db, row) == "Old text. "
        release(holder)
        qtbot.waitUntil(lambda: saved_body(notes_db, row) == newest, timeout=5000)


def test_the_recovery_copy_of_a_session_left_behind_keeps_its_newest_text(
        qtbot: QtBot, notes_db: Database, start_app: StartApp,
        no_dialogs: list[str]) -> None:
    """Quitting from another session must not write the first one's copy with old text."""
    window, view, row = _start(qtbot, start_app, notes_db)
    with Condition(view, BUSY), holding("hold-write", str(notes_db.path)):
        _type_while_busy(qtbot, view, "X left behind")
        select(view, lambda r: r.title == "Last time")
        QTest.keyClicks(view.editor, "typed in the other session")
        window.close()
        assert "X left behind" in _copy(notes_db, row).read_text("utf-8")
        other = view.current.ref.session_id if view.current else -1
        assert "typed in the other session" in _copy(notes_db, other).read_text("utf-8")
    assert no_dialogs


def test_a_stale_editor_never_overwrites_the_text_saved_after_the_lock_went(
        qtbot: QtBot, notes_db: Database, start_app: StartApp,
        no_dialogs: list[str]) -> None:
    window, view, row = _start(qtbot, start_app, notes_db)
    with Condition(view, BUSY):
        with holding("hold-write", str(notes_db.path)):
            _type_while_busy(qtbot, view, "X saved late")
            select(view, lambda r: r.title == "Last time")
            select(view, lambda r: r.title == "One-off")
        qtbot.waitUntil(lambda: "X saved late" in saved_body(notes_db, row), timeout=5000)
        view.editor.moveCursor(view.editor.textCursor().MoveOperation.End)
        QTest.keyClicks(view.editor, " and more")
        view.flush()
    body = saved_body(notes_db, row)
    assert "X saved late" in body and "and more" in body, body
    window.close()
