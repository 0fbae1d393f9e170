"""Forms keep what a mentor typed, neither losing nor corrupting it. Every step is a real
key press or click, delivered the way Qt delivers a keyboard's and a mouse's."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from mentordesk.services import goals
from mentordesk.services.mentees import MenteeInput
from mentordesk.ui.board.editor import GoalEditor
from mentordesk.ui.board.view import BoardView
from mentordesk.ui.mentees.editor import MenteeEditor
from tests.usability.conftest import Desk, open_window
from tests.usability.helpers import answer_next_message_box, button_named, click, press


def board_of(qtbot: QtBot, desk: Desk) -> BoardView:
    window = open_window(qtbot, desk, "board")
    view = window.current_view()
    assert isinstance(view, BoardView)
    qtbot.waitUntil(lambda: view.board.total() == 1, timeout=5000)
    return view


def open_editor(qtbot: QtBot, view: BoardView, goal_id: int) -> GoalEditor:
    editor = view.edit_goal(goal_id)
    assert editor is not None
    qtbot.waitUntil(editor.isVisible)
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor)
    return editor


def test_enter_in_the_milestone_field_adds_it_and_keeps_the_editor_open(
        qtbot: QtBot, desk: Desk, no_dialogs: list[str]) -> None:
    view = board_of(qtbot, desk)
    editor = open_editor(qtbot, view, desk.goal)
    click(editor.new_milestone)
    assert editor.new_milestone.hasFocus()
    QTest.keyClicks(editor.new_milestone, "Get feedback from two designers")
    press(editor.new_milestone, Qt.Key.Key_Return)
    # The milestone is in the list, the field is empty for the next one, nothing was saved.
    assert editor.isVisible() and view.editor is editor
    assert [m.title for m in editor.milestones.items][-1] == "Get feedback from two designers"
    assert editor.new_milestone.text() == ""
    assert len(goals.get_goal(desk.db, desk.goal).draft.milestones) == 2
    # The Add button does the same.
    QTest.keyClicks(editor.new_milestone, "Publish")
    click(editor.add_milestone_button)
    assert [m.title for m in editor.milestones.items][-1] == "Publish"
    # Enter in the title field stays there too; Ctrl+Enter saves.
    click(editor.title_edit)
    press(editor.title_edit, Qt.Key.Key_Return)
    assert editor.isVisible()
    press(editor.title_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.editor is None)
    draft = goals.get_goal(desk.db, desk.goal).draft
    assert draft.title == "Ship 3 portfolio case studies"
    assert [m.title for m in draft.milestones] == [
        "Outline", "Draft", "Get feedback from two designers", "Publish"]
    assert no_dialogs == []


def test_escape_on_a_filled_in_new_goal_asks_before_discarding(
        qtbot: QtBot, desk: Desk, no_dialogs: list[str]) -> None:
    view = board_of(qtbot, desk)
    view.context.select_mentee(desk.ben)
    editor = view.new_goal()
    assert editor is not None
    qtbot.waitUntil(editor.isVisible)
    editor.activateWindow()
    QTest.keyClicks(editor.title_edit, "Give a conference talk")
    asked: list[str] = []
    answer_next_message_box(lambda box: None, asked)  # Escape on the question: keep editing
    press(editor.title_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: bool(asked))
    assert asked == ["Discard your goal?"]
    assert editor.isVisible() and editor.title_edit.text() == "Give a conference talk"
    # The window's close button asks the same; Discard closes it.
    answer_next_message_box(lambda box: button_named(box, "Discard"), asked)
    editor.close()  # what the title bar's close button does
    qtbot.waitUntil(lambda: view.editor is None)
    assert len(asked) == 2
    assert len(goals.load_board(desk.db).cards) == 1


def test_escape_on_an_untouched_form_closes_without_asking(
        qtbot: QtBot, desk: Desk) -> None:
    view = board_of(qtbot, desk)
    editor = open_editor(qtbot, view, desk.goal)
    press(editor.title_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: view.editor is None)
    assert not isinstance(QApplication.activeModalWidget(), QMessageBox)


def show_mentee_form(qtbot: QtBot) -> MenteeEditor:
    form = MenteeEditor(None, "New mentee", MenteeInput(name=""))
    qtbot.addWidget(form)
    form.open()
    qtbot.waitExposed(form)
    form.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form)
    return form


def test_escape_on_a_filled_in_new_mentee_asks_before_discarding(qtbot: QtBot) -> None:
    form = show_mentee_form(qtbot)
    QTest.keyClicks(form.name, "Chidi Anagonye")
    press(form.name, Qt.Key.Key_Tab)
    QTest.keyClicks(form.email, "chidi@example.org")
    # Enter in a field neither saves nor closes the form.
    press(form.email, Qt.Key.Key_Return)
    assert form.isVisible() and form.result() == 0
    asked: list[str] = []
    answer_next_message_box(lambda box: button_named(box, "Keep editing"), asked)
    press(form.email, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: bool(asked))
    assert asked == ["Discard your changes to this mentee?"]
    assert form.isVisible() and form.value().email == "chidi@example.org"
    answer_next_message_box(lambda box: button_named(box, "Discard"), asked)
    press(form.email, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not form.isVisible())


def test_tab_takes_the_only_time_zone_suggestion(qtbot: QtBot) -> None:
    form = show_mentee_form(qtbot)
    click(form.zone)
    press(form.zone, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # over "UTC"
    QTest.keyClicks(form.zone, "Tokyo")
    popup = form.zone.popup
    qtbot.waitUntil(popup.isVisible)
    press(form.zone, Qt.Key.Key_Tab)
    assert form.zone.text() == "Asia/Tokyo"
    assert not popup.isVisible()
    assert not form.zone.hasFocus()  # Tab moved on, as Tab does
    assert "error" not in form.zone_hint.text().lower() and form.zone_hint.text()


def test_a_full_zone_name_closes_the_list_so_the_next_click_lands(qtbot: QtBot) -> None:
    form = show_mentee_form(qtbot)
    click(form.zone)
    press(form.zone, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # over "UTC"
    QTest.keyClicks(form.zone, "America/Sao_Paul")
    popup = form.zone.popup
    qtbot.waitUntil(popup.isVisible)
    QTest.keyClicks(form.zone, "o")
    assert not popup.isVisible()
    click(form.link)
    assert form.link.hasFocus()
    focused = QApplication.focusWidget()
    assert focused is not None
    QTest.keyClicks(focused, "https://meet.example.org/x")
    assert form.zone.zone() == "America/Sao_Paulo"
    assert form.link.text() == "https://meet.example.org/x"
