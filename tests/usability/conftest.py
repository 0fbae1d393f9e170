"""A small real desk for the usability tests: a SQLite file in a tmp dir with two mentees,
goals on the board and sessions (a weekly series, a one-off), and the app started on it as
``mentordesk`` starts it (the ``start_app`` fixture)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from mentordesk.services import goals
from mentordesk.services.goals import GoalDraft, MilestoneDraft
from mentordesk.services.sessions import SessionDraft, SessionService
from mentordesk.storage.database import Database, open_database
from mentordesk.storage.schema import Mentee
from mentordesk.ui.main_window import MainWindow
from mentordesk.ui.notes.view import NotesView
from tests.support.app_start import StartApp
from tests.usability.helpers import click


@dataclass
class Desk:
    db: Database
    path: Path
    settings: QSettings
    amara: int
    ben: int
    goal: int
    columns: dict[str, int]
    start_app: StartApp


def add_mentee(db: Database, name: str, tz: str, interval: int = 2,
               unit: str = "weeks") -> int:
    with db.transaction() as s:
        m = Mentee(name=name, timezone=tz, cadence_interval=interval, cadence_unit=unit,
                   meeting_link="https://meet.example.org/abc")
        s.add(m)
        s.flush()
        return m.id


@pytest.fixture
def desk(tmp_path: Path, qt_settings: QSettings, start_app: StartApp) -> Iterator[Desk]:
    path = tmp_path / "desk.sqlite3"
    db = open_database(path)
    amara = add_mentee(db, "Amara Okafor", "Asia/Kolkata")
    ben = add_mentee(db, "Ben Schmidt", "America/New_York")
    columns = {c.status_key or c.name: c.id for c in goals.load_board(db).columns}
    goal = goals.create_goal(db, amara, GoalDraft(
        title="Ship 3 portfolio case studies", target_value=3, target_unit="case studies",
        milestones=(MilestoneDraft("Outline", True), MilestoneDraft("Draft"))),
        columns["not_started"])
    svc = SessionService(db)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    svc.schedule(SessionDraft(ben, now + timedelta(days=3), 30, "Europe/Berlin", "One-off"))
    assert isinstance(qt_settings, QSettings)
    yield Desk(db, path, qt_settings, amara, ben, goal, columns, start_app)
    # A window a test built on desk.db itself closes before the file (start_app quits its own).
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget.context.db is db:
            widget.close()
            widget.deleteLater()
    QApplication.processEvents()
    db.close()


def open_window(qtbot: QtBot, desk: Desk, view: str = "mentees") -> MainWindow:
    """The app started on the desk's file as ``mentordesk`` starts it, at 1280x800, on
    ``view``. The window has its own connection to the file; ``desk.db`` is the test's."""
    window = desk.start_app(desk.path, settings=desk.settings).window
    window.resize(1280, 800)
    window.show_view(view)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def notes_view(qtbot: QtBot, desk: Desk) -> NotesView:
    """The app on its Notes view, its session list loaded."""
    window = open_window(qtbot, desk, "notes")
    view = window.current_view()
    assert isinstance(view, NotesView)
    qtbot.waitUntil(lambda: view.session_model.total() > 0, timeout=5000)
    return view


def click_session(qtbot: QtBot, view: NotesView, title: str) -> None:
    """Click the session called ``title`` in the Notes list and wait until it is open."""
    model = view.session_model
    for r in range(model.rowCount()):
        index = model.index(r, 0)
        rec = model.record(index)
        if rec is not None and rec.title == title:
            view.session_tree.scrollTo(index)
            click(view.session_tree.viewport(), view.session_tree.visualRect(index).center())
            qtbot.waitUntil(lambda: view.current is not None and view.current.title == title)
            return
    raise AssertionError(f"no session {title!r} in the list")
