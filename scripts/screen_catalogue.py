"""Every view and dialog of MentorDesk, opened on a demo database as a mentor sees them.

``scripts/screenshots.py`` grabs each one in light and dark, and the layout test
(``tests/usability/test_layouts.py``, through ``tests/usability/layout_child.py``) walks
each one for clipped text and overlapping widgets: both cover the same list, so a new
dialog added here is checked and pictured.

    for name, widget in screens(window, db):   # the widget is shown and settled
        ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from mentordesk.storage.database import Database
    from mentordesk.ui.main_window import MainWindow

WIDTH, HEIGHT = 1280, 800


def pump(seconds: float) -> None:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)


def dark_palette() -> QPalette:
    """A dark system palette, as a desktop in dark mode hands one to Qt."""
    p = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    colours = {
        role.Window: "#202124", role.WindowText: "#e8eaed", role.Base: "#17181a",
        role.AlternateBase: "#2a2b2e", role.ToolTipBase: "#303134", role.ToolTipText: "#e8eaed",
        role.PlaceholderText: "#9aa0a6", role.Text: "#e8eaed", role.Button: "#2d2e31",
        role.ButtonText: "#e8eaed", role.BrightText: "#ffffff", role.Light: "#3c4043",
        role.Midlight: "#303134", role.Mid: "#5f6368", role.Dark: "#121212",
        role.Shadow: "#000000", role.Highlight: "#8ab4f8", role.HighlightedText: "#202124",
        role.Link: "#8ab4f8", role.LinkVisited: "#c58af9",
    }
    for r, value in colours.items():
        p.setColor(r, QColor(value))
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(group.Disabled, r, QColor("#80868b"))
    return p


def use_palette(app: QApplication, dark: bool) -> None:
    """Light or dark as the system would set it; the style sheet follows (it only uses
    palette() colours)."""
    from mentordesk.ui.app import stylesheet

    style = app.style()
    app.setPalette(dark_palette() if dark else style.standardPalette())
    app.setStyleSheet(stylesheet())


def _settle(widget: QWidget, seconds: float = 0.4) -> QWidget:
    widget.show()
    widget.raise_()
    pump(seconds)
    return widget


def screens(window: MainWindow, db: Database) -> Iterator[tuple[str, QWidget]]:
    """Yield (name, widget) for every view and dialog, each shown and settled; a dialog is
    closed when the caller asks for the next one."""
    from mentordesk.errors import KnownError
    from mentordesk.services import goals
    from mentordesk.services.mentees import MenteeInput, MenteeService
    from mentordesk.services.search import SearchService
    from mentordesk.services.sessions import SessionService
    from mentordesk.ui.about import AboutDialog
    from mentordesk.ui.board.editor import GoalEditor
    from mentordesk.ui.board.view import BoardView
    from mentordesk.ui.mentees.editor import MenteeEditor
    from mentordesk.ui.mentees.view import MenteesView
    from mentordesk.ui.notes.call_window import CallWindow
    from mentordesk.ui.notes.schedule_dialog import ScheduleDialog
    from mentordesk.ui.notes.search_dialog import SearchDialog
    from mentordesk.ui.notes.view import NotesView
    from mentordesk.ui.notes.wrap_up_dialog import WrapUpDialog

    window.resize(WIDTH, HEIGHT)
    window.show()
    mentor = "Europe/Berlin"
    service = MenteeService(db)

    # -- the views ---------------------------------------------------------------------
    window.show_view("mentees")
    mentees = window.current_view()
    assert isinstance(mentees, MenteesView)
    for _ in range(300):
        if mentees.loaded:
            break
        pump(0.02)
    rows = [r for r in mentees.model.all_rows() if not r.archived]
    pick = next((r for r in rows if r.meeting_link and r.last_held is not None), rows[0])
    mentees.select_mentee(pick.id)
    pump(0.6)
    yield "mentees", window

    window.show_view("board")
    board = window.current_view()
    assert isinstance(board, BoardView)
    pump(0.8)
    yield "board", window

    window.show_view("notes")
    notes = window.current_view()
    assert isinstance(notes, NotesView)
    NotesView.url_opener = staticmethod(lambda url: QUrl(url))
    pump(0.8)
    sessions = SessionService(db)
    recent = sessions.recent(limit=5)
    if recent:
        notes.open_session(recent[0])
    pump(0.6)
    yield "notes", window

    # -- dialogs -----------------------------------------------------------------------
    def dialog(name: str, make: Callable[[], QWidget],
               prepare: Callable[[QWidget], object] | None = None) -> Iterator[
                   tuple[str, QWidget]]:
        widget = make()
        try:
            _settle(widget)
            if prepare is not None:
                prepare(widget)
                pump(0.3)
            yield name, widget
        finally:
            done = getattr(widget, "done", None)
            if callable(done):
                done(0)  # closed without the "Discard changes?" question
            widget.close()
            widget.deleteLater()
            pump(0.05)

    tags = service.all_tags()
    yield from dialog("mentee-form-new", lambda: MenteeEditor(
        window, "New mentee", MenteeInput(name=""), tags))
    details = service.get(pick.id)

    def bad_zone(widget: QWidget) -> None:
        assert isinstance(widget, MenteeEditor)
        widget.zone.setText("Mars/Olympus")
        widget.zone.popup.hide()

    yield from dialog("mentee-form-zone-error", lambda: MenteeEditor(
        window, f"Edit {pick.name}", details.data, tags), bad_zone)

    board_data = goals.load_board(db)
    card = next((c for c in board_data.cards if c.target), board_data.cards[0])
    goal_details = goals.get_goal(db, card.id)
    yield from dialog("goal-editor", lambda: GoalEditor(board_data.columns, goal_details,
                                                        parent=window))

    def links_tab(widget: QWidget) -> None:
        assert isinstance(widget, GoalEditor)
        widget.tabs.setCurrentIndex(1)

    yield from dialog("goal-editor-links", lambda: GoalEditor(
        board_data.columns, goal_details, parent=window), links_tab)
    yield from dialog("goal-new", lambda: GoalEditor(
        board_data.columns, None, mentees=goals.mentee_choices(db), mentee_id=pick.id,
        parent=window))

    choices = sessions.mentee_choices()
    yield from dialog("plan-session", lambda: ScheduleDialog(
        choices, mentor, parent=window, mentee_id=pick.id,
        start=datetime.now(UTC) + timedelta(days=3)))

    def wrap() -> QWidget:
        from mentordesk.services.notes import NoteService

        rec = sessions.recent(limit=1)[0]
        recap = NoteService(db).recap_markdown(rec.ref.session_id)
        box = WrapUpDialog(recap, None, rec.mentee_name, "", window)
        mentee_id = rec.mentee_id or pick.id
        try:
            box.set_proposal(sessions.propose_after_call(mentee_id, mentor=mentor))
        except KnownError:  # a picture without a proposal is still a picture
            box.set_proposal(None, "No slot in both working days.")
        return box

    yield from dialog("wrap-up", wrap)

    def search_for(widget: QWidget) -> None:
        assert isinstance(widget, SearchDialog)
        widget.field.setText("portfolio")
        for _ in range(100):
            if widget.model.rowCount():
                break
            pump(0.05)

    yield from dialog("search", lambda: SearchDialog(SearchService(db), mentor, window),
                      search_for)
    yield from dialog("call-window", lambda: CallWindow(
        f"Check-in · {pick.name}", "- Portfolio review\n- Salary talk\n- Next steps"))
    yield from dialog("about", lambda: AboutDialog(db.path, window))

    from mentordesk.ui.shortcuts_dialog import ShortcutsDialog

    yield from dialog("keyboard-shortcuts", lambda: ShortcutsDialog(window))

    from mentordesk.ui.sync.controller import SyncController
    from mentordesk.ui.sync.settings_dialog import GoogleCalendarDialog

    controller = SyncController(db, parent=window)
    yield from dialog("google-calendar", lambda: GoogleCalendarDialog(controller,
                                                                      parent=window))


__all__ = ["HEIGHT", "WIDTH", "dark_palette", "pump", "screens", "use_palette"]
