"""Goal board services on real SQLite files: order, status, undo data, columns, story."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, update

from mentordesk.domain.goals import format_number, is_overdue, progress, target_text
from mentordesk.errors import ValidationError
from mentordesk.services import goals
from mentordesk.services.goals import GoalDraft, LinkDraft, MilestoneDraft
from mentordesk.storage.database import Database, open_database
from mentordesk.storage.schema import (
    ActionItem,
    Goal,
    Mentee,
    MenteeTag,
    Note,
    ResourceLink,
    Session,
    SessionGoal,
    Tag,
)


def add_mentee(db: Database, name: str = "Ada", archived: bool = False) -> int:
    with db.transaction() as s:
        m = Mentee(name=name, archived=archived)
        s.add(m)
        s.flush()
        return m.id


def column_ids(db: Database) -> dict[str, int]:
    return {c.status_key or c.name: c.id for c in goals.load_board(db).columns}


def order(db: Database, column_id: int) -> list[int]:
    return [c.id for c in goals.load_board(db).cards_in(column_id)]


def make_goals(db: Database, mentee: int, column: int, n: int) -> list[int]:
    return [goals.create_goal(db, mentee, GoalDraft(title=f"Goal {i}"), column)
            for i in range(n)]


def test_domain_progress_and_target() -> None:
    assert format_number(3.0) == "3" and format_number(2.5) == "2.5"
    assert target_text(3.0, "portfolio pieces") == "3 portfolio pieces"
    assert target_text(None, "") == ""
    p = progress("milestones", milestones_done=2, milestones_total=3, current_value=None,
                 target_value=None, target_unit="", manual_progress=None)
    assert p.percent == 67 and p.label == "2 of 3 milestones" and not p.complete
    p = progress("measure", milestones_done=0, milestones_total=0, current_value=3,
                 target_value=3, target_unit="talks", manual_progress=None)
    assert p.percent == 100 and p.complete and p.label == "3 of 3 talks"
    p = progress("manual", milestones_done=0, milestones_total=0, current_value=None,
                 target_value=None, target_unit="", manual_progress=140)
    assert p.percent == 100
    assert progress("milestones", milestones_done=0, milestones_total=0, current_value=None,
                    target_value=None, target_unit="", manual_progress=None).percent is None
    today = date(2026, 5, 1)
    assert is_overdue(date(2026, 4, 30), today, finished=False)
    assert not is_overdue(date(2026, 4, 30), today, finished=True)
    assert not is_overdue(None, today, finished=False)


def test_card_shows_target_progress_and_open_actions(db: Database) -> None:
    mentee = add_mentee(db, "Priya")
    gid = goals.create_goal(db, mentee, GoalDraft(
        title="Ship 3 portfolio pieces", target_value=3, target_unit="portfolio pieces",
        due_date=date(2020, 1, 1),
        milestones=(MilestoneDraft("Outline", True), MilestoneDraft("Draft"))))
    with db.transaction() as s:
        s.execute(insert(ActionItem), [
            {"mentee_id": mentee, "goal_id": gid, "text": "a", "done": False},
            {"mentee_id": mentee, "goal_id": gid, "text": "b", "done": True},
            {"mentee_id": mentee, "goal_id": gid, "text": "c", "done": False},
            {"mentee_id": mentee, "goal_id": gid, "text": "topic", "kind": "next_time"},
        ])
    card = goals.load_board(db).cards[0]
    assert card.mentee_name == "Priya"
    assert card.target == "3 portfolio pieces"
    assert card.progress.percent == 50 and card.progress.label == "1 of 2 milestones"
    assert card.open_actions == 2
    assert card.due_date == date(2020, 1, 1)


def test_move_across_columns_persists_after_reopen(db_path: Path) -> None:
    db = open_database(db_path)
    cols = column_ids(db)
    mentee = add_mentee(db)
    a, b, c = make_goals(db, mentee, cols["not_started"], 3)
    x, y = make_goals(db, mentee, cols["in_progress"], 2)
    result = goals.move_goal(db, b, cols["in_progress"], y)
    assert result.previous == goals.Placement(cols["not_started"], c)
    db.close()
    again = open_database(db_path)
    assert order(again, cols["not_started"]) == [a, c]
    assert order(again, cols["in_progress"]) == [x, b, y]
    # Undo data puts it back exactly.
    goals.move_goal(again, b, result.previous.column_id, result.previous.before_id)
    assert order(again, cols["not_started"]) == [a, b, c]
    assert order(again, cols["in_progress"]) == [x, y]
    again.close()


def test_done_column_stamps_completion_and_leaving_clears_it(db: Database) -> None:
    cols = column_ids(db)
    gid = make_goals(db, add_mentee(db), cols["in_progress"], 1)[0]
    done = goals.move_goal(db, gid, cols["done"], None)
    assert done.moved and done.completed_at is not None
    assert goals.load_cards(db, [gid])[gid].completed_at == done.completed_at
    back = goals.move_goal(db, gid, cols["in_progress"], None)
    assert back.completed_at is None
    assert goals.load_cards(db, [gid])[gid].completed_at is None
    assert back.previous_completed_at == done.completed_at
    # Undo restores the very same stamp.
    again = goals.move_goal(db, gid, cols["done"], None, completed_at=done.completed_at)
    assert again.completed_at == done.completed_at
    assert not goals.move_goal(db, gid, cols["done"], None).moved


def test_move_within_column_and_no_op(db: Database) -> None:
    cols = column_ids(db)
    col = cols["not_started"]
    a, b, c, d = make_goals(db, add_mentee(db), col, 4)
    goals.move_goal(db, d, col, a)
    assert order(db, col) == [d, a, b, c]
    goals.move_goal(db, d, col, None)
    assert order(db, col) == [a, b, c, d]
    goals.move_goal(db, b, col, b)  # dropped onto itself
    assert order(db, col) == [a, b, c, d]
    goals.move_goal(db, a, col, c)
    assert order(db, col) == [b, a, c, d]


def test_hidden_goals_of_archived_mentees_keep_visible_order(db: Database) -> None:
    cols = column_ids(db)
    col = cols["not_started"]
    active, archived = add_mentee(db, "Active"), add_mentee(db, "Gone", archived=True)
    a = make_goals(db, active, col, 1)[0]
    hidden = make_goals(db, archived, col, 1)[0]
    b = make_goals(db, active, col, 1)[0]
    assert order(db, col) == [a, b]
    result = goals.move_goal(db, a, cols["blocked"], None)
    # The successor is the next goal the mentor could see, not the hidden one.
    assert result.previous.before_id == b
    assert hidden not in [c.id for c in goals.load_board(db).cards]


def test_delete_and_restore_goal_is_exact(db: Database) -> None:
    cols = column_ids(db)
    mentee = add_mentee(db)
    a, b, c = make_goals(db, mentee, cols["blocked"], 3)
    goals.save_goal(db, b, GoalDraft(
        title="Run 5 interviews", description="why", progress_mode="measure",
        target_value=5, target_unit="interviews", current_value=2,
        due_date=date(2027, 1, 2),
        milestones=(MilestoneDraft("Recruit", True), MilestoneDraft("Run")),
        links=(LinkDraft("Plan", "https://docs.example.org/plan"),)))
    with db.transaction() as s:
        sess = Session(mentee_id=mentee, start_utc=datetime(2026, 1, 1, tzinfo=UTC))
        s.add(sess)
        s.flush()
        s.add(SessionGoal(session_id=sess.id, goal_id=b))
        s.add(ActionItem(mentee_id=mentee, goal_id=b, session_id=sess.id, text="Send CV"))
        session_id = sess.id
    before = goals.get_goal(db, b)
    snapshot = goals.delete_goal(db, b)
    assert order(db, cols["blocked"]) == [a, c]
    with db.reader() as s:
        assert s.scalar(select(ActionItem.goal_id)) is None
        assert s.scalars(select(ResourceLink)).all() == []
    goals.restore_goal(db, snapshot)
    assert order(db, cols["blocked"]) == [a, b, c]
    after = goals.get_goal(db, b)
    assert after.draft == before.draft
    with db.reader() as s:
        assert s.scalar(select(ActionItem.goal_id)) == b
        assert s.scalar(select(SessionGoal.session_id).where(SessionGoal.goal_id == b)) \
            == session_id


def test_save_goal_milestones_and_validation(db: Database) -> None:
    gid = make_goals(db, add_mentee(db), column_ids(db)["not_started"], 1)[0]
    goals.save_goal(db, gid, GoalDraft(title="T", milestones=(
        MilestoneDraft("one"), MilestoneDraft("two", True), MilestoneDraft("  "))))
    stored = goals.get_goal(db, gid).draft.milestones
    assert [m.title for m in stored] == ["one", "two"]
    assert stored[1].done_at is not None and stored[0].done_at is None
    # Reorder and drop one; ids are kept for what stays.
    goals.save_goal(db, gid, GoalDraft(title="T", milestones=(stored[1], )))
    assert goals.get_goal(db, gid).draft.milestones == (stored[1],)
    for bad, field in (
        (GoalDraft(title="  "), "title"),
        (GoalDraft(title="x", progress_mode="measure"), "target_value"),
        (GoalDraft(title="x", progress_mode="bogus"), "progress_mode"),
        (GoalDraft(title="x", manual_progress=120), "manual_progress"),
        (GoalDraft(title="x", links=(LinkDraft("bad", "javascript:alert(1)"),)), "links"),
    ):
        with pytest.raises(ValidationError) as err:
            goals.save_goal(db, gid, bad)
        assert err.value.field == field


def test_create_goal_needs_mentee_and_column(db: Database) -> None:
    with pytest.raises(ValidationError):
        goals.create_goal(db, 999, GoalDraft(title="x"))
    mentee = add_mentee(db)
    with pytest.raises(ValidationError):
        goals.create_goal(db, mentee, GoalDraft(title="x"), column_id=999)
    gid = goals.create_goal(db, mentee, GoalDraft(title="x"))
    assert goals.load_board(db).cards[0].id == gid
    assert goals.load_board(db).cards[0].column_id == column_ids(db)["not_started"]


def test_columns_add_rename_delete(db: Database) -> None:
    info = goals.add_column(db, "  Waiting   on   others ")
    assert info.name == "Waiting on others" and not info.builtin
    assert [c.name for c in goals.load_board(db).columns][-1] == "Waiting on others"
    with pytest.raises(ValidationError):
        goals.add_column(db, "in progress")
    old = goals.rename_column(db, info.id, "Parked")
    assert old == "Waiting on others"
    done = column_ids(db)["done"]
    with pytest.raises(ValidationError):
        goals.delete_column(db, done)
    gid = make_goals(db, add_mentee(db), info.id, 1)[0]
    with pytest.raises(ValidationError):
        goals.delete_column(db, info.id)
    goals.delete_goal(db, gid)
    removed = goals.delete_column(db, info.id)
    assert info.id not in [c.id for c in goals.load_board(db).columns]
    # Undo of a delete: the same id at the same place.
    back = goals.add_column(db, removed.name, column_id=removed.id, position=removed.position)
    assert back.id == info.id
    assert [c.name for c in goals.load_board(db).columns] == [
        "Not started", "In progress", "Blocked", "Done", "Parked"]


def test_filter_choices_tags_and_mentees(db: Database) -> None:
    a, b = add_mentee(db, "Ana"), add_mentee(db, "Ben")
    add_mentee(db, "No goals")
    make_goals(db, a, column_ids(db)["not_started"], 1)
    make_goals(db, b, column_ids(db)["not_started"], 1)
    with db.transaction() as s:
        s.add(Tag(id=1, name="design"))
        s.flush()
        s.add(MenteeTag(mentee_id=a, tag_id=1))
    choices = goals.filter_choices(db)
    assert choices.mentees == ((a, "Ana"), (b, "Ben"))
    assert choices.tags[0].name == "design" and choices.tags[0].mentee_ids == {a}
    assert [n for _, n in goals.mentee_choices(db)] == ["Ana", "Ben", "No goals"]


def test_goal_story_links_sessions_notes_actions_milestones(db: Database) -> None:
    mentee = add_mentee(db)
    gid = goals.create_goal(db, mentee, GoalDraft(
        title="Give a talk", milestones=(MilestoneDraft("Abstract", True),)))
    t0 = datetime(2026, 3, 1, 10, tzinfo=UTC)
    with db.transaction() as s:
        direct = Session(mentee_id=mentee, title="Talk prep", start_utc=t0, status="held",
                         agenda="## Agenda\n- outline the talk")
        via_action = Session(mentee_id=mentee, title="Follow-up",
                             start_utc=t0 + timedelta(days=14), status="held")
        unrelated = Session(mentee_id=mentee, title="Other", start_utc=t0)
        s.add_all([direct, via_action, unrelated])
        s.flush()
        s.add(SessionGoal(session_id=direct.id, goal_id=gid))
        s.add(Note(mentee_id=mentee, session_id=direct.id, body="## Notes\nPicked a topic",
                   created_at=t0 + timedelta(hours=1)))
        s.add(Note(mentee_id=mentee, session_id=unrelated.id, body="unrelated"))
        s.add(ActionItem(mentee_id=mentee, session_id=via_action.id, goal_id=gid,
                         text="Submit the CFP", done=True, created_at=t0 + timedelta(days=14),
                         done_at=t0 + timedelta(days=16)))
    story = goals.goal_story(db, gid)
    kinds = [e.kind for e in story]
    titles = [e.title for e in story]
    assert "Session held: Talk prep" in titles and "Session held: Follow-up" in titles
    assert not any("Other" in t for t in titles)
    note = next(e for e in story if e.kind == "note")
    assert note.detail == "Picked a topic"
    assert "Done: Submit the CFP" in titles and "Milestone done: Abstract" in titles
    assert kinds.count("created") == 1
    whens = [e.when for e in story]
    assert whens == sorted(whens, reverse=True)
    assert goals.goal_story(db, 12345) == ()


def test_demo_data_exercises_the_board(demo_db: Database) -> None:
    board = goals.load_board(demo_db)
    used = {c.column_id for c in board.cards}
    assert used == {c.id for c in board.columns}
    assert any(c.open_actions for c in board.cards)
    assert {c.progress.label.split()[-1] for c in board.cards} >= {"milestones"}
    with demo_db.reader() as s:
        linked = s.scalar(select(SessionGoal.goal_id))
    assert linked is not None
    assert any(e.kind == "session" for e in goals.goal_story(demo_db, linked))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3), st.integers(-1, 6)),
                min_size=1, max_size=25))
def test_moves_match_a_list_model(db: Database, moves: list[tuple[int, int, int]]) -> None:
    """Any sequence of moves leaves the database in the order a plain list model predicts,
    and replaying the undo data in reverse restores the start."""
    with db.transaction() as s:
        s.execute(delete(Goal))
        s.execute(delete(Mentee))
    cols = [c.id for c in goals.load_board(db).columns]
    mentee = add_mentee(db)
    ids = make_goals(db, mentee, cols[0], 6)
    # Uneven positions with ties, as hand-made or migrated data may have.
    with db.transaction() as s:
        for gid, pos in zip(ids, (0, 0, 5, 5, 9, 30), strict=True):
            s.execute(update(Goal).where(Goal.id == gid).values(position=pos))
    model = {c: order(db, c) for c in cols}
    start = {c: list(v) for c, v in model.items()}
    undo: list[tuple[int, goals.Placement]] = []
    for goal_index, col_index, before_index in moves:
        gid = ids[goal_index]
        col = cols[col_index]
        target = model[col]
        before = target[before_index] if 0 <= before_index < len(target) else None
        result = goals.move_goal(db, gid, col, before)
        undo.append((gid, result.previous))
        for lst in model.values():
            if gid in lst:
                lst.remove(gid)
        if before is not None and before != gid and before in target:
            target.insert(target.index(before), gid)
        elif before == gid:
            prev = result.previous
            if prev.column_id == col:
                target.insert(target.index(prev.before_id) if prev.before_id else
                              len(target), gid)
            else:
                target.append(gid)
        else:
            target.append(gid)
        assert {c: order(db, c) for c in cols} == model
    for gid, prev in reversed(undo):
        goals.move_goal(db, gid, prev.column_id, prev.before_id)
    assert {c: order(db, c) for c in cols} == start


def test_repeated_moves_into_one_slot_renumber_without_losing_order(db: Database) -> None:
    """Each move halves the gap between two neighbours; once it is used up the column is
    spread out again and the order is still exactly what the mentor made."""
    cols = column_ids(db)
    col = cols["not_started"]
    mentee = add_mentee(db)
    first, last = make_goals(db, mentee, col, 2)
    movers = make_goals(db, mentee, cols["in_progress"], 14)
    expected = [first]
    for gid in movers:
        # Always into the slot right before ``last``: after everything moved so far.
        goals.move_goal(db, gid, col, last)
        expected.append(gid)
        assert order(db, col) == [*expected, last]
    with db.reader() as s:
        positions = s.scalars(select(Goal.position).where(Goal.column_id == col)
                              .order_by(Goal.position)).all()
    assert len(set(positions)) == len(positions)
