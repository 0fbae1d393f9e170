"""Disk full, read-only and locked databases under the real Notes view: nothing typed is lost.

tests/ui/notes/test_view.py makes the *service* raise DiskFull; here SQLite itself refuses
(``PRAGMA max_page_count``, ``PRAGMA query_only``, another connection holding the write lock,
all set on the engine of the app's own connection, ``window.context.db``, as
tests/test_errors.py does), through the writer thread, the banner, the retry and the quit
path of the app as ``mentordesk`` starts it: the text stays in the editor, the message says
what happened, and the save goes through by itself once the condition is gone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from mentordesk.errors import KnownError
from mentordesk.storage.database import Database
from mentordesk.ui.main_window import MainWindow
from mentordesk.ui.notes import autosave
from mentordesk.ui.notes.view import NotesView
from tests.support.app_start import StartApp
from tests.ui.notes.test_view import notes_db, open_window, saved_body, select

__all__ = ["notes_db"]  # the fixture, shared with the notes UI tests

Listener = Callable[[sqlite3.Connection, object], None]


class Condition:
    """A pragma applied to every new connection of the app's engine (the view's own
    ``context.db``, not the test's connection to the file), until lifted."""

    def __init__(self, view: NotesView, *pragmas: str) -> None:
        self.db = view.context.db
        self.view = view
        self.pragmas = pragmas
        self.listener: Listener | None = None

    def __enter__(self) -> Condition:
        assert self.view.saver.flush(), "start from a saved state"

        def apply(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            for pragma in self.pragmas:
                dbapi_conn.execute(pragma)

        self.listener = apply
        self.db.engine.dispose()  # pooled connections predate the condition
        event.listen(self.db.engine, "connect", apply)
        return self

    def lift(self) -> None:
        if self.listener is not None:
            event.remove(self.db.engine, "connect", self.listener)
            self.listener = None
            self.db.engine.dispose()

    def __exit__(self, *_exc: object) -> None:
        self.lift()


@pytest.fixture(autouse=True)
def quick_retry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(autosave, "RETRY_SECONDS", 0.3)
    yield


def _page_count(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.exec_driver_sql("PRAGMA page_count").scalar() or 0)


def _start(qtbot: QtBot, start_app: StartApp,
           db: Database) -> tuple[MainWindow, NotesView, int]:
    window, view = open_window(qtbot, start_app, db)
    select(view, lambda r: r.title == "One-off")
    row = view.current.ref.session_id if view.current else -1
    view.editor.setFocus()
    QTest.keyClicks(view.editor, "Saved before the trouble. ")
    view.flush()
    assert saved_body(db, row) == "Saved before the trouble. "
    return window, view, row


def _type_big(view: NotesView) -> str:
    # Enough text that the file has to grow by many pages to take it.
    view.editor.insertPlainText("Paragraph about the portfolio review. " * 3000)
    QTest.keyClicks(view.editor, "last words")
    view.note_autosave.save_now()
    return view.editor.toPlainText()


@pytest.mark.parametrize("kind", ["disk full", "read-only", "locked"])
def test_autosave_failure_keeps_text_explains_and_retries(
        kind: str, qtbot: QtBot, notes_db: Database, start_app: StartApp,
        no_dialogs: list[str], tmp_path: Path) -> None:
    window, view, row = _start(qtbot, start_app, notes_db)
    holder: sqlite3.Connection | None = None
    words: tuple[str, ...]
    if kind == "disk full":
        condition = Condition(view, f"PRAGMA max_page_count={_page_count(notes_db)}")
        words = ("no room",)
    elif kind == "read-only":
        condition = Condition(view, "PRAGMA query_only=ON")
        words = ("cannot be written", "read-only")
    else:
        condition = Condition(view, "PRAGMA busy_timeout=100")
        words = ("in use",)
    with condition:
        if kind == "locked":
            holder = sqlite3.connect(notes_db.path)
            holder.execute("BEGIN IMMEDIATE")
        if kind == "disk full":
            text = _type_big(view)
        else:
            QTest.keyClicks(view.editor, "typed while it cannot be saved")
            view.note_autosave.save_now()
            text = view.editor.toPlainText()
        qtbot.waitUntil(view.save_banner.isVisible, timeout=5000)
        banner = view.save_banner.text()
        assert any(w in banner for w in words), banner
        assert "stays in the editor" in banner
        assert view.save_label.text() == "Not saved yet"
        assert saved_body(notes_db, row) == "Saved before the trouble. "
        # It keeps retrying on its own; the text is untouched meanwhile.
        qtbot.wait(700)
        assert view.save_banner.isVisible()
        assert view.editor.toPlainText() == text
        assert notes_db.quick_check() == []
        if holder is not None:
            holder.rollback()
            holder.close()
        condition.lift()
        qtbot.waitUntil(lambda: saved_body(notes_db, row) == text, timeout=5000)
        qtbot.waitUntil(lambda: not view.save_banner.isVisible(), timeout=3000)
        qtbot.waitUntil(lambda: view.save_label.text().startswith("Saved"), timeout=3000)
    assert no_dialogs == [], "autosave trouble is a banner, not a dialog"
    window.close()
    assert saved_body(notes_db, row) == text


def test_switching_session_while_the_disk_is_full_keeps_the_text(
        qtbot: QtBot, notes_db: Database, start_app: StartApp,
        no_dialogs: list[str]) -> None:
    window, view, row = _start(qtbot, start_app, notes_db)
    with Condition(view, f"PRAGMA max_page_count={_page_count(notes_db)}") as cond:
        text = _type_big(view)
        with pytest.raises(KnownError) as info:
            view.flush()  # what a view switch or session switch calls first
        assert "could not be saved yet" in info.value.message
        assert "no room" in info.value.message
        copies = list((notes_db.path.parent / "unsaved-notes").glob("session-*.md"))
        assert len(copies) == 1 and "last words" in copies[0].read_text(encoding="utf-8")
        # Opening another session does not drop the queued text: it is still retried.
        select(view, lambda r: r.title == "Last time")
        assert view.saver.pending()
        cond.lift()
        qtbot.waitUntil(lambda: saved_body(notes_db, row) == text, timeout=5000)
    window.close()
    assert no_dialogs == []


def test_quitting_while_read_only_reports_and_keeps_a_private_copy(
        qtbot: QtBot, notes_db: Database, start_app: StartApp,
        no_dialogs: list[str]) -> None:
    import stat

    window, view, row = _start(qtbot, start_app, notes_db)
    with Condition(view, "PRAGMA query_only=ON"):
        QTest.keyClicks(view.editor, "written just before quitting")
        window.close()
        assert any("could not be saved" in m for m in no_dialogs), no_dialogs
        copies = list((notes_db.path.parent / "unsaved-notes").glob("session-*.md"))
        assert len(copies) == 1
        assert "written just before quitting" in copies[0].read_text(encoding="utf-8")
        assert stat.S_IMODE(copies[0].stat().st_mode) == 0o600
    assert saved_body(notes_db, row) == "Saved before the trouble. "
    assert notes_db.quick_check() == []
