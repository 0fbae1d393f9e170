"""Dates that say their year, a plan dialog that takes typed dates and says what it will do,
a goal editor whose numbers agree, and a mentee never met who is not "On track".

Where input is involved every step is a real key press or click, delivered the way Qt
delivers a keyboard's and a mouse's (``tests/usability/helpers.py``)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDateTimeEdit,
    QDialogButtonBox,
    QLineEdit,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from mentordesk.domain.dates import MONTHS, WEEKDAYS, day_text, instant_text
from mentordesk.domain.health import Level
from mentordesk.services import goals
from mentordesk.services.goals import GoalDraft
from mentordesk.services.sessions import SessionDraft, SessionRef, SessionService
from mentordesk.storage.schema import Mentee
from mentordesk.ui.board.delegates import _due_text
from mentordesk.ui.board.editor import GoalEditor, default_due
from mentordesk.ui.board.view import BoardView
from mentordesk.ui.mentees.model import (
    COL_HEALTH,
    HEALTH_COLOURS,
    NOT_MET_COLOUR,
    format_when,
    health_colour,
)
from mentordesk.ui.mentees.view import MenteesView
from mentordesk.ui.notes.models import SessionListModel
from mentordesk.ui.notes.schedule_dialog import PAST_WARNING, ScheduleDialog
from tests.usability.conftest import Desk, add_mentee, open_window
from tests.usability.helpers import answer_next_message_box, button_named, click, press, window_of

BERLIN = "Europe/Berlin"
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Kiritimati",
         "Pacific/Pago_Pago", "Australia/Adelaide", "America/St_Johns")


# -- one way to write a date ------------------------------------------------------------
def read_back(text: str, this_year: int) -> date:
    """The date a label names, reading a missing year as ``this_year``."""
    match = re.fullmatch(r"(\w{3}) (\d{2}) (\w{3})(?: (\d{4}))?( \d{2}:\d{2})?", text)
    assert match is not None, text
    weekday, day, month, year, _time = match.groups()
    found = date(int(year) if year else this_year, MONTHS.index(month) + 1, int(day))
    assert WEEKDAYS[found.weekday()] == weekday, text
    return found


@settings(max_examples=300, deadline=None)
@given(instant=st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1),
                            timezones=st.just(UTC)),
       now=st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1),
                        timezones=st.just(UTC)),
       zone_name=st.sampled_from(ZONES))
def test_a_date_names_its_year_exactly_when_it_is_not_this_year(
        instant: datetime, now: datetime, zone_name: str) -> None:
    tz = ZoneInfo(zone_name)
    text = instant_text(instant, tz, now)
    local, today = instant.astimezone(tz), now.astimezone(tz).date()
    # The year is the reader's: of the wall calendar in the zone the date is shown in.
    assert (str(local.year) in text.split()[3:4]) == (local.year != today.year)
    assert read_back(text, today.year) == local.date()
    assert text.endswith(f"{local:%H:%M}")
    assert day_text(local.date(), today, weekday=False) == " ".join(text.split()[1:-1])


def test_every_list_shows_the_year_of_a_date_outside_this_year(qtbot: QtBot,
                                                                desk: Desk) -> None:
    now = datetime.now(UTC)
    last_year = now.year - 1
    when = datetime(last_year, 12, 15, 9, 0, tzinfo=UTC)
    # The Notes session list, its tooltip and what a screen reader hears.
    rec = SessionService(desk.db).schedule(SessionDraft(desk.ben, when, 30, BERLIN, "Old call"))
    model = SessionListModel()
    model.set_groups([("Earlier", [SessionService(desk.db).get(SessionRef(rec.ref.session_id))])],
                     BERLIN)
    row = model.index(1, 0)  # row 0 is the group heading
    expected = f"{WEEKDAYS[date(last_year, 12, 15).weekday()]} 15 Dec {last_year} 10:00"
    assert expected in model.data(row, Qt.ItemDataRole.DisplayRole)
    assert expected in model.data(row, Qt.ItemDataRole.ToolTipRole)
    assert expected in model.data(row, Qt.ItemDataRole.AccessibleTextRole)
    # This year's date goes without it.
    december = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert format_when(datetime(2026, 3, 4, 9, 0, tzinfo=UTC), december, BERLIN) == \
        "Wed 04 Mar 10:00"
    assert format_when(datetime(2027, 3, 4, 9, 0, tzinfo=UTC), december, BERLIN) == \
        "Thu 04 Mar 2027 10:00"
    # The Mentees list's next and last session, and a card's due date.
    assert format_when(when, now, BERLIN) == expected
    assert _due_text(date(last_year, 12, 15), now.date(), True) == \
        f"Overdue · 15 Dec {last_year}"


# -- the plan dialog ----------------------------------------------------------------------
def plan_dialog(qtbot: QtBot, desk: Desk, start: datetime | None = None) -> ScheduleDialog:
    dialog = ScheduleDialog(SessionService(desk.db).mentee_choices(), BERLIN,
                            mentee_id=desk.ben, start=start)
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def ok_button(dialog: ScheduleDialog) -> QPushButton:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    button = box.button(QDialogButtonBox.StandardButton.Ok)
    assert button is not None
    return button


def type_keys(widget: QWidget, text: str) -> None:
    """One key at a time through the window, as typed."""
    for char in text:
        QTest.keyClick(window_of(widget), Qt.Key(ord(char)))  # digits, '-', ':', ' '



def into_date_field(edit: QDateTimeEdit) -> None:
    """Tab into the field from the field before it, as a mentor moving through the form."""
    previous = edit.previousInFocusChain()
    assert previous is not None
    previous.setFocus(Qt.FocusReason.OtherFocusReason)
    QTest.qWait(0)
    while not edit.hasFocus():
        press(edit, Qt.Key.Key_Tab)


def local_start(dialog: ScheduleDialog) -> datetime:
    assert dialog.result_value is not None
    return dialog.result_value.start_utc.astimezone(ZoneInfo(BERLIN))


def test_a_past_date_typed_into_the_plan_warns_and_asks_before_it_is_recorded(
        qtbot: QtBot, desk: Desk) -> None:
    dialog = plan_dialog(qtbot, desk)
    assert not dialog.past_warning.isVisibleTo(dialog)
    last_year = datetime.now(UTC).year - 1
    into_date_field(dialog.when)
    type_keys(dialog.when, f"{last_year}-12-15 10:00")
    assert dialog.when.dateTime().toString("yyyy-MM-dd HH:mm") == f"{last_year}-12-15 10:00"
    assert dialog.past_warning.isVisibleTo(dialog)
    assert dialog.past_warning.text() == PAST_WARNING
    assert str(last_year) in dialog.when_words.text()
    # Planning it (Ctrl+Enter) asks; "Change the date" keeps the dialog open, nothing planned.
    seen: list[str] = []
    answer_next_message_box(lambda box: button_named(box, "Change the date"), seen)
    press(dialog.when, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(seen) == 1)
    assert "in the past" in seen[0] and f"15 Dec {last_year}" in seen[0]
    assert dialog.isVisible() and dialog.result_value is None
    # Logging a call that happened is allowed, once confirmed.
    answer_next_message_box(lambda box: button_named(box, "Record past session"), seen)
    click(ok_button(dialog))
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert local_start(dialog) == datetime(last_year, 12, 15, 10, 0, tzinfo=ZoneInfo(BERLIN))
    # A future time neither warns nor asks.
    later = plan_dialog(qtbot, desk)
    into_date_field(later.when)
    type_keys(later.when, f"{last_year + 3}-01-05 10:00")
    assert not later.past_warning.isVisibleTo(later)
    press(later.when, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not later.isVisible())
    assert local_start(later).date() == date(last_year + 3, 1, 5)


def test_weekly_chosen_with_the_keyboard_and_a_typed_date_plan_a_weekly_series(
        qtbot: QtBot, desk: Desk) -> None:
    dialog = plan_dialog(qtbot, desk)
    click(dialog.repeat)  # opens the list
    qtbot.waitUntil(lambda: dialog.repeat.view().isVisible())
    press(dialog.repeat, Qt.Key.Key_W)  # the first choice starting with W
    press(dialog.repeat, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.repeat.view().isVisible())
    # Enter picked the choice and nothing else: the dialog is still there to finish.
    assert dialog.isVisible() and not dialog.result()
    assert dialog.repeat.currentText() == "Weekly"
    assert not dialog.every.isVisibleTo(dialog)
    into_date_field(dialog.when)
    type_keys(dialog.when, "2027-03-04 09:30")
    assert dialog.repeat_preview.text().startswith("Weekly, Thursdays: 04 Mar 2027, 11 Mar 2027")
    press(dialog.when, Qt.Key.Key_Return)  # ends the typing, stays open
    assert dialog.isVisible()
    click(ok_button(dialog))
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.result_value is not None and dialog.result_value.rrule == "FREQ=WEEKLY"
    assert local_start(dialog) == datetime(2027, 3, 4, 9, 30, tzinfo=ZoneInfo(BERLIN))


def test_every_n_weeks_stays_beside_weekly(qtbot: QtBot, desk: Desk) -> None:
    dialog = plan_dialog(qtbot, desk, start=datetime(2027, 3, 4, 8, 30, tzinfo=UTC))
    choices = [dialog.repeat.itemText(i) for i in range(dialog.repeat.count())]
    assert choices.index("Weekly") < choices.index("Every N weeks")
    dialog.repeat.setFocus()
    while dialog.repeat.currentText() != "Every N weeks":
        press(dialog.repeat, Qt.Key.Key_Down)
    assert dialog.every.isVisibleTo(dialog) and dialog.every.text() == "every 2 weeks"
    press(dialog.repeat, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.result_value is not None
    assert dialog.result_value.rrule == "FREQ=WEEKLY;INTERVAL=2"


def test_the_proposal_says_how_the_plan_repeats_and_goes_when_another_time_is_typed(
        qtbot: QtBot, desk: Desk) -> None:
    svc = SessionService(desk.db)
    dialog = plan_dialog(qtbot, desk)
    dialog.propose(svc.propose_next_slot(desk.ben, mentor=BERLIN))  # cadence: 2 weeks
    assert dialog.proposal_label.text().startswith("Proposed: ")
    assert dialog.proposal_label.text().endswith("— does not repeat.")
    click(dialog.repeat)
    qtbot.waitUntil(lambda: dialog.repeat.view().isVisible())
    press(dialog.repeat, Qt.Key.Key_W)
    press(dialog.repeat, Qt.Key.Key_Return)
    assert dialog.repeat.currentText() == "Weekly"
    assert dialog.proposal_label.text().endswith("— weekly.")
    assert "2 weeks" not in dialog.proposal_label.text()
    # Another hour typed: no longer the proposed time, so no "Proposed:" line.
    into_date_field(dialog.when)
    press(dialog.when, Qt.Key.Key_Tab)  # month
    press(dialog.when, Qt.Key.Key_Tab)  # day
    press(dialog.when, Qt.Key.Key_Tab)  # hour
    type_keys(dialog.when, "07")
    assert dialog.proposal_label.text() == ""


def test_a_proposal_landing_while_a_date_is_half_typed_leaves_it_alone(
        qtbot: QtBot, desk: Desk) -> None:
    svc = SessionService(desk.db)
    proposal = svc.propose_next_slot(desk.ben, mentor=BERLIN)
    dialog = plan_dialog(qtbot, desk)
    into_date_field(dialog.when)
    type_keys(dialog.when, "20")  # half a year: no new value yet
    dialog.propose(proposal)  # the background search answers now
    type_keys(dialog.when, "28-02-03 11:15")
    assert dialog.when.dateTime().toString("yyyy-MM-dd HH:mm") == "2028-02-03 11:15"
    assert "Looking" not in dialog.proposal_label.text()


def test_a_click_inside_the_day_then_typing_replaces_the_day(qtbot: QtBot,
                                                             desk: Desk) -> None:
    dialog = plan_dialog(qtbot, desk, start=datetime(2027, 5, 14, 8, 0, tzinfo=UTC))
    line = dialog.when.findChild(QLineEdit)
    assert line is not None
    text = line.text()
    day_at = re.search(r"\b14\b", text)
    assert day_at is not None, text
    # Between the day's two digits, where a mouse click lands as often as not.
    line.setCursorPosition(day_at.start() + 1)
    spot = line.cursorRect().center()
    line.setCursorPosition(0)
    QTest.mouseClick(window_of(line), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     line.mapTo(dialog, spot))
    qtbot.waitUntil(dialog.when.hasFocus)
    QTest.qWait(10)
    type_keys(dialog.when, "25")
    assert dialog.when.date().day() == 25


# -- the goal editor ----------------------------------------------------------------------
def board_of(qtbot: QtBot, desk: Desk) -> BoardView:
    window = open_window(qtbot, desk, "board")
    view = window.current_view()
    assert isinstance(view, BoardView)
    qtbot.waitUntil(lambda: view.board.total() == 1, timeout=5000)
    return view


def shown(qtbot: QtBot, editor: GoalEditor | None) -> GoalEditor:
    assert editor is not None
    qtbot.waitUntil(editor.isVisible)
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor)
    return editor


def tick(box: QCheckBox) -> None:
    """A click on the box itself (a wide check box's middle may be empty space)."""
    click(box, QPoint(box.height() // 2, box.height() // 2))


def test_the_greyed_progress_is_the_milestones_share_and_follows_each_tick(
        qtbot: QtBot, desk: Desk, no_dialogs: list[str]) -> None:
    editor = shown(qtbot, board_of(qtbot, desk).edit_goal(desk.goal))
    # One of two milestones is done: the label and the field say the same.
    assert "1 of 2 milestones — 50 %" in editor.progress_label.text()
    assert not editor.manual_spin.isEnabled() and editor.manual_spin.text() == "50 %"
    view = editor.milestone_view
    click(view.viewport(), view.visualRect(editor.milestones.index(1)).center())
    press(view, Qt.Key.Key_Space)  # tick "Draft"
    assert "2 of 2 milestones — 100 %" in editor.progress_label.text()
    assert editor.manual_spin.text() == "100 %"
    press(view, Qt.Key.Key_Space)
    assert editor.manual_spin.text() == "50 %"
    # Measured by hand from here: it starts from the share shown, and is saved as typed.
    click(editor.mode_combo)
    qtbot.waitUntil(lambda: editor.mode_combo.view().isVisible())
    press(editor.mode_combo, Qt.Key.Key_B)  # "By hand (percent)"
    press(editor.mode_combo, Qt.Key.Key_Return)
    assert editor.mode() == "manual"
    assert editor.manual_spin.isEnabled() and editor.manual_spin.value() == 50
    assert editor.draft().manual_progress == 50


def test_a_new_goal_has_no_due_date_and_a_past_one_is_flagged(
        qtbot: QtBot, desk: Desk, no_dialogs: list[str]) -> None:
    view = board_of(qtbot, desk)
    editor = shown(qtbot, view.new_goal())
    today = date.today()
    assert editor.due_edit.text() == "No due date"
    assert editor.draft().due_date is None
    assert not editor.due_warning.isVisibleTo(editor)
    tick(editor.due_check)
    offered = default_due(today)
    assert editor.draft().due_date == offered and offered > today + timedelta(days=13)
    assert not editor.due_warning.isVisibleTo(editor)
    # A year typed into the date: last year's is in the past.
    line = editor.due_edit.findChild(QLineEdit)
    assert line is not None
    line.setCursorPosition(line.text().index(str(offered.year)) + 2)
    spot = line.cursorRect().center()
    QTest.mouseClick(window_of(line), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     line.mapTo(editor, spot))
    QTest.qWait(10)
    type_keys(editor.due_edit, str(today.year - 1))
    due = editor.draft().due_date
    assert due is not None and due.year == today.year - 1
    assert editor.due_warning.isVisibleTo(editor)
    # Unticked, it is a goal without a due date again.
    tick(editor.due_check)
    assert editor.draft().due_date is None and editor.due_edit.text() == "No due date"
    assert not editor.due_warning.isVisibleTo(editor)


def test_default_due_is_a_quarter_end_at_least_two_weeks_away() -> None:
    assert default_due(date(2026, 12, 1)) == date(2026, 12, 31)
    assert default_due(date(2026, 12, 20)) == date(2027, 3, 31)
    assert default_due(date(2027, 4, 1)) == date(2027, 6, 30)
    assert default_due(date(2027, 9, 16)) == date(2027, 9, 30)
    assert default_due(date(2027, 9, 17)) == date(2027, 12, 31)


# -- a mentee never met -------------------------------------------------------------------
def test_a_mentee_never_met_is_not_on_track_but_due_from_the_day_added(
        qtbot: QtBot, desk: Desk) -> None:
    # Added long enough ago that a fortnightly first meeting is overdue.
    late = add_mentee(desk.db, "Chen Late", BERLIN, interval=2, unit="weeks")
    with desk.db.transaction() as s:
        s.execute(update(Mentee).where(Mentee.id == late)
                  .values(created_at=datetime.now(UTC) - timedelta(days=40)))
    goals.create_goal(desk.db, late, GoalDraft(title="Meet"), desk.columns["not_started"])
    window = open_window(qtbot, desk, "mentees")
    view = window.current_view()
    assert isinstance(view, MenteesView)
    qtbot.waitUntil(lambda: view.model.rowCount() == 3, timeout=5000)
    words = {}
    for r in range(view.model.rowCount()):
        row = view.model.mentee(r)
        assert row is not None
        cell = view.model.index(r, COL_HEALTH)
        words[row.name] = (view.model.data(cell, Qt.ItemDataRole.DisplayRole), row.health)
    # Ben has a session booked but has never been met; Amara neither: both just added.
    for name in ("Ben Schmidt", "Amara Okafor"):
        word, health = words[name]
        assert word == "Not met yet" and health.level is Level.GREEN
        assert health_colour(health) == NOT_MET_COLOUR
        assert "On track" not in health.label() and "added today" in health.label()
    word, health = words["Chen Late"]
    assert word == "Overdue" and health.level is Level.RED
    assert "never met, added 40 days ago" in health.label()
    assert health_colour(health) == HEALTH_COLOURS[Level.RED]
    assert "2 not met yet" in view.summary.text() and "0 on track" in view.summary.text()
