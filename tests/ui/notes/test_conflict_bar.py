"""Two desks of one mentor write the same note at once (two real SQLite files replicating
through a real PostgreSQL): both texts are kept, and the mentor settles them in the Notes
view with one click, which then reaches the other desk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from sqlalchemy import select as sql_select

from mentordesk.services.note_conflicts import START
from mentordesk.storage.database import Database
from mentordesk.storage.schema import Mentee, Note
from mentordesk.storage.schema import Session as SessionRow
from tests.support.app_start import StartApp
from tests.support.team_helpers import settle
from tests.support.team_server import Team, joined
from tests.ui.notes.test_view import open_window, select


def _note(db: Database) -> str:
    with db.reader() as s:
        return str(s.scalars(sql_select(Note.body)).one())


def _write(db: Database, body: str) -> None:
    with db.transaction() as s:
        note = s.scalars(sql_select(Note)).one()
        note.body = body


def test_two_versions_of_a_note_are_settled_in_the_notes_view(
        qtbot: QtBot, team: Team, desk_factory: Any, start_app: StartApp) -> None:
    code = team.invite("mentor")
    laptop = desk_factory("laptop")
    with laptop.transaction() as s:
        mentee = Mentee(name="Ada")
        s.add(mentee)
        s.flush()
        session = SessionRow(mentee_id=mentee.id, title="Review",
                             start_utc=datetime.now(UTC) - timedelta(days=1), status="held")
        s.add(session)
        s.flush()
        s.add(Note(mentee_id=mentee.id, session_id=session.id, body="Plan"))
        session_id = session.id
    joined(laptop, code)
    desktop = joined(desk_factory("desktop"), code)
    settle(laptop, desktop)
    _write(laptop, "Plan, and what we said on the laptop")
    _write(desktop, "Plan, and what we said on the desktop")
    settle(laptop, desktop)
    merged = _note(desktop)
    assert START in merged and "laptop" in merged and "desktop" in merged

    window, view = open_window(qtbot, start_app, desktop)
    select(view, lambda r: r.ref.session_id == session_id)
    bar = view.editor_panel.two_versions
    qtbot.waitUntil(bar.isVisible, timeout=3000)
    QTest.mouseClick(bar.keep_both, Qt.MouseButton.LeftButton)
    text = view.editor.toPlainText()
    assert START not in text and "laptop" in text and "desktop" in text
    assert not bar.isVisible()
    view.note_autosave.save_now()
    assert view.saver.flush()
    window.close()
    settle(laptop, desktop)
    assert _note(laptop) == _note(desktop) == text
