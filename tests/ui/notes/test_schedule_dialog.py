"""The plan dialog (schedule_dialog.py): both people's local times with a warning outside
working hours, the repeat preview, a background proposal that never overrides the mentor's
own pick, and the repeat rules Google Calendar's UI writes: shown as a custom rule and
handed back unchanged unless the mentor picks another."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot

from mentordesk.domain.recurrence import CUSTOM_TEXT
from mentordesk.services.sessions import SessionRef, SessionService
from mentordesk.storage.database import Database
from mentordesk.ui.notes import schedule_dialog as dialogs
from tests.services.test_sessions import add_mentee
from tests.services.test_sessions_google_rules import GOOGLE, store_series
from tests.ui.notes.test_view import notes_db

__all__ = ["notes_db"]  # the fixture: two mentees in different zones, with sessions


def test_schedule_dialog_shows_both_zones_and_flags(qtbot: QtBot, notes_db: Database) -> None:
    mentees = SessionService(notes_db).mentee_choices()
    amara = next(m for m in mentees if m.name.startswith("Amara"))
    late = datetime(2027, 1, 12, 17, 0, tzinfo=UTC)  # 18:00 Berlin = 22:30 Kolkata
    dialog = dialogs.ScheduleDialog(mentees, "Europe/Berlin", mentee_id=amara.id,
                                    start=late)
    qtbot.addWidget(dialog)
    assert "18:00" in dialog.mentor_time.text() and "⚠" not in dialog.mentor_time.text()
    assert "22:30" in dialog.mentee_time.text() and "⚠" in dialog.mentee_time.text()
    dialog.repeat.setCurrentIndex(1)  # from the cadence: every 2 weeks
    assert dialog.repeat_preview.text().startswith("Every 2 weeks")
    dialog._accept()
    result = dialog.result_value
    assert result is not None and result.rrule == "FREQ=WEEKLY;INTERVAL=2"
    assert result.start_utc == late


def test_schedule_dialog_takes_the_background_proposal_until_user_picks(
        qtbot: QtBot, notes_db: Database) -> None:
    svc = SessionService(notes_db)
    mentees = svc.mentee_choices()
    ben = next(m for m in mentees if m.name.startswith("Ben"))
    dialog = dialogs.ScheduleDialog(mentees, "Europe/Berlin", mentee_id=ben.id)
    qtbot.addWidget(dialog)
    proposal = svc.propose_next_slot(ben.id, mentor="Europe/Berlin")
    dialog.propose(proposal)
    assert dialog.start_utc() == proposal.start_utc
    assert "Proposed" in dialog.proposal_label.text()
    dialog.when.setDateTime(dialog.when.dateTime().addDays(1))
    later = svc.propose_next_slot(ben.id, mentor="Europe/Berlin",
                                  after=proposal.start_utc + timedelta(days=3))
    dialog.propose(later)
    assert dialog.start_utc() == proposal.start_utc + timedelta(days=1), "the user's pick wins"


def open_dialog(qtbot: QtBot, db: Database, rule: str) -> dialogs.ScheduleDialog:
    mid = add_mentee(db)
    sid = store_series(db, mid, rule)
    svc = SessionService(db)
    dialog = dialogs.ScheduleDialog(svc.mentee_choices(), "Europe/Berlin",
                                    record=svc.get(SessionRef(sid)))
    qtbot.addWidget(dialog)
    dialog.scope_series.setChecked(True)
    return dialog


def accepted_rule(dialog: dialogs.ScheduleDialog) -> str | None:
    dialog._accept()
    assert dialog.result_value is not None
    return dialog.result_value.rrule


def test_plan_dialog_shows_and_keeps_a_google_rule(qtbot: QtBot, db: Database) -> None:
    dialog = open_dialog(qtbot, db, GOOGLE)
    assert dialog.repeat.currentText() == CUSTOM_TEXT
    assert dialog.repeat.isEnabled()
    assert dialog.repeat_preview.text().startswith(
        "Weekly on Monday and Wednesday, until 2027-01-31: 02 Mar, 04 Mar, 09 Mar")
    # Moving the series keeps the rule as it is.
    dialog.when.setDateTime(dialog.when.dateTime().addSecs(3600))
    assert accepted_rule(dialog) == GOOGLE


def test_plan_dialog_replaces_a_google_rule_only_when_asked(qtbot: QtBot,
                                                            db: Database) -> None:
    dialog = open_dialog(qtbot, db, GOOGLE)
    dialog.repeat.setCurrentIndex(dialog.repeat.findData("weekly"))
    dialog.every.setValue(2)
    assert dialog.repeat_preview.text().startswith("Every 2 weeks, Mondays:")
    assert accepted_rule(dialog) == "FREQ=WEEKLY;INTERVAL=2"


@pytest.mark.parametrize("rule,shown", [
    ("FREQ=MONTHLY;BYDAY=1MO", "Monthly on the same weekday"),  # Google spells +1MO so
    ("FREQ=WEEKLY;WKST=SU", "Weekly"),  # interval 1: the plain choice
    ("FREQ=WEEKLY;COUNT=6", "As now: Weekly, 6 times"),
    ("FREQ=DAILY;INTERVAL=3", "As now: Every 3 days"),
    ("FREQ=MONTHLY;BYMONTHDAY=2", CUSTOM_TEXT),
])
def test_plan_dialog_hands_back_an_unchanged_rule_unchanged(
        qtbot: QtBot, db: Database, rule: str, shown: str) -> None:
    dialog = open_dialog(qtbot, db, rule)
    assert dialog.repeat.currentText() == shown
    assert accepted_rule(dialog) == rule
