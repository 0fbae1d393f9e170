"""Restore from inside the app closes, swaps and reopens, so no later edit reaches the file
set aside; setting a file aside never overwrites another (docs/reliability.md: "File ▸
Restore from Backup…" and "Two restores within one second")."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from mentordesk.errors import KnownError
from mentordesk.services.notes import NoteService
from mentordesk.services.sessions import SessionDraft, SessionService
from mentordesk.storage.backup import create_backup, restore_backup
from mentordesk.storage.database import Database, open_database
from mentordesk.ui.app import Launcher, create_application
from mentordesk.ui.notes.view import NotesView
from tests.services.test_sessions import add_mentee


def _names(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM mentees ORDER BY name")]
    finally:
        conn.close()


def _note_bodies(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT body FROM notes ORDER BY id")]
    finally:
        conn.close()


def test_restore_inside_the_app_reopens_so_later_edits_reach_the_restored_file(
        qtbot: QtBot, tmp_path: Path, no_dialogs: list[str]) -> None:
    path = tmp_path / "desk.sqlite3"
    db = open_database(path)
    mentee = add_mentee(db, name="Before Backup")
    SessionService(db).schedule(SessionDraft(mentee, datetime.now(UTC) + timedelta(days=1),
                                             title="Planned"))
    backup = create_backup(path)
    add_mentee(db, name="After Backup")
    db.close()

    create_application()
    launcher = Launcher(path)
    assert launcher.start()
    old = launcher.window
    assert old is not None  # not given to qtbot: the restore deletes it
    old.show_view("notes")
    view = old.current_view()
    assert isinstance(view, NotesView)
    qtbot.waitUntil(lambda: view.session_model.total() > 0, timeout=5000)
    view.session_tree.setCurrentIndex(view.session_model.index(1, 0))
    QTest.keyClicks(view.editor, "typed before the restore")  # saved first, into the old file

    assert launcher.restore_from_backup(backup)
    new = launcher.window
    assert new is not None and new is not old
    qtbot.addWidget(new)
    assert _names(path) == ["Before Backup"]
    aside = [p for p in tmp_path.glob("desk.sqlite3.replaced-*") if p.name.endswith("Z")]
    assert len(aside) == 1 and _names(aside[0]) == ["After Backup", "Before Backup"]
    assert _note_bodies(aside[0]) == ["typed before the restore"]
    # The old window's file handle is closed: nothing it still does can reach either file.
    with pytest.raises(KnownError, match="closed"):
        NoteService(old.context.db).note_body(1)
    # Edits after the restore go to the restored file, not to the one set aside.
    new.show_view("notes")
    fresh = new.current_view()
    assert isinstance(fresh, NotesView)
    qtbot.waitUntil(lambda: fresh.session_model.total() > 0, timeout=5000)
    fresh.session_tree.setCurrentIndex(fresh.session_model.index(1, 0))
    QTest.keyClicks(fresh.editor, "typed after the restore")
    fresh.flush()
    assert _note_bodies(path) == ["typed after the restore"]
    assert _note_bodies(aside[0]) == ["typed before the restore"]
    assert no_dialogs == []
    new.close()
    launcher.close()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_restores_in_one_second_keep_every_replaced_file(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    db = open_database(path)
    add_mentee(db, name="Original")
    db.close()
    backup = create_backup(path)
    # Files already holding the names a restore in the next seconds would pick.
    now = datetime.now(UTC)
    planted = {}
    for delta in range(-1, 4):
        stamp = (now + timedelta(seconds=delta)).strftime("%Y%m%dT%H%M%SZ")
        other = path.with_name(f"{path.name}.replaced-{stamp}")
        other.write_text(f"an older set-aside file {delta}")
        planted[other] = _sha(other)
    original = _sha(path)
    first = restore_backup(backup, path)
    second = restore_backup(backup, path)
    assert first is not None and second is not None and first != second
    for other, digest in planted.items():
        assert _sha(other) == digest, f"{other.name} was overwritten"
    assert _sha(first) == original, "the original file must survive both restores"
    assert _names(second) == ["Original"]
    assert _names(path) == ["Original"]


def test_a_failed_restore_leaves_the_current_file_in_place(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    db: Database = open_database(path)
    add_mentee(db, name="Current")
    db.close()
    not_a_backup = tmp_path / "garbage.sqlite3"
    not_a_backup.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    before = _sha(path)
    with pytest.raises(Exception):  # noqa: B017  (whatever SQLite says about it)
        restore_backup(not_a_backup, path)
    assert _sha(path) == before
    assert not list(tmp_path.glob("desk.sqlite3.replaced-*"))
    assert not list(tmp_path.glob(".desk.sqlite3.restoring-*"))
