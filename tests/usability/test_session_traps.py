"""A session that has not happened cannot be ended, and the wrap-up's next slot is the
series' next meeting or a free day, never a day already booked. The view is driven with
real clicks; the file is read back through the services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from mentordesk.domain.timezones import zone
from mentordesk.errors import ValidationError
from mentordesk.services.mentees import MenteeService
from mentordesk.services.sessions import SessionDraft, SessionRef, SessionService
from mentordesk.storage.database import Database
from mentordesk.ui.notes.wrap_up_dialog import WrapUpDialog
from tests.usability.conftest import Desk, add_mentee, click_session, notes_view
from tests.usability.helpers import answer_next_message_box, button_named, click

BERLIN = "Europe/Berlin"






def close_wrap_ups(seen: list[WrapUpDialog]) -> QTimer:
    """Press Escape on every wrap-up dialog that opens (it runs its own event loop) and
    record it; a test never hangs on one it did not expect."""
    timer = QTimer()
    timer.setInterval(20)

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, WrapUpDialog) and dialog.isVisible() and dialog not in seen:
            seen.append(dialog)
            QTest.keyClick(dialog, Qt.Key.Key_Escape)

    timer.timeout.connect(act)
    timer.start()
    return timer


def test_ending_a_future_session_asks_first_and_counts_it_held_now(
        qtbot: QtBot, desk: Desk, no_dialogs: list[str]) -> None:
    view = notes_view(qtbot, desk)
    click_session(qtbot, view, "One-off")
    assert view.current is not None
    planned = view.current.start_utc
    assert planned > datetime.now(UTC) + timedelta(days=2)
    wrapped: list[WrapUpDialog] = []
    watcher = close_wrap_ups(wrapped)
    asked: list[str] = []
    answer_next_message_box(lambda box: button_named(box, "Keep it planned"), asked)
    click(view.end_button)
    qtbot.waitUntil(lambda: bool(asked))
    assert "Did it already happen?" in asked[0]
    rec = SessionService(desk.db).get(view.current.ref)
    assert rec.status == "scheduled" and rec.start_utc == planned and not wrapped
    # Confirmed: held now, not on its planned day.
    answer_next_message_box(lambda box: button_named(box, "Mark as held now"), asked)
    click(view.end_button)
    qtbot.waitUntil(lambda: bool(wrapped))
    rec = SessionService(desk.db).get(SessionRef(rec.ref.session_id))
    assert rec.status == "held"
    assert rec.start_utc <= datetime.now(UTC)
    profile = MenteeService(desk.db).profile(desk.ben)
    assert "Lasted" not in view.timer_label.text()
    assert profile is not None
    assert no_dialogs == []
    watcher.stop()


def test_the_service_refuses_to_hold_an_unstarted_future_session(db: Database) -> None:
    mentee = add_mentee(db, "Chidi", BERLIN)
    svc = SessionService(db)
    rec = svc.schedule(SessionDraft(mentee, datetime.now(UTC) + timedelta(days=5), 30, BERLIN,
                                    "Later"))
    with pytest.raises(ValidationError, match="not started yet"):
        svc.end_call(rec.ref.session_id)
    assert svc.get(rec.ref).status == "scheduled"


def monday(weeks_ago: int, hour: int) -> datetime:
    today = datetime.now(zone(BERLIN)).date()
    day = today - timedelta(days=today.weekday() + 7 * weeks_ago)
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone(BERLIN)).astimezone(UTC)


def series_desk(db: Database) -> tuple[int, SessionService]:
    """Every 2 weeks by cadence, held at 10:00 on a Monday five weeks ago; from the Monday
    after, a weekly series at 09:00: the wrap-up used to propose a new meeting on a Monday
    the series already had."""
    mentee = add_mentee(db, "Amara", BERLIN, interval=2, unit="weeks")
    svc = SessionService(db)
    held = svc.schedule(SessionDraft(mentee, monday(5, 10), 60, BERLIN, "Check-in"))
    svc.end_call(held.ref.session_id)
    svc.schedule(SessionDraft(mentee, monday(4, 9), 60, BERLIN, "Weekly",
                              rrule="FREQ=WEEKLY"))
    return mentee, svc


def test_the_wrap_up_offers_the_series_next_meeting_not_a_new_one(db: Database) -> None:
    mentee, svc = series_desk(db)
    proposal = svc.propose_after_call(mentee, mentor=BERLIN, after=monday(5, 12))
    assert proposal.booked
    assert proposal.start_utc == monday(4, 9)
    assert "every week" in proposal.reason.lower() or "weekly" in proposal.reason.lower()


def test_a_proposed_slot_never_lands_on_a_day_already_booked(db: Database) -> None:
    mentee, svc = series_desk(db)
    booked_days = {s.start_utc.astimezone(zone(BERLIN)).date()
                   for s in svc.upcoming(monday(5, 12), monday(-4, 0), mentee_id=mentee)}
    # Two weeks after the held one is a series Monday: the old proposal sat at 10:00 on it.
    proposal = svc.propose_next_slot(mentee, after=monday(5, 12), mentor=BERLIN)
    assert proposal.start_utc.astimezone(zone(BERLIN)).date() not in booked_days


def test_the_wrap_up_dialog_shows_a_booked_meeting_without_a_book_button(
        qtbot: QtBot) -> None:
    from mentordesk.services.sessions import SlotProposal, check_time

    start = datetime.now(UTC) + timedelta(days=7)
    dialog = WrapUpDialog("- recap", None, "Amara Okafor", "Looking…")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_proposal(SlotProposal(start, 60, check_time(start, 60, BERLIN, BERLIN),
                                     "Already booked (every week).", booked=True))
    assert "already booked" in dialog.next_label.text()
    assert dialog.book_button.isHidden() and dialog.pick_button.isEnabled()
