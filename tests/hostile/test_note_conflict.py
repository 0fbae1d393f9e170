"""Saving a note is a compare-and-swap against the text the window last loaded or saved, so
a second writer (another desk, a CLI, a script) is never silently overwritten: both texts
are kept, with markers, and the user is told (docs/reliability.md: "Someone else changes a
note you have open"). The second writer is a real second process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from mentordesk.services.notes import (
    CONFLICT_END,
    CONFLICT_START,
    NoteConflict,
    NoteService,
)
from mentordesk.storage.database import Database
from tests.hostile.procs import ROOT, child_env
from tests.services.test_notes import held_session
from tests.services.test_sessions import add_mentee
from tests.support.app_start import StartApp
from tests.ui.notes.test_view import notes_db, open_window, saved_body, select

__all__ = ["notes_db"]


def write_from_another_process(db_path: Path, note_id: int, text: str) -> None:
    result = subprocess.run([sys.executable, "-m", "tests.hostile.children", "save-note",
                             str(db_path), str(note_id), text], cwd=ROOT, env=child_env(),
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.stdout.strip() == "saved", result.stderr


def test_a_save_over_text_written_by_another_process_keeps_both(db: Database) -> None:
    notes = NoteService(db)
    sid = held_session(db, add_mentee(db), 1)
    note = notes.open_note(sid)
    notes.save_note_body(note.id, "base", expected="")
    write_from_another_process(db.path, note.id, "BBB from the other desk")
    with pytest.raises(NoteConflict) as info:
        notes.save_note_body(note.id, "base AAA typed here", expected="base")
    body = notes.note_body(note.id)
    assert body.startswith("base AAA typed here")
    assert "BBB from the other desk" in body
    assert body.index(CONFLICT_START) < body.index("BBB") < body.index(CONFLICT_END)
    assert info.value.saved == body and info.value.kept in body
    assert "\n" not in info.value.message


def test_the_same_text_from_both_sides_is_no_conflict(db: Database) -> None:
    notes = NoteService(db)
    note = notes.open_note(held_session(db, add_mentee(db), 1))
    write_from_another_process(db.path, note.id, "same words")
    notes.save_note_body(note.id, "same words", expected="")
    assert notes.note_body(note.id) == "same words"


def test_saves_queued_before_the_editor_heard_of_the_conflict_keep_the_other_text(
        db: Database) -> None:
    notes = NoteService(db)
    sid = held_session(db, add_mentee(db), 1)
    note = notes.open_note(sid)
    saver = notes.saver(sid, note.id, "")
    saver("mine")
    write_from_another_process(db.path, note.id, "theirs")
    with pytest.raises(NoteConflict) as info:
        saver("mine, more")
    kept = info.value.kept
    saver("mine, more and more")  # typed before the editor showed their text
    assert notes.note_body(note.id) == "mine, more and more" + kept
    saver("mine, merged" + kept)  # the editor has it now
    assert notes.note_body(note.id) == "mine, merged" + kept
    saver("mine, merged by hand: theirs")  # the user removed the markers
    assert notes.note_body(note.id) == "mine, merged by hand: theirs"


def test_a_new_note_made_elsewhere_meanwhile_is_kept(db: Database) -> None:
    """The first save of a session without a note makes it; one made by another writer
    meanwhile is not overwritten."""
    notes = NoteService(db)
    sid = held_session(db, add_mentee(db), 1)
    saver = notes.saver(sid, None, "")
    other = notes.open_note(sid)  # what the other writer does first
    write_from_another_process(db.path, other.id, "written elsewhere first")
    with pytest.raises(NoteConflict):
        saver("typed here")
    body = notes.note_body(other.id)
    assert body.startswith("typed here") and "written elsewhere first" in body


def test_two_writers_in_the_app_keep_both_texts_and_the_user_is_told(
        qtbot: QtBot, notes_db: Database, start_app: StartApp,
        no_dialogs: list[str]) -> None:
    """Type AAA here while another process writes BBB: today only one survived."""
    window, view = open_window(qtbot, start_app, notes_db)
    select(view, lambda r: r.title == "One-off")
    assert view.current is not None
    row = view.current.ref.session_id
    QTest.keyClicks(view.editor, "Start. ")
    view.flush()
    note = NoteService(notes_db).find_note(row)
    assert note is not None
    write_from_another_process(notes_db.path, note.id, "Start. BBB from elsewhere")
    view.editor.moveCursor(view.editor.textCursor().MoveOperation.End)
    QTest.keyClicks(view.editor, "AAA typed here")
    view.flush()
    qtbot.waitUntil(view.conflict_banner.isVisible, timeout=3000)
    assert "changed elsewhere" in view.conflict_banner.text()
    assert "BBB from elsewhere" in view.editor.toPlainText()
    QTest.keyClicks(view.editor, " and more")  # the user's cursor stayed in their text
    view.flush()
    body = saved_body(notes_db, row)
    assert "AAA typed here and more" in body
    assert body.count("BBB from elsewhere") == 1 and body.count(CONFLICT_START) == 1
    assert no_dialogs == []
    window.close()
