"""A healthy file on a read-only disk used to be reported as damaged, with advice to
restore a backup. It is now reported as what it is, and the app opens it for looking
(docs/reliability.md: "A sound file on a read-only disk, in a folder MentorDesk may not
write in, or made read-only"). The disk is a real
read-only mount (tmpfs, remounted read-only), so this needs root."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from mentordesk.storage.database import open_database
from tests.hostile.procs import mentordesk
from tests.services.test_sessions import add_mentee


@pytest.fixture
def mount_point(tmp_path: Path) -> Iterator[Path]:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a read-only disk needs root")
    point = tmp_path / "disk"
    point.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(point)],
                          capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"cannot mount here: {made.stderr!r}")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=False)


def test_a_sound_file_on_a_read_only_disk_is_not_called_damaged(mount_point: Path) -> None:
    path = mount_point / "desk.sqlite3"
    db = open_database(path)
    add_mentee(db, name="On a read-only disk")
    db.close()
    assert not Path(f"{path}-shm").exists()
    subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    for command in (("export", str(mount_point.parent / "out.csv")), ("backup",)):
        result = mentordesk("--db", str(path), *command)
        assert result.returncode == 1
        assert "read-only disk" in result.stderr, result.stderr
        assert "damaged" not in result.stderr and "Restore" not in result.stderr
        assert result.stderr.count("\n") == 1
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


# -- read-only viewing: the app opens the file, says why, and takes no edit ----------------

def _desk(path: Path) -> None:
    """A desk with a mentee, a session of theirs and its note."""
    from datetime import UTC, datetime, timedelta

    from mentordesk.services.notes import NoteService
    from mentordesk.services.sessions import SessionDraft, SessionService

    db = open_database(path)
    mentee = add_mentee(db, name="Looked At")
    session = SessionService(db).schedule(SessionDraft(
        mentee, datetime.now(UTC) - timedelta(days=1), title="Last week"))
    note = NoteService(db).open_note(session.ref.session_id)
    NoteService(db).save_note_body(note.id, "what we said")
    db.close()


def _digest(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` but SQLite's working files and the app's lock file."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()
            if p.is_file() and not p.name.endswith(("-wal", "-shm", ".app-lock"))}


def _look_and_try_to_change(qtbot: QtBot, path: Path, reason: str,
                            no_dialogs: list[str]) -> None:
    """Open ``path`` in the app as the app does; it must show everything, say it is
    read-only and why, refuse each edit with that message, and close without a complaint."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLabel

    from mentordesk.ui.app import Launcher, create_application
    from mentordesk.ui.mentees.view import MenteesView
    from mentordesk.ui.notes.view import NotesView

    create_application()
    launcher = Launcher(path)
    assert launcher.start()
    window = launcher.window
    assert window is not None  # not given to qtbot: deleted here, with its views' timers
    banner = window.findChild(QLabel, "readOnlyText")
    assert banner is not None
    qtbot.waitUntil(banner.isVisible, timeout=5000)
    assert f"because {reason}" in banner.text() and "Nothing can be changed" in banner.text()
    assert window.windowTitle().endswith("(read-only)")
    assert window.context.db.read_only == reason
    # Everything is there to look at.
    window.show_view("mentees")
    mentees = window.current_view()
    assert isinstance(mentees, MenteesView)
    qtbot.waitUntil(lambda: mentees.model.total() == 1, timeout=10_000)
    # An edit is refused with the reason, and nothing changes.
    mentee_id = mentees.model.all_rows()[0].id
    assert mentees.select_mentee(mentee_id)
    mentees.toggle_archive()
    assert len(no_dialogs) == 1 and f"is open read-only because {reason}" in no_dialogs[0]
    assert mentees.context.undo_stack.count() == 0
    # The note can be read, not typed into (it could never be saved).
    window.show_view("notes")
    notes = window.current_view()
    assert isinstance(notes, NotesView)
    qtbot.waitUntil(lambda: notes.session_model.total() > 0, timeout=10_000)
    notes.session_tree.setCurrentIndex(notes.session_model.index(1, 0))
    qtbot.waitUntil(lambda: notes.editor.toPlainText() == "what we said", timeout=5000)
    assert notes.editor.isReadOnly()
    QTest.keyClicks(notes.editor, "typed")
    assert notes.editor.toPlainText() == "what we said"
    # Start-up's deferred steps (warm-up, the other views, the integrity check) have run
    # and found nothing to complain about; then the window closes as the app's does.
    _settle(qtbot)
    window.close()
    launcher.close()
    window.deleteLater()
    _settle(qtbot)
    assert len(no_dialogs) == 1, no_dialogs


def _settle(qtbot: QtBot) -> None:
    """Until no background task is left and their results were delivered."""
    from PySide6.QtCore import QThreadPool

    for _ in range(3):
        assert QThreadPool.globalInstance().waitForDone(10_000)
        qtbot.wait(50)


def test_a_file_made_read_only_opens_for_looking_in_the_app(
        qtbot: QtBot, tmp_path: Path, no_dialogs: list[str]) -> None:
    path = tmp_path / "desk.sqlite3"
    _desk(path)
    path.chmod(0o444)
    before = _digest(tmp_path)
    _look_and_try_to_change(qtbot, path, "its permissions make it read-only", no_dialogs)
    assert _digest(tmp_path) == before  # the file (and no backup) was written
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    # The command line still refuses it, in one line.
    result = mentordesk("--db", str(path), "demo", "--mentees", "2")
    assert result.returncode == 1 and "is read-only" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_sound_file_on_a_read_only_disk_opens_for_looking_in_the_app(
        qtbot: QtBot, mount_point: Path, no_dialogs: list[str]) -> None:
    path = mount_point / "desk.sqlite3"
    _desk(path)
    assert not Path(f"{path}-shm").exists()
    subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True)
    before = _digest(mount_point)
    _look_and_try_to_change(qtbot, path, "it is on a read-only disk", no_dialogs)
    assert _digest(mount_point) == before


def test_a_read_only_disk_whose_wal_holds_changes_is_refused_not_shown_without_them(
        mount_point: Path) -> None:
    # Without a -shm, SQLite can read such a file only as "immutable", which skips the -wal:
    # the last changes would look lost. It is refused instead, saying why.
    from tests.hostile.procs import holding

    path = mount_point / "desk.sqlite3"
    _desk(path)
    with holding("commit-and-hang", str(path)) as proc:
        import shutil

        for suffix in ("", "-wal"):
            shutil.copy(f"{path}{suffix}", mount_point / f"copy.sqlite3{suffix}")
        proc.kill()
    copy = mount_point / "copy.sqlite3"
    assert Path(f"{copy}-wal").stat().st_size > 0 and not Path(f"{copy}-shm").exists()
    subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True)
    from mentordesk.errors import NotWritable

    with pytest.raises(NotWritable, match=r"last changes are in copy\.sqlite3-wal"):
        open_database(copy, read_only_ok=True)


def test_the_real_app_on_a_read_only_file_runs_and_quits_cleanly(tmp_path: Path) -> None:
    from tests.hostile.procs import App

    path = tmp_path / "desk.sqlite3"
    _desk(path)
    path.chmod(0o444)
    before = _digest(tmp_path)
    with App(path) as app:
        time.sleep(3)  # start-up, the deferred check, the views built after it
        assert app.proc.poll() is None, app.proc.communicate()
    _out, err = app.stop()
    assert app.proc.returncode == 0, err
    assert "Traceback" not in err and "rror" not in err, err
    assert _digest(tmp_path) == before
