"""The notes view in the app as ``mentordesk`` starts it (the ``start_app`` fixture), with
pytest-qt on real SQLite files: autosave on every way out, line commands, call mode,
wrap-up, search, scheduling, and the models."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt, QUrl
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from mentordesk.errors import DiskFull, KnownError
from mentordesk.services.notes import NoteService
from mentordesk.services.sessions import (
    Scope,
    SessionDraft,
    SessionRecord,
    SessionRef,
    SessionService,
)
from mentordesk.storage.database import Database, open_database
from mentordesk.ui.main_window import MainWindow
from mentordesk.ui.notes import autosave, schedule_dialog, wrap_up_dialog
from mentordesk.ui.notes.models import ActionItemsModel, SearchResultsModel, SessionListModel
from mentordesk.ui.notes.view import NotesView
from tests.services.test_notes import add_goal
from tests.services.test_sessions import add_mentee
from tests.support.app_start import StartApp


@pytest.fixture
def notes_db(tmp_path: Path) -> Iterator[Database]:
    """Two mentees: a weekly series (occurrences without rows), a one-off, a held session."""
    db = open_database(tmp_path / "notes.sqlite3")
    a = add_mentee(db, name="Amara Okafor", tz="Asia/Kolkata")
    b = add_mentee(db, name="Ben Schmidt", tz="America/New_York")
    svc = SessionService(db)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    svc.schedule(SessionDraft(a, now + timedelta(days=1), 45, "Europe/Berlin", "Weekly",
                              rrule="FREQ=WEEKLY", agenda="- portfolio"))
    svc.schedule(SessionDraft(b, now + timedelta(days=2), 30, "Europe/Berlin", "One-off"))
    held = svc.schedule(SessionDraft(b, now - timedelta(days=7), 30, "Europe/Berlin",
                                     "Last time"))
    svc.end_call(held.ref.session_id)
    NoteService(db).add_action_item(held.ref.session_id, "Talk about salary",
                                    kind="next_time")
    add_goal(db, a, "Ship the portfolio")
    yield db
    db.close()


def open_window(qtbot: QtBot, start_app: StartApp,
                db: Database) -> tuple[MainWindow, NotesView]:
    """The app started on the test's file as ``mentordesk`` starts it, on the Notes view.
    The window reads and writes through its own connection, ``window.context.db``: a fault
    meant for its saves goes there; ``db`` is the test's own look at the file."""
    window = start_app(db.path).window
    window.show_view("notes")
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    view = window.current_view()
    assert isinstance(view, NotesView)
    qtbot.waitUntil(lambda: view.session_model.total() > 0, timeout=5000)
    return window, view


def select(view: NotesView, match: Callable[[SessionRecord], bool]) -> SessionRecord:
    model = view.session_model
    for r in range(model.rowCount()):
        idx = model.index(r, 0)
        rec = model.record(idx)
        if rec is not None and match(rec):
            view.session_tree.setCurrentIndex(idx)
            assert view.current is not None
            return rec
    raise AssertionError("no such session in the list")


def saved_body(db: Database, session_id: int) -> str:
    note = NoteService(db).find_note(session_id)
    return note.body if note is not None else ""


def test_typing_then_switching_session_saves(qtbot: QtBot, notes_db: Database,
                                             start_app: StartApp, no_dialogs: list[str]
                                             ) -> None:
    window, view = open_window(qtbot, start_app, notes_db)
    select(view, lambda r: r.title == "Weekly")
    assert view.current is not None and view.current.ref.virtual
    QTest.keyClicks(view.editor, "Portfolio review went well")
    # Typing on an occurrence gave it its own row (series_id + original start).
    row = view.row_id
    assert row is not None
    occ = SessionService(notes_db).get(SessionRef(row))
    assert occ.series_id is not None and not occ.ref.virtual
    select(view, lambda r: r.title == "One-off")  # at once, before any debounce
    assert saved_body(notes_db, row) == "Portfolio review went well"
    assert no_dialogs == []
    window.close()


def test_typing_then_switching_view_saves(qtbot: QtBot, notes_db: Database,
                                          start_app: StartApp) -> None:
    window, view = open_window(qtbot, start_app, notes_db)
    select(view, lambda r: r.title == "One-off")
    row = view.current.ref.session_id if view.current else -1
    QTest.keyClicks(view.editor, "switch view now")
    window.show_view("mentees")
    assert saved_body(notes_db, row) == "switch view now"
    window.close()


def test_typing_then_closing_window_saves(qtbot: QtBot, notes_db: Database,
                                          start_app: StartApp) -> None:
    window, view = open_window(qtbot, start_app, notes_db)
    select(view, lambda r: r.title == "Last time")
    row = view.current.ref.session_id if view.current else -1
    QTest.keyClicks(view.editor, "closing right away")
    QTest.keyClicks(view.agenda_edit, "- agenda typed last")
    window.close()
    assert saved_body(notes_db, row) == "closing right away"
    assert SessionService(notes_db).get(SessionRef(row)).agenda == "- agenda typed last"


def test_autosave_commits_within_a_second_without_any_flush(
        qtbot: QtBot, notes_db: Database, start_app: StartApp) -> None:
    window, view = open_window(qtbot, start_app, notes_db)
    select(view, lambda r: r.title == "One-off")
    row = view.current.ref.session_id if view.current else -1
    QTest.keyClicks(view.editor, "debounced")
    qtbot.waitUntil(lambda: saved_body(notes_db, row) == "debounced", timeout=1000)
    qtbot.waitUntil(lambda: view.save_label.text().startswith("Saved"), timeout=1000)
    window.close()


def test_failed_save_keeps_text_shows_banner_and_retries(
        qtbot: QtBot, notes_db: Database, start_app: StartApp,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(autosave, "RETRY_SECONDS", 0.2)
    real = NoteService.save_note_body
    failures = {"left": 2}

    def flaky(self: NoteService, note_id: int, body: str, *,
              expected: str | None = None) -> datetime:
        if failures["left"]:
            failures["left"] -= 1
            raise DiskFull("There is no room left to save to notes.sqlite3.",
                           hint="Free some disk space.")
        return real(self, note_id, body, expected=expected)

    monkeypatch.setattr(NoteService, "save_note_body", flaky)
    window, view = open_window(qtbot, start_app, notes_db)
    select(view, lambda r: r.title == "One-off")
    row = view.current.ref.session_id if view.current else -1
    QTest.keyClicks(view.editor, "precious words")
    view.note_autosave.save_now()
    qtbot.waitUntil(view.save_banner.isVisible, timeout=2000)
    assert "no room" in view.save_banner.text()
    assert view.editor.toPlainText() == "precious words"
    qtbot.waitUntil(lambda: saved_body(notes_db, row) == "precious words", timeout=3000)
    qtbot.waitUntil(lambda: not view.save_banner.isVisible(), timeout=2000)
    window.close()


def test_line_commands_and_ctrl_return_add_action_items(
        qtbot: QtBot, notes_db: Database, start_app: StartApp) -> None:
    window, view = open_window(qtbot, start_app, notes_db)
    select(view, lambda r: r.title == "One-off")
    row = view.current.ref.session_id if view.current else -1
    view.editor.setFocus()
    QTest.keyClicks(view.editor, "/action Send the updated CV")
    QTest.keyClick(view.editor, Qt.Key.Key_Return)
    assert view.editor.toPlainText().startswith("**Action:** Send the updated CV\n")
    QTest.keyClicks(view.editor, "- Book a mock interview")
    view.add_action_action.trigger()  # Ctrl+Return: the current line becomes an item
    texts = [i.text for i in NoteService(notes_db).action_items(row)]
    assert texts == ["Send the updated CV", "Book a mock interview"]
    assert [i.text for i in view.actions_model.items()] == texts
    # Ticking through the model is undoable.
    idx = view.actions_model.index(0, 0)
    view.actions_model.setData(idx, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert NoteService(notes_db).action_items(row)[0].done
    view.context.undo_stack.undo()
    assert not NoteService(notes_db).action_items(row)[0].done
    window.close()
    assert "**Action:** Send the updated CV" in saved_body(notes_db, row)


def test_agenda_shows_carried_items(qtbot: QtBot, notes_db: Database,
                                    start_app: StartApp) -> None:
    window, view = open_window(qtbot, start_app, notes_db)
    select(view, lambda r: r.title == "One-off")
    texts = [i.text for i in view.carried_model.items()]
    assert "Talk about salary" in texts
    assert view.agenda_edit.toPlainText() == ""
    select(view, lambda r: r.title == "Weekly")
    assert view.agenda_edit.toPlainText() == "- portfolio"
    window.close()


def test_join_call_opens_link_and_call_mode_round_trip(
        qtbot: QtBot, notes_db: Database, start_app: StartApp,
        monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(NotesView, "url_opener", staticmethod(
        lambda url: opened.append(QUrl(url).toString())))
    window, view = open_window(qtbot, start_app, notes_db)
    select(view, lambda r: r.title == "Weekly")
    view.join_action.trigger()
    assert opened == ["https://meet.example.org/abc"]
    call = view.call_window
    assert call is not None and call.isVisible()
    assert call.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert view.editor.window() is call
    assert view.current is not None and view.current.started_at is not None
    row = view.row_id
    assert row is not None
    QTest.keyClicks(view.editor, "said during the call")
    call.action_edit.setText("Quick capture")
    QTest.keyClick(call.action_edit, Qt.Key.Key_Return)
    call.close()
    assert view.call_window is None
    assert view.editor.window() is window
    window.show_view("board")
    assert saved_body(notes_db, row) == "said during the call"
    assert [i.text for i in NoteService(notes_db).action_items(row)] == ["Quick capture"]
    window.close()


def test_end_call_wraps_up_and_books_next(qtbot: QtBot, notes_db: Database,
                                          start_app: StartApp,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []

    def fake_exec(dialog: wrap_up_dialog.WrapUpDialog) -> int:
        shown.append(dialog.recap.toPlainText())
        # The next slot is found in the background while the dialog is open.
        qtbot.waitUntil(dialog.book_button.isEnabled, timeout=5000)
        assert dialog.proposal is not None and dialog.proposal.check.ok
        dialog.choice = "book"
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(wrap_up_dialog.WrapUpDialog, "exec", fake_exec)
    window, view = open_window(qtbot, start_app, notes_db)
    rec = select(view, lambda r: r.title == "One-off")
    view.start_action.trigger()
    view.add_action_item("Send the slides")
    before = len(SessionService(notes_db).upcoming(datetime.now(UTC),
                                                   datetime.now(UTC) + timedelta(days=60),
                                                   mentee_id=rec.mentee_id))
    view.end_action.trigger()
    assert shown and "Send the slides" in shown[0]
    assert view.current is not None and view.current.status == "held"
    after = SessionService(notes_db).upcoming(datetime.now(UTC),
                                              datetime.now(UTC) + timedelta(days=60),
                                              mentee_id=rec.mentee_id)
    assert len(after) == before + 1
    window.close()


def test_search_opens_the_hit_at_its_place(qtbot: QtBot, notes_db: Database,
                                           start_app: StartApp) -> None:
    window, view = open_window(qtbot, start_app, notes_db)
    rec = select(view, lambda r: r.title == "Last time")
    QTest.keyClicks(view.editor, "Intro line.")
    QTest.keyClick(view.editor, Qt.Key.Key_Return)
    QTest.keyClicks(view.editor, "We rehearsed the negotiation script.")
    select(view, lambda r: r.title == "One-off")
    view.search_action.trigger()
    dialog = view.search_dialog
    dialog.field.setText("negoti")
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=3000)
    hit = dialog.model.hit(0)
    assert hit is not None and hit.kind == "note"
    assert "negotiation" in hit.highlighted_words()
    dialog.open_current()
    assert view.current is not None and view.current.ref.session_id == rec.ref.session_id
    assert view.editor.textCursor().selectedText() == "negotiation"
    window.close()


def test_new_session_through_dialog_and_undo(qtbot: QtBot, notes_db: Database,
                                             start_app: StartApp,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    window, view = open_window(qtbot, start_app, notes_db)
    when = (datetime.now(UTC) + timedelta(days=3)).replace(hour=9, minute=0, second=0,
                                                           microsecond=0)
    mentees = SessionService(notes_db).mentee_choices()
    monkeypatch.setattr(schedule_dialog.ScheduleDialog, "ask", classmethod(
        lambda cls, *a, **k: schedule_dialog.ScheduleResult(mentees[0].id, when, 30, "Planned",
                                                    None, Scope.ONE)))
    count = view.session_model.total()
    view.new_action.trigger()
    qtbot.waitUntil(lambda: view.session_model.total() == count + 1, timeout=3000)
    qtbot.waitUntil(lambda: view.current is not None and view.current.title == "Planned",
                    timeout=3000)
    view.context.undo_stack.undo()
    qtbot.waitUntil(lambda: view.session_model.total() == count, timeout=3000)
    window.close()


def test_models_pass_the_model_tester(qtbot: QtBot, qtmodeltester: object,
                                      notes_db: Database, start_app: StartApp) -> None:
    window, view = open_window(qtbot, start_app, notes_db)
    qtmodeltester.check(view.session_model)  # type: ignore[attr-defined]
    select(view, lambda r: r.title == "One-off")
    view.add_action_item("Check the model")
    qtmodeltester.check(view.actions_model)  # type: ignore[attr-defined]
    results = SearchResultsModel()
    from mentordesk.services.search import SearchService

    results.set_hits(SearchService(notes_db).search("portfolio"))
    assert results.rowCount() > 0
    qtmodeltester.check(results)  # type: ignore[attr-defined]
    empty = SessionListModel()
    qtmodeltester.check(empty)  # type: ignore[attr-defined]
    assert empty.record(QModelIndex()) is None
    qtmodeltester.check(ActionItemsModel())  # type: ignore[attr-defined]
    window.close()
    assert QApplication.instance() is not None


def test_focus_loss_hands_the_text_over_at_once(qtbot: QtBot, notes_db: Database,
                                                start_app: StartApp) -> None:
    window, view = open_window(qtbot, start_app, notes_db)
    select(view, lambda r: r.title == "One-off")
    row = view.current.ref.session_id if view.current else -1
    view.editor.setFocus()
    qtbot.waitUntil(view.editor.hasFocus)
    QTest.keyClicks(view.editor, "focus leaves")
    view.action_edit.setFocus()
    qtbot.waitUntil(lambda: not view.editor.hasFocus())
    # No debounce ran: the focus change alone submitted the text; wait for the commit only.
    assert not view.note_autosave.dirty
    assert view.saver.flush()
    assert saved_body(notes_db, row) == "focus leaves"
    window.close()


def test_reschedule_one_occurrence_and_undo(qtbot: QtBot, notes_db: Database,
                                            start_app: StartApp,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    window, view = open_window(qtbot, start_app, notes_db)
    rec = select(view, lambda r: r.title == "Weekly")
    later = rec.start_utc + timedelta(hours=2)
    monkeypatch.setattr(schedule_dialog.ScheduleDialog, "ask", classmethod(
        lambda cls, *a, **k: schedule_dialog.ScheduleResult(rec.mentee_id or 0, later, 45, "Moved",
                                                    None, Scope.ONE)))
    view.reschedule_action.trigger()
    assert view.current is not None and view.current.start_utc == later
    assert view.current.series_id == rec.ref.session_id
    svc = SessionService(notes_db)
    window_ = (rec.start_utc - timedelta(days=1), rec.start_utc + timedelta(days=20))
    starts = [o.start_utc for o in svc.upcoming(*window_, mentee_id=rec.mentee_id)]
    assert later in starts and rec.start_utc not in starts
    view.context.undo_stack.undo()
    starts = [o.start_utc for o in svc.upcoming(*window_, mentee_id=rec.mentee_id)]
    assert rec.start_utc in starts and later not in starts
    window.close()


def test_report_export_from_the_view(qtbot: QtBot, notes_db: Database,
                                     start_app: StartApp, tmp_path: Path) -> None:
    window, view = open_window(qtbot, start_app, notes_db)
    select(view, lambda r: r.title == "Weekly")
    target = tmp_path / "amara.pdf"
    view.write_report("Amara Okafor", target)
    assert target.read_bytes().startswith(b"%PDF")
    view.write_report("Amara Okafor", tmp_path / "amara.md")
    assert "Ship the portfolio" in (tmp_path / "amara.md").read_text(encoding="utf-8")
    window.close()


def test_link_goal_and_delete_action_item_with_undo(qtbot: QtBot, notes_db: Database,
                                                    start_app: StartApp) -> None:
    window, view = open_window(qtbot, start_app, notes_db)
    select(view, lambda r: r.title == "Weekly")
    view.add_action_item("Polish the case study")
    row = view.row_id
    assert row is not None
    item = view.actions_model.item(0)
    assert item is not None
    goal = next(g for g in view._goals if g.title == "Ship the portfolio")
    view._link(item, goal.id)
    linked = NoteService(notes_db).action_items(row)[0]
    assert linked.goal_title == "Ship the portfolio"
    assert [g.title for g in NoteService(notes_db).goals_touched(row)] == ["Ship the portfolio"]
    view.actions_list.setFocus()
    view.actions_list.setCurrentIndex(view.actions_model.index(0, 0))
    QTest.keyClick(view.actions_list, Qt.Key.Key_Delete)
    assert NoteService(notes_db).action_items(row) == []
    view.context.undo_stack.undo()
    restored = NoteService(notes_db).action_items(row)
    assert [i.text for i in restored] == ["Polish the case study"]
    assert restored[0].goal_id == goal.id
    window.close()


def test_unsavable_edits_go_to_a_private_recovery_copy(
        qtbot: QtBot, notes_db: Database, start_app: StartApp,
        monkeypatch: pytest.MonkeyPatch, no_dialogs: list[str]) -> None:
    import stat

    def broken(self: NoteService, note_id: int, body: str, *,
               expected: str | None = None) -> datetime:
        raise DiskFull("There is no room left to save to notes.sqlite3.")

    monkeypatch.setattr(autosave, "RETRY_SECONDS", 0.1)
    monkeypatch.setattr(NoteService, "save_note_body", broken)
    window, view = open_window(qtbot, start_app, notes_db)
    select(view, lambda r: r.title == "One-off")
    QTest.keyClicks(view.editor, "cannot be lost")
    with pytest.raises(KnownError) as exc:
        view.flush()
    assert "no room" in exc.value.message
    copies = list((notes_db.path.parent / "unsaved-notes").glob("session-*.md"))
    assert len(copies) == 1 and "cannot be lost" in copies[0].read_text(encoding="utf-8")
    assert stat.S_IMODE(copies[0].stat().st_mode) == 0o600
    assert view.editor.toPlainText() == "cannot be lost"
    window.close()  # the main window reports it instead of losing it
    assert any("could not be saved" in m for m in no_dialogs)
    monkeypatch.undo()


def test_an_edit_the_file_refuses_is_shown_and_leaves_nothing_to_undo(
        qtbot: QtBot, notes_db: Database, start_app: StartApp,
        monkeypatch: pytest.MonkeyPatch, no_dialogs: list[str]) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise DiskFull("There is no room left to save to notes.sqlite3.")

    window, view = open_window(qtbot, start_app, notes_db)
    select(view, lambda r: r.title == "One-off")
    stack = view.context.undo_stack
    stack.clear()
    monkeypatch.setattr(NoteService, "add_action_item", refuse)
    view.add_action_item("Never stored")
    monkeypatch.setattr(SessionService, "schedule", refuse)
    mentees = SessionService(notes_db).mentee_choices()
    monkeypatch.setattr(schedule_dialog.ScheduleDialog, "ask", classmethod(
        lambda cls, *a, **k: schedule_dialog.ScheduleResult(
            mentees[0].id, datetime.now(UTC) + timedelta(days=3), 30, "Never planned",
            None, Scope.ONE)))
    view.new_action.trigger()
    assert stack.count() == 0 and not stack.canUndo()
    assert [m for m in no_dialogs if "no room" in m] == [
        "There is no room left to save to notes.sqlite3."] * 2
    assert view.actions_model.items() == []
    window.close()


def test_the_notes_view_says_when_it_answers(qtbot: QtBot, start_app: StartApp,
                                             notes_db: Database) -> None:
    """Start-up carries on (sync, the other views) once the first view is ready: a start on
    the Notes view waited for the fallback timer when the view never said so."""
    window = start_app(notes_db.path).window
    view = window.ensure_view("notes")
    assert isinstance(view, NotesView)
    with qtbot.waitSignal(view.ready, timeout=2000):
        window.show_view("notes")
    assert view.session_model.total() > 0
    # Once only: a later reload is no start-up.
    with qtbot.assertNotEmitted(view.ready, wait=300):
        view.refresh()
        qtbot.waitUntil(lambda: view.session_model.total() > 0)
