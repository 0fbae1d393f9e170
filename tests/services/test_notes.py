"""Notes, agenda carry-over, action items, line commands and the recap, on real SQLite files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mentordesk.errors import ValidationError
from mentordesk.services.notes import NoteService, parse_line_command
from mentordesk.services.sessions import SessionDraft, SessionRef, SessionService
from mentordesk.storage.database import Database
from mentordesk.storage.schema import BoardColumn, Goal, Note, SessionGoal
from tests.services.test_sessions import add_mentee

CANARY = "canary-7f3e-private-salary-figure"


def add_goal(db: Database, mentee_id: int, title: str = "Give a talk") -> int:
    with db.transaction() as s:
        column = s.scalars(select(BoardColumn).where(BoardColumn.status_key == "in_progress")
                           ).one()
        goal = Goal(mentee_id=mentee_id, column_id=column.id, title=title)
        s.add(goal)
        s.flush()
        return goal.id


def held_session(db: Database, mentee_id: int, days_ago: int) -> int:
    svc = SessionService(db)
    rec = svc.schedule(SessionDraft(mentee_id, datetime.now(UTC) - timedelta(days=days_ago),
                                    title=f"Session {days_ago}"))
    svc.end_call(rec.ref.session_id)
    return rec.ref.session_id


def test_note_is_created_once_and_saved(db: Database) -> None:
    mid = add_mentee(db)
    sid = held_session(db, mid, 1)
    notes = NoteService(db)
    assert notes.find_note(sid) is None
    note = notes.open_note(sid)
    assert notes.open_note(sid).id == note.id
    notes.save_note_body(note.id, "## Hello\n\nWe talked about **portfolio**.")
    assert notes.note_body(note.id).startswith("## Hello")
    found = notes.find_note(sid)
    assert found is not None and found.body.endswith("**portfolio**.")


def test_notes_on_a_series_need_an_occurrence(db: Database) -> None:
    mid = add_mentee(db)
    svc = SessionService(db)
    series = svc.schedule(SessionDraft(mid, datetime.now(UTC), rrule="FREQ=WEEKLY"))
    with pytest.raises(ValidationError):
        NoteService(db).open_note(series.ref.session_id)
    row = svc.materialize(SessionRef(series.ref.session_id, series.start_utc))
    note = NoteService(db).open_note(row)
    assert note.session_id == row


def test_agenda_carries_open_actions_and_last_next_time(db: Database) -> None:
    mid = add_mentee(db)
    notes = NoteService(db)
    old = held_session(db, mid, 30)
    last = held_session(db, mid, 14)
    done = notes.add_action_item(old, "Old and done")
    notes.set_done(done.id, True)
    notes.add_action_item(old, "Send the CV")
    notes.add_action_item(old, "Stale next-time topic", kind="next_time")
    notes.add_action_item(last, "Talk about salary", kind="next_time")
    upcoming = SessionService(db).schedule(SessionDraft(mid, datetime.now(UTC)
                                                        + timedelta(days=1), agenda="- talk"))
    agenda = notes.agenda(upcoming.ref.session_id)
    assert agenda.topics == "- talk"
    assert [a.text for a in agenda.carried_actions] == ["Send the CV"]
    assert [a.text for a in agenda.next_time] == ["Talk about salary"]
    assert agenda.previous_session_id == last


def test_action_items_add_link_tick_delete(db: Database) -> None:
    mid = add_mentee(db)
    other = add_mentee(db, name="Ben")
    sid = held_session(db, mid, 0)
    goal = add_goal(db, mid)
    foreign_goal = add_goal(db, other)
    notes = NoteService(db)
    item = notes.add_action_item(sid, "  Draft the abstract ")
    assert item.text == "Draft the abstract" and not item.done
    linked = notes.link_action_to_goal(item.id, goal)
    assert linked.goal_title == "Give a talk"
    with pytest.raises(ValidationError):
        notes.link_action_to_goal(item.id, foreign_goal)
    assert notes.set_done(item.id, True).done
    assert [g.id for g in notes.goals_touched(sid)] == [goal]
    with db.reader() as s:
        assert s.get(SessionGoal, (sid, goal)) is not None
    notes.delete_action_item(item.id)
    assert notes.action_items(sid) == []
    again = notes.add_action_item(sid, "Draft the abstract", item_id=item.id)
    assert again.id == item.id
    with pytest.raises(ValidationError):
        notes.add_action_item(sid, "   ")


def test_parse_line_command() -> None:
    assert parse_line_command("/action Send the CV ") is not None
    cmd = parse_line_command("  /Next talk about salary")
    assert cmd is not None and (cmd.kind, cmd.text) == ("next", "talk about salary")
    assert parse_line_command("/action") is None
    assert parse_line_command("an /action in the middle") is None
    assert parse_line_command("/actionable") is None


def test_line_commands_create_items(db: Database) -> None:
    mid = add_mentee(db)
    sid = held_session(db, mid, 0)
    notes = NoteService(db)
    result = notes.run_line_command(sid, "/action Book the 1:1")
    assert result is not None and result.replacement == "**Action:** Book the 1:1"
    assert result.action is not None and result.action.kind == "action"
    nxt = notes.run_line_command(sid, "/next Salary talk")
    assert nxt is not None and nxt.action is not None and nxt.action.kind == "next_time"
    assert notes.run_line_command(sid, "plain line") is None
    assert [i.text for i in notes.action_items(sid)] == ["Book the 1:1", "Salary talk"]


def test_goal_line_command_creates_and_links_goal(db: Database) -> None:
    mid = add_mentee(db)
    sid = held_session(db, mid, 0)
    result = NoteService(db).run_line_command(sid, "/goal Speak at a meetup")
    assert result is not None and result.goal_id is not None
    with db.reader() as s:
        goal = s.get(Goal, result.goal_id)
        assert goal is not None and goal.title == "Speak at a meetup"
        assert goal.mentee_id == mid
        assert s.get(SessionGoal, (sid, result.goal_id)) is not None


def test_recap_has_actions_and_goals_never_private_notes(db: Database) -> None:
    mid = add_mentee(db)
    sid = held_session(db, mid, 0)
    goal = add_goal(db, mid, "Publish 3 posts")
    notes = NoteService(db)
    note = notes.open_note(sid)
    notes.save_note_body(note.id, f"Shared notes. {CANARY}")
    notes.set_private(note.id, True)
    notes.add_action_item(sid, "Write post one", goal_id=goal)
    notes.add_action_item(sid, "Salary follow-up", kind="next_time")
    recap = notes.recap_markdown(sid)
    assert "## Agreed actions" in recap and "- [ ] Write post one" in recap
    assert "Publish 3 posts" in recap and "Salary follow-up" in recap
    assert CANARY not in recap
    with db.reader() as s:
        assert s.get(Note, note.id) is not None
