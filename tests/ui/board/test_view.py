"""The Goal board with pytest-qt: drag and drop, keyboard moves, undo/redo, filters, the
goal editor, columns, empty states. Every move is checked again in a freshly opened
database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QModelIndex, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mentordesk.services import goals
from mentordesk.services.goals import GoalDraft, MilestoneDraft, StoryEvent
from mentordesk.storage.database import Database, open_database
from mentordesk.storage.schema import Mentee, MenteeTag, SessionGoal, Tag
from mentordesk.ui.app import build_context, create_application
from mentordesk.ui.board import view as board_view
from mentordesk.ui.board.editor_models import LinksModel, MilestonesModel, StoryModel
from mentordesk.ui.board.models import GOAL_MIME, encode_goal_ids
from mentordesk.ui.board.view import BoardView, ColumnWidget
from mentordesk.ui.context import Change


@dataclass
class Env:
    view: BoardView
    db: Database
    path: Path
    ana: int
    ben: int
    tag: int
    a1: int
    a2: int
    b1: int
    a3: int
    cols: dict[str, int]


def persisted(path: Path) -> dict[str, list[int]]:
    """Column key -> goal ids in order, read through a brand-new connection."""
    fresh = open_database(path)
    try:
        board = goals.load_board(fresh)
        return {c.status_key or c.name: [g.id for g in board.cards_in(c.id)]
                for c in board.columns}
    finally:
        fresh.close()


def shown(view: BoardView) -> dict[str, list[int]]:
    return {w.column.status_key or w.column.name:
            [w.proxy.card(r).id for r in range(w.proxy.rowCount())]
            for w in view.column_widgets}


def make_view(qtbot: QtBot, db: Database, settings: QSettings) -> BoardView:
    create_application()
    view = BoardView(build_context(db, settings))
    qtbot.addWidget(view)
    view.resize(1200, 700)
    # waitExposed waits when its with-block ends: called on its own it does nothing.
    with qtbot.waitExposed(view):
        view.show()
    qtbot.waitUntil(lambda: view._ever_loaded and not view._loading, timeout=5000)
    return view


@pytest.fixture
def env(qtbot: QtBot, db_path: Path, qt_settings: QSettings,
        no_dialogs: list[str]) -> Iterator[Env]:
    db = open_database(db_path)
    with db.transaction() as s:
        ana, ben = Mentee(name="Ana"), Mentee(name="Ben")
        tag = Tag(name="design")
        s.add_all([ana, ben, tag])
        s.flush()
        s.add(MenteeTag(mentee_id=ana.id, tag_id=tag.id))
        ids = (ana.id, ben.id, tag.id)
    cols = {c.status_key or "": c.id for c in goals.load_board(db).columns}
    a1 = goals.create_goal(db, ids[0], GoalDraft(
        title="Ship 3 portfolio pieces", target_value=3, target_unit="portfolio pieces",
        milestones=(MilestoneDraft("Outline", True), MilestoneDraft("Draft"))),
        cols["not_started"])
    a2 = goals.create_goal(db, ids[0], GoalDraft(title="Run 5 interviews"), cols["not_started"])
    b1 = goals.create_goal(db, ids[1], GoalDraft(title="Give a talk"), cols["not_started"])
    a3 = goals.create_goal(db, ids[0], GoalDraft(title="Read 4 books"), cols["in_progress"])
    view = make_view(qtbot, db, qt_settings)
    qtbot.waitUntil(lambda: view.board.total() == 4)
    yield Env(view, db, db_path, *ids, a1, a2, b1, a3, cols)
    view.close()
    db.close()


def editor_closed(view: BoardView) -> bool:
    return view.editor is None


def column(view: BoardView, key: str) -> ColumnWidget:
    return next(w for w in view.column_widgets if w.column.status_key == key)


def select_card(view: BoardView, goal_id: int) -> ColumnWidget:
    view.reveal(goal_id)
    located = view.board.locate(goal_id)
    assert located is not None
    widget = column(view, located[0].column.status_key or "")
    assert view.current_card() is not None and view.current_card().id == goal_id  # type: ignore[union-attr]
    return widget


def activate(qtbot: QtBot, view: BoardView) -> None:
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)


def test_board_shows_columns_and_cards(env: Env) -> None:
    assert [w.column.name for w in env.view.column_widgets] == [
        "Not started", "In progress", "Blocked", "Done"]
    assert shown(env.view)["not_started"] == [env.a1, env.a2, env.b1]
    assert column(env.view, "not_started").count_label.text() == "3"
    card = column(env.view, "not_started").proxy.card(0)
    assert card.target == "3 portfolio pieces" and card.progress.percent == 50
    summary = column(env.view, "not_started").proxy.index(0, 0).data(
        Qt.ItemDataRole.AccessibleTextRole)
    assert "Ship 3 portfolio pieces, for Ana" in summary and "1 of 2 milestones" in summary


def test_models_pass_qtmodeltester(env: Env, qtmodeltester: object) -> None:
    widget = column(env.view, "not_started")
    qtmodeltester.check(widget.model)  # type: ignore[attr-defined]
    widget.proxy.set_filter(frozenset({env.ana}), "")
    qtmodeltester.check(widget.proxy)  # type: ignore[attr-defined]
    qtmodeltester.check(MilestonesModel([MilestoneDraft("a"), MilestoneDraft("b", True)]))  # type: ignore[attr-defined]
    qtmodeltester.check(LinksModel([goals.LinkDraft("Plan", "https://x.org")]))  # type: ignore[attr-defined]
    story = StoryModel()
    story.set_events([StoryEvent(datetime(2026, 1, 1, tzinfo=UTC), "note", "Note", "text")])
    qtmodeltester.check(story)  # type: ignore[attr-defined]


def test_drop_across_columns_persists_and_undoes(env: Env) -> None:
    source = column(env.view, "not_started")
    target = column(env.view, "in_progress")
    mime = source.proxy.mimeData([source.proxy.index(1, 0)])
    assert mime.hasFormat(GOAL_MIME)
    # Dropped above the first card of "In progress".
    assert target.proxy.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    expected = {"not_started": [env.a1, env.b1], "in_progress": [env.a2, env.a3],
                "blocked": [], "done": []}
    assert shown(env.view) == expected
    assert persisted(env.path) == expected
    assert env.view.current_card() is not None and env.view.current_card().id == env.a2  # type: ignore[union-attr]
    stack = env.view.context.undo_stack
    assert stack.undoText().startswith("Move “Run 5 interviews” to In progress")
    stack.undo()
    original = {"not_started": [env.a1, env.a2, env.b1], "in_progress": [env.a3],
                "blocked": [], "done": []}
    assert shown(env.view) == original
    assert persisted(env.path) == original
    stack.redo()
    assert shown(env.view) == expected
    assert persisted(env.path) == expected


def _send_drop(qtbot: QtBot, widget: ColumnWidget, pos: QPoint, mime: QMimeData) -> None:
    viewport = widget.view.viewport()
    point = QPointF(pos)
    actions = Qt.DropAction.MoveAction
    buttons = Qt.MouseButton.LeftButton
    mods = Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, actions, mime, buttons, mods)
    QApplication.sendEvent(viewport, enter)
    move = QDragMoveEvent(pos, actions, mime, buttons, mods)
    QApplication.sendEvent(viewport, move)
    assert move.isAccepted()
    drop = QDropEvent(point, actions, mime, buttons, mods)
    QApplication.sendEvent(viewport, drop)


def test_drop_event_on_the_column_view_lands_where_pointed(qtbot: QtBot, env: Env) -> None:
    """A real drop event on the list view: the position decides the slot."""
    target = column(env.view, "not_started")
    second = target.view.visualRect(target.proxy.index(1, 0))
    # The upper edge of the second card: between the first and the second.
    _send_drop(qtbot, target, second.topLeft() + QPoint(20, 2), encode_goal_ids([env.a3]))
    expected = [env.a1, env.a3, env.a2, env.b1]
    assert shown(env.view)["not_started"] == expected
    assert persisted(env.path)["not_started"] == expected
    # Below the last card of the (now empty) "In progress": appended.
    empty = column(env.view, "in_progress")
    _send_drop(qtbot, empty, QPoint(40, empty.view.viewport().height() - 10),
               encode_goal_ids([env.a1]))
    assert persisted(env.path)["in_progress"] == [env.a1]


def test_dragging_a_card_onto_itself_changes_nothing(env: Env) -> None:
    source = column(env.view, "not_started")
    mime = source.proxy.mimeData([source.proxy.index(1, 0)])
    source.proxy.dropMimeData(mime, Qt.DropAction.MoveAction, 1, 0, QModelIndex())
    source.proxy.dropMimeData(mime, Qt.DropAction.MoveAction, 2, 0, QModelIndex())
    assert env.view.context.undo_stack.count() == 0
    assert persisted(env.path)["not_started"] == [env.a1, env.a2, env.b1]


def test_keyboard_moves_persist_and_undo(qtbot: QtBot, env: Env) -> None:
    activate(qtbot, env.view)
    widget = select_card(env.view, env.a1)
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    QTest.keyClick(widget.view, Qt.Key.Key_Down, ctrl_shift)
    assert persisted(env.path)["not_started"] == [env.a2, env.a1, env.b1]
    QTest.keyClick(widget.view, Qt.Key.Key_Right, ctrl_shift)
    after = persisted(env.path)
    # Same row in the next column: second place.
    assert after["not_started"] == [env.a2, env.b1]
    assert after["in_progress"] == [env.a3, env.a1]
    target = column(env.view, "in_progress")
    assert target.view.hasFocus()
    QTest.keyClick(target.view, Qt.Key.Key_Up, ctrl_shift)
    assert persisted(env.path)["in_progress"] == [env.a1, env.a3]
    QTest.keyClick(target.view, Qt.Key.Key_Right, ctrl_shift)
    QTest.keyClick(column(env.view, "blocked").view, Qt.Key.Key_Right, ctrl_shift)
    final = persisted(env.path)
    assert final["done"] == [env.a1]
    with env.db.reader() as s:
        from mentordesk.storage.schema import Goal

        assert s.scalar(select(Goal.completed_at).where(Goal.id == env.a1)) is not None
    stack = env.view.context.undo_stack
    assert stack.count() == 5
    while stack.canUndo():
        stack.undo()
    assert persisted(env.path)["not_started"] == [env.a1, env.a2, env.b1]
    assert shown(env.view)["not_started"] == [env.a1, env.a2, env.b1]
    with env.db.reader() as s:
        from mentordesk.storage.schema import Goal

        assert s.scalar(select(Goal.completed_at).where(Goal.id == env.a1)) is None


def test_arrow_keys_hop_between_columns(qtbot: QtBot, env: Env) -> None:
    activate(qtbot, env.view)
    widget = select_card(env.view, env.a2)
    QTest.keyClick(widget.view, Qt.Key.Key_Right)
    assert env.view.current_card() is not None and env.view.current_card().id == env.a3  # type: ignore[union-attr]
    QTest.keyClick(column(env.view, "in_progress").view, Qt.Key.Key_Left)
    assert env.view.current_card() is not None and env.view.current_card().id == env.a1  # type: ignore[union-attr]


def test_filters_mentee_tag_text_and_selection_carries_over(env: Env) -> None:
    view = env.view
    view.context.select_mentee(env.ben)
    assert shown(view)["not_started"] == [env.b1]
    assert view.filter_key() == ("mentee", env.ben)
    assert view.count_label.text() == "1 of 4 goals"
    view.show_filter("tag", env.tag)
    assert shown(view)["not_started"] == [env.a1, env.a2]
    assert shown(view)["in_progress"] == [env.a3]
    view.show_filter("all")
    view.search_edit.setText("interviews")
    assert shown(view)["not_started"] == [env.a2]
    view.search_edit.setText("ben")
    assert shown(view)["not_started"] == [env.b1]
    view.search_edit.clear()
    # Choosing a mentee on the board selects them for the other views too.
    index = next(i for i in range(view.filter_combo.count())
                 if view.filter_combo.itemData(i) == ("mentee", env.ana))
    view.filter_combo.setCurrentIndex(index)
    assert view.context.selected_mentee_id == env.ana
    assert shown(view)["not_started"] == [env.a1, env.a2]


def test_moving_in_a_filtered_column_keeps_hidden_cards_in_place(env: Env) -> None:
    env.view.context.select_mentee(env.ana)
    widget = select_card(env.view, env.a1)
    assert env.view.move_current(0, 1)
    # Ana's a1 went below a2; Ben's b1 stays after both.
    assert persisted(env.path)["not_started"] == [env.a2, env.a1, env.b1]
    assert widget.proxy.rowCount() == 2


def test_editor_completing_last_milestone_offers_done(qtbot: QtBot, env: Env) -> None:
    select_card(env.view, env.a1)
    editor = env.view.edit_current()
    assert editor is not None
    qtbot.waitUntil(lambda: editor.story_model.rowCount() > 0)
    assert editor.offer.isHidden()
    editor.title_edit.setText("Ship 3 portfolio pieces to Dribbble")
    model = editor.milestones
    model.setData(model.index(1), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert not editor.offer.isHidden()
    assert "All milestones are done" in editor.offer_label.text()
    QTest.mouseClick(editor.move_to_done_button, Qt.MouseButton.LeftButton)
    assert editor.column_id() == env.cols["done"]
    QTest.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor_closed(env.view)
    state = persisted(env.path)
    assert state["done"] == [env.a1]
    details = goals.get_goal(env.db, env.a1)
    assert details.draft.title == "Ship 3 portfolio pieces to Dribbble"
    assert all(m.done for m in details.draft.milestones)
    card = column(env.view, "done").proxy.card(0)
    assert card.progress.percent == 100
    # One undo step reverts the edit and the move together.
    env.view.context.undo_stack.undo()
    assert persisted(env.path)["not_started"] == [env.a1, env.a2, env.b1]
    details = goals.get_goal(env.db, env.a1)
    assert details.draft.title == "Ship 3 portfolio pieces"
    assert [m.done for m in details.draft.milestones] == [True, False]
    env.view.context.undo_stack.redo()
    assert persisted(env.path)["done"] == [env.a1]


def test_editor_edits_measure_milestones_links_and_validates(qtbot: QtBot, env: Env) -> None:
    editor = env.view.edit_goal(env.a2)
    assert editor is not None
    editor.title_edit.clear()
    assert not editor.save_button.isEnabled()
    editor.title_edit.setText("Run 5 user interviews")
    editor.mode_combo.setCurrentIndex(editor.mode_combo.findData("measure"))
    editor.target_spin.setValue(0)
    QTest.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert env.view.editor is editor and "target above zero" in editor.error_label.text()
    editor.target_spin.setValue(5)
    editor.unit_edit.setText("interviews")
    editor.current_spin.setValue(2)
    editor.new_milestone.setText("Recruit people")
    QTest.keyClick(editor.new_milestone, Qt.Key.Key_Return)
    editor.new_milestone.setText("Write the guide")
    QTest.keyClick(editor.new_milestone, Qt.Key.Key_Return)
    editor.milestone_view.setCurrentIndex(editor.milestones.index(1))
    editor.move_milestone(-1)
    editor.add_link()
    editor.links.setData(editor.links.index(0, 0), "Interview guide")
    editor.links.setData(editor.links.index(0, 1), "https://docs.example.org/guide")
    editor.due_check.setChecked(True)
    QTest.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor_closed(env.view)
    draft = goals.get_goal(env.db, env.a2).draft
    assert draft.title == "Run 5 user interviews"
    assert (draft.progress_mode, draft.target_value, draft.current_value) == ("measure", 5, 2)
    assert [m.title for m in draft.milestones] == ["Write the guide", "Recruit people"]
    assert draft.links == (goals.LinkDraft("Interview guide", "https://docs.example.org/guide"),)
    assert draft.due_date is not None
    card = column(env.view, "not_started").proxy.card(1)
    assert card.progress.label == "2 of 5 interviews" and card.target == "5 interviews"
    env.view.context.undo_stack.undo()
    assert goals.get_goal(env.db, env.a2).draft == GoalDraft(title="Run 5 interviews")


def test_new_goal_then_undo_and_redo(qtbot: QtBot, env: Env) -> None:
    env.view.context.select_mentee(env.ben)
    editor = env.view.new_goal()
    assert editor is not None
    assert editor.mentee_id() == env.ben
    line = editor.mentee_combo.lineEdit()
    assert line is not None
    line.setText("Ana")
    editor.title_edit.setText("Publish 2 posts")
    QTest.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor_closed(env.view)
    state = persisted(env.path)
    new_id = state["not_started"][-1]
    assert new_id not in (env.a1, env.a2, env.b1)
    stack = env.view.context.undo_stack
    stack.undo()
    assert persisted(env.path)["not_started"] == [env.a1, env.a2, env.b1]
    assert env.view.board.locate(new_id) is None
    stack.redo()
    assert persisted(env.path)["not_started"][-1] == new_id
    assert goals.get_goal(env.db, new_id).mentee_id == env.ana


def test_delete_key_deletes_and_undo_restores(qtbot: QtBot, env: Env) -> None:
    activate(qtbot, env.view)
    widget = select_card(env.view, env.a2)
    QTest.keyClick(widget.view, Qt.Key.Key_Delete)
    assert persisted(env.path)["not_started"] == [env.a1, env.b1]
    assert env.view.current_card() is not None and env.view.current_card().id == env.b1  # type: ignore[union-attr]
    env.view.context.undo_stack.undo()
    assert persisted(env.path)["not_started"] == [env.a1, env.a2, env.b1]
    assert shown(env.view)["not_started"] == [env.a1, env.a2, env.b1]
    assert goals.get_goal(env.db, env.a2).draft.title == "Run 5 interviews"


def test_columns_add_rename_delete_with_undo(monkeypatch: pytest.MonkeyPatch,
                                             env: Env) -> None:
    answers = iter(["Waiting", "Parked"])
    monkeypatch.setattr(board_view.TextPrompt, "ask",
                        staticmethod(lambda *_a, **_k: next(answers)))
    view = env.view
    view.add_column()
    assert [w.column.name for w in view.column_widgets][-1] == "Waiting"
    parked = view.column_widgets[-1]
    view._column_focused(parked.column.id)
    view.rename_current_column()
    assert [w.column.name for w in view.column_widgets][-1] == "Parked"
    assert "Parked" in persisted(env.path)
    # A custom column takes cards like any other.
    select_card(view, env.b1)
    assert view.controller.move(env.b1, view.column_widgets[-1].column.id, None)
    assert persisted(env.path)["Parked"] == [env.b1]
    view.context.undo_stack.undo()
    view._column_focused(view.column_widgets[-1].column.id)
    assert view.delete_column_action.isEnabled()
    view.delete_current_column()
    assert "Parked" not in persisted(env.path)
    stack = view.context.undo_stack
    stack.undo()
    assert "Parked" in persisted(env.path)
    stack.undo()
    assert "Waiting" in persisted(env.path)
    stack.undo()
    assert [w.column.name for w in view.column_widgets] == [
        "Not started", "In progress", "Blocked", "Done"]
    # Built-in columns cannot be deleted.
    view._column_focused(env.cols["done"])
    assert not view.delete_column_action.isEnabled()


def test_other_views_changes_reload_the_board(qtbot: QtBot, env: Env) -> None:
    goals.create_goal(env.db, env.ben, GoalDraft(title="Made elsewhere"), env.cols["blocked"])
    env.view.context.bus.notify(Change.GOALS)
    qtbot.waitUntil(lambda: len(shown(env.view)["blocked"]) == 1)


def test_empty_states(qtbot: QtBot, tmp_path: Path, qt_settings: QSettings,
                      no_dialogs: list[str]) -> None:
    db = open_database(tmp_path / "empty.sqlite3")
    view = make_view(qtbot, db, qt_settings)
    assert view.pages.currentWidget() is view.no_mentees
    assert view.new_goal() is None
    assert no_dialogs and "no" in no_dialogs[-1].lower()
    with db.transaction() as s:
        s.add(Mentee(name="Solo"))
    view.refresh()
    qtbot.waitUntil(lambda: view.pages.currentWidget() is view.empty)
    view.close()
    db.close()


def test_story_in_editor_on_demo_data(qtbot: QtBot, demo_db: Database,
                                      qt_settings: QSettings, no_dialogs: list[str]) -> None:
    view = make_view(qtbot, demo_db, qt_settings)
    with demo_db.reader() as s:
        goal_id = s.scalar(select(SessionGoal.goal_id))
    assert goal_id is not None
    editor = view.edit_goal(goal_id)
    assert editor is not None
    qtbot.waitUntil(lambda: editor.story_model.rowCount() > 1)
    kinds = {editor.story_model.story_event(r).kind
             for r in range(editor.story_model.rowCount())}
    assert {"session", "note", "created"} <= kinds
    assert editor.story_pages.currentIndex() == 1
    editor.reject()
    view.close()


def test_card_menu_moves_to_any_column(env: Env) -> None:
    widget = select_card(env.view, env.b1)
    menu = env.view.card_menu(widget, widget.view.currentIndex().row())
    move_to = next(a.menu() for a in menu.actions() if a.text() == "Move &to")
    assert isinstance(move_to, QMenu)
    entries = {a.text(): a for a in move_to.actions()}
    assert not entries["Not started"].isEnabled()
    entries["Blocked"].trigger()
    assert persisted(env.path)["blocked"] == [env.b1]
    assert env.view.context.undo_stack.undoText() == "Move “Give a talk” to Blocked"


def test_open_editor_is_saved_on_flush(env: Env) -> None:
    editor = env.view.edit_goal(env.a3)
    assert editor is not None
    env.view.flush()
    assert editor_closed(env.view) is False  # nothing changed: stays open
    editor.title_edit.setText("Read 4 books on leadership")
    env.view.flush()
    assert editor_closed(env.view)
    assert goals.get_goal(env.db, env.a3).draft.title == "Read 4 books on leadership"


def test_selecting_a_mentee_without_goals_shows_empty_columns(env: Env) -> None:
    with env.db.transaction() as s:
        cleo = Mentee(name="Cleo")
        s.add(cleo)
        s.flush()
        cleo_id = cleo.id
    env.view.context.select_mentee(cleo_id)
    assert env.view.filter_combo.currentText() == "Cleo"
    assert env.view.pages.currentWidget() is env.view.board_scroll
    assert all(not ids for ids in shown(env.view).values())
    assert env.view.count_label.text() == "0 of 4 goals"
    editor = env.view.new_goal()
    assert editor is not None and editor.mentee_id() == cleo_id
    editor.reject()
    env.view.context.select_mentee(None)
    assert env.view.filter_key() == ("all", 0)
    assert len(shown(env.view)["not_started"]) == 3


def _red_pixels(widget: ColumnWidget) -> int:
    image = widget.view.viewport().grab().toImage()
    count = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            if c.red() > 150 and c.green() < 90 and c.blue() < 90:
                count += 1
    return count


def test_overdue_due_date_is_red_unless_done(qtbot: QtBot, env: Env) -> None:
    from datetime import date

    column_widget = column(env.view, "not_started")
    assert _red_pixels(column_widget) == 0
    goals.save_goal(env.db, env.a2, GoalDraft(title="Run 5 interviews",
                                              due_date=date(2020, 1, 1)))
    env.view.refresh()
    qtbot.waitUntil(lambda: column_widget.proxy.card(1).due_date is not None)
    assert _red_pixels(column_widget) > 0
    assert env.view.controller.move(env.a2, env.cols["done"], None)
    assert _red_pixels(column(env.view, "done")) == 0
