"""Goal board use cases: load the board, move goals, edit them, manage columns.

Every function is one unit of work and returns frozen values. Anything that changes data
returns what is needed to undo it exactly (the goal's old neighbour, a deleted goal's full
snapshot), because the UI's undo commands call these functions and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from mentordesk.domain.goals import (
    ColumnKind,
    Progress,
    ProgressMode,
    progress,
    target_text,
)
from mentordesk.errors import ValidationError
from mentordesk.storage import goals_repo as repo
from mentordesk.storage.database import Database
from mentordesk.storage.schema import BoardColumn, Goal
from mentordesk.storage.types import utcnow


# -- values ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ColumnInfo:
    id: int
    name: str
    position: int
    status_key: str | None

    @property
    def builtin(self) -> bool:
        return self.status_key is not None

    @property
    def is_done(self) -> bool:
        return self.status_key == ColumnKind.DONE


@dataclass(frozen=True)
class BoardCard:
    id: int
    mentee_id: int
    mentee_name: str
    column_id: int
    title: str
    target: str
    progress: Progress
    due_date: date | None
    open_actions: int
    completed_at: datetime | None


@dataclass(frozen=True)
class Board:
    columns: tuple[ColumnInfo, ...]
    # In board order: by column, then by position within the column.
    cards: tuple[BoardCard, ...]

    def cards_in(self, column_id: int) -> list[BoardCard]:
        return [c for c in self.cards if c.column_id == column_id]


@dataclass(frozen=True)
class TagChoice:
    id: int
    name: str
    mentee_ids: frozenset[int]


@dataclass(frozen=True)
class FilterChoices:
    mentees: tuple[tuple[int, str], ...]
    tags: tuple[TagChoice, ...]


@dataclass(frozen=True)
class MilestoneDraft:
    title: str
    done: bool = False
    id: int | None = None
    done_at: datetime | None = None


@dataclass(frozen=True)
class LinkDraft:
    title: str
    url: str


@dataclass(frozen=True)
class GoalDraft:
    """Everything the goal editor edits, saved in one go."""

    title: str
    description: str = ""
    progress_mode: str = ProgressMode.MILESTONES
    target_value: float | None = None
    target_unit: str = ""
    current_value: float | None = None
    manual_progress: int | None = None
    due_date: date | None = None
    milestones: tuple[MilestoneDraft, ...] = ()
    links: tuple[LinkDraft, ...] = ()


@dataclass(frozen=True)
class GoalDetails:
    id: int
    mentee_id: int
    mentee_name: str
    column_id: int
    draft: GoalDraft
    created_at: datetime


@dataclass(frozen=True)
class Placement:
    """Where a goal sits: its column and the goal right after it (None: last)."""

    column_id: int
    before_id: int | None


@dataclass(frozen=True)
class MoveResult:
    previous: Placement
    previous_completed_at: datetime | None
    column_id: int
    completed_at: datetime | None
    moved: bool


@dataclass(frozen=True)
class GoalSnapshot:
    """A deleted goal, complete enough to put back with the same id and links."""

    id: int
    mentee_id: int
    placement: Placement
    fields: tuple[tuple[str, Any], ...]
    milestones: tuple[tuple[tuple[str, Any], ...], ...]
    links: tuple[tuple[tuple[str, Any], ...], ...]
    action_item_ids: tuple[int, ...]
    session_ids: tuple[int, ...]


@dataclass(frozen=True)
class StoryEvent:
    when: datetime
    # created | session | note | action | action_done | milestone | completed
    kind: str
    title: str
    detail: str = ""
    session_id: int | None = None
    private: bool = field(default=False)


# -- reading ---------------------------------------------------------------------------
def _column_info(c: BoardColumn) -> ColumnInfo:
    return ColumnInfo(c.id, c.name, c.position, c.status_key)


def _card(row: Any) -> BoardCard:
    (gid, mentee_id, mentee_name, column_id, _position, title, target_value, target_unit,
     current_value, mode, manual, due, completed_at, ms_done, ms_total, open_actions) = row
    return BoardCard(
        id=gid, mentee_id=mentee_id, mentee_name=mentee_name, column_id=column_id,
        title=title, target=target_text(target_value, target_unit or ""),
        progress=progress(mode, milestones_done=int(ms_done), milestones_total=int(ms_total),
                          current_value=current_value, target_value=target_value,
                          target_unit=target_unit or "", manual_progress=manual),
        due_date=due, open_actions=int(open_actions), completed_at=completed_at,
    )


def load_board(db: Database) -> Board:
    with db.reader() as s:
        cols = tuple(_column_info(c) for c in repo.columns(s))
        rows = repo.board_rows(s)
    order = {c.id: i for i, c in enumerate(cols)}
    cards = [_card(r) for r in rows]
    # Rows come sorted by column id; the board shows columns in their own order.
    cards.sort(key=lambda c: order.get(c.column_id, len(order)))
    return Board(cols, tuple(cards))


def load_cards(db: Database, goal_ids: Sequence[int]) -> dict[int, BoardCard]:
    with db.reader() as s:
        return {r[0]: _card(r) for r in repo.board_rows(s, goal_ids)}


def filter_choices(db: Database) -> FilterChoices:
    with db.reader() as s:
        mentees = tuple(repo.mentees_with_goals(s))
        tags = tuple(TagChoice(tid, name, frozenset(ids))
                     for (tid, name), ids in repo.tags_with_mentees(s).items())
    return FilterChoices(mentees, tags)


def mentee_choices(db: Database) -> tuple[tuple[int, str], ...]:
    with db.reader() as s:
        return tuple(repo.active_mentees(s))


def mentee_name(db: Database, mentee_id: int) -> str | None:
    with db.reader() as s:
        return repo.mentee_name(s, mentee_id)


def get_goal(db: Database, goal_id: int) -> GoalDetails:
    with db.reader() as s:
        goal = s.get(Goal, goal_id)
        if goal is None:
            raise ValidationError("This goal no longer exists.", field="goal")
        name = repo.mentee_name(s, goal.mentee_id) or ""
        milestones = tuple(
            MilestoneDraft(m.title, m.done, m.id, m.done_at)
            for m in repo.goal_milestones(s, goal_id))
        links = tuple(LinkDraft(link.title, link.url) for link in repo.goal_links(s, goal_id))
        draft = GoalDraft(
            title=goal.title, description=goal.description or "",
            progress_mode=goal.progress_mode, target_value=goal.target_value,
            target_unit=goal.target_unit or "", current_value=goal.current_value,
            manual_progress=goal.manual_progress, due_date=goal.due_date,
            milestones=milestones, links=links)
        return GoalDetails(goal.id, goal.mentee_id, name, goal.column_id, draft,
                           goal.created_at)


def placement(db: Database, goal_id: int) -> Placement:
    with db.reader() as s:
        goal = _goal(s, goal_id)
        return Placement(goal.column_id, repo.successor_id(s, goal))


# -- validation ------------------------------------------------------------------------
def validate_draft(draft: GoalDraft) -> GoalDraft:
    """The draft as it will be stored, or a ValidationError naming the field."""
    title = draft.title.strip()
    if not title:
        raise ValidationError("Give the goal a title.", field="title")
    if len(title) > 300:
        raise ValidationError("Keep the title under 300 characters.", field="title")
    if draft.progress_mode not in tuple(ProgressMode):
        raise ValidationError("Choose how progress is measured.", field="progress_mode")
    if draft.target_value is not None and draft.target_value < 0:
        raise ValidationError("The target cannot be negative.", field="target_value")
    if draft.progress_mode == ProgressMode.MEASURE and not draft.target_value:
        raise ValidationError("A measured goal needs a target above zero (e.g. 3 talks).",
                              field="target_value")
    if draft.current_value is not None and draft.current_value < 0:
        raise ValidationError("The current value cannot be negative.", field="current_value")
    if len(draft.target_unit) > 80:
        raise ValidationError("Keep the unit under 80 characters.", field="target_unit")
    if draft.manual_progress is not None and not 0 <= draft.manual_progress <= 100:
        raise ValidationError("Progress is between 0 and 100 %.", field="manual_progress")
    milestones = []
    for m in draft.milestones:
        text = m.title.strip()
        if not text:
            continue
        if len(text) > 300:
            raise ValidationError("Keep milestones under 300 characters.", field="milestones")
        milestones.append(MilestoneDraft(text, m.done, m.id, m.done_at))
    links = []
    for link in draft.links:
        url = link.url.strip()
        if not url and not link.title.strip():
            continue
        if not url.lower().startswith(("http://", "https://", "mailto:", "file:")):
            raise ValidationError(f"“{url or link.title}” is not a web link (https://…).",
                                  field="links")
        links.append(LinkDraft(link.title.strip() or url, url))
    return GoalDraft(title, draft.description, draft.progress_mode, draft.target_value,
                     draft.target_unit.strip(), draft.current_value, draft.manual_progress,
                     draft.due_date, tuple(milestones), tuple(links))


def _goal(s: Any, goal_id: int) -> Goal:
    goal = s.get(Goal, goal_id)
    if goal is None:
        raise ValidationError("This goal no longer exists.", field="goal")
    assert isinstance(goal, Goal)
    return goal


def _write_draft(s: Any, goal: Goal, draft: GoalDraft) -> None:
    goal.title = draft.title
    goal.description = draft.description
    goal.progress_mode = draft.progress_mode
    goal.target_value = draft.target_value
    goal.target_unit = draft.target_unit
    goal.current_value = draft.current_value
    goal.manual_progress = draft.manual_progress
    goal.due_date = draft.due_date
    now = utcnow()
    repo.replace_milestones(s, goal.id, [
        {**({"id": m.id} if m.id is not None else {}), "title": m.title, "done": m.done,
         "done_at": (m.done_at or now) if m.done else None, "position": i}
        for i, m in enumerate(draft.milestones)])
    repo.replace_goal_links(s, goal.id, goal.mentee_id, [
        {"title": link.title, "url": link.url, "position": i}
        for i, link in enumerate(draft.links)])


# -- changing goals --------------------------------------------------------------------
def create_goal(db: Database, mentee_id: int, draft: GoalDraft,
                column_id: int | None = None) -> int:
    draft = validate_draft(draft)
    with db.transaction() as s:
        if repo.mentee_name(s, mentee_id) is None:
            raise ValidationError("Choose a mentee for the goal.", field="mentee")
        if column_id is None:
            first = repo.columns(s)
            if not first:
                raise ValidationError("The board has no columns.", field="column")
            column_id = first[0].id
        col = repo.column(s, column_id)
        if col is None:
            raise ValidationError("That column no longer exists.", field="column")
        goal = Goal(mentee_id=mentee_id, column_id=column_id,
                    position=repo.new_goal_position(s, column_id), title=draft.title)
        if col.status_key == ColumnKind.DONE:
            goal.completed_at = utcnow()
        s.add(goal)
        s.flush()
        _write_draft(s, goal, draft)
        return goal.id


def save_goal(db: Database, goal_id: int, draft: GoalDraft) -> None:
    draft = validate_draft(draft)
    with db.transaction() as s:
        _write_draft(s, _goal(s, goal_id), draft)


def move_goal(db: Database, goal_id: int, column_id: int, before_id: int | None,
              *, completed_at: datetime | None = None) -> MoveResult:
    """Move a goal into ``column_id`` just before ``before_id`` (None: to the end).

    Entering the Done column stamps ``completed_at`` (or restores the given one, for undo);
    leaving it clears the stamp.
    """
    with db.transaction() as s:
        goal = _goal(s, goal_id)
        target = repo.column(s, column_id)
        if target is None:
            raise ValidationError("That column no longer exists.", field="column")
        previous = Placement(goal.column_id, repo.successor_id(s, goal))
        previous_completed = goal.completed_at
        if before_id == goal_id:
            before_id = previous.before_id if previous.column_id == column_id else None
        moved = Placement(column_id, before_id) != previous
        if moved:
            repo.place(s, goal, column_id, before_id)
        if target.status_key == ColumnKind.DONE:
            goal.completed_at = completed_at or goal.completed_at or utcnow()
        else:
            goal.completed_at = None
        done_at = goal.completed_at
    # A move changes nothing else on the card: the caller updates the card it already has
    # instead of re-reading it (that read was most of the cost of a drag).
    return MoveResult(previous, previous_completed, column_id, done_at, moved)


def delete_goal(db: Database, goal_id: int) -> GoalSnapshot:
    with db.transaction() as s:
        goal = _goal(s, goal_id)
        where = Placement(goal.column_id, repo.successor_id(s, goal))
        names = ("title", "description", "target_value", "target_unit", "current_value",
                 "progress_mode", "manual_progress", "due_date", "completed_at",
                 "created_at", "updated_at")
        fields = tuple((n, getattr(goal, n)) for n in names)
        milestones = tuple(
            tuple((n, getattr(m, n)) for n in ("id", "title", "done", "done_at", "position",
                                                "created_at", "updated_at"))
            for m in repo.goal_milestones(s, goal_id))
        links = tuple(
            tuple((n, getattr(link, n)) for n in ("id", "title", "url", "position"))
            for link in repo.goal_links(s, goal_id))
        snapshot = GoalSnapshot(
            goal.id, goal.mentee_id, where, fields, milestones, links,
            tuple(repo.action_item_ids(s, goal_id)), tuple(repo.linked_session_ids(s, goal_id)))
        repo.replace_goal_links(s, goal_id, goal.mentee_id, [])
        s.delete(goal)
    return snapshot


def restore_goal(db: Database, snapshot: GoalSnapshot) -> None:
    """Put a deleted goal back exactly: same id, place, checklist, links and history."""
    with db.transaction() as s:
        column_id = snapshot.placement.column_id
        if repo.column(s, column_id) is None:
            column_id = repo.columns(s)[0].id
        goal = Goal(id=snapshot.id, mentee_id=snapshot.mentee_id, column_id=column_id,
                    position=0, **dict(snapshot.fields))
        s.add(goal)
        s.flush()
        repo.place(s, goal, column_id, snapshot.placement.before_id)
        repo.replace_milestones(s, goal.id, [dict(m) for m in snapshot.milestones])
        repo.replace_goal_links(s, goal.id, goal.mentee_id, [dict(link)
                                                              for link in snapshot.links])
        repo.relink(s, goal.id, snapshot.action_item_ids, snapshot.session_ids)


# -- columns ---------------------------------------------------------------------------
def _clean_column_name(s: Any, name: str, exclude_id: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Give the column a name.", field="name")
    if len(name) > 80:
        raise ValidationError("Keep column names under 80 characters.", field="name")
    for c in repo.columns(s):
        if c.id != exclude_id and c.name.casefold() == name.casefold():
            raise ValidationError(f"There is already a column called “{c.name}”.",
                                  field="name")
    return name


def add_column(db: Database, name: str, *, column_id: int | None = None,
               position: int | None = None) -> ColumnInfo:
    with db.transaction() as s:
        row = repo.add_column(s, _clean_column_name(s, name), column_id=column_id,
                              position=position)
        return _column_info(row)


def rename_column(db: Database, column_id: int, name: str) -> str:
    """Rename a column; returns the old name (for undo)."""
    with db.transaction() as s:
        col = repo.column(s, column_id)
        if col is None:
            raise ValidationError("That column no longer exists.", field="column")
        old = col.name
        col.name = _clean_column_name(s, name, exclude_id=column_id)
        return old


def delete_column(db: Database, column_id: int) -> ColumnInfo:
    """Delete an empty column the mentor added; the four built-in ones stay."""
    with db.transaction() as s:
        col = repo.column(s, column_id)
        if col is None:
            raise ValidationError("That column no longer exists.", field="column")
        if col.status_key is not None:
            raise ValidationError(f"“{col.name}” is one of the four standard columns and "
                                  "stays; you can rename it.", field="column")
        if repo.goals_in_column(s, column_id):
            raise ValidationError(f"Move the goals out of “{col.name}” before deleting it.",
                                  field="column")
        info = _column_info(col)
        s.delete(col)
    return info


# -- the goal's story ------------------------------------------------------------------
def _first_line(text: str, limit: int = 160) -> str:
    """The first line that says something: headings like "## Notes" are only labels."""
    lines = [raw.strip() for raw in text.splitlines() if raw.strip()]
    chosen = next((x for x in lines if not x.startswith("#")), lines[0] if lines else "")
    chosen = chosen.lstrip("#>-*[] x0123456789.").strip()
    for mark in ("**", "__", "`"):
        chosen = chosen.replace(mark, "")
    return chosen if len(chosen) <= limit else chosen[: limit - 1] + "…"


def goal_story(db: Database, goal_id: int) -> tuple[StoryEvent, ...]:
    """Every session, note, action item and milestone linked to the goal, newest first."""
    events: list[StoryEvent] = []
    with db.reader() as s:
        dates = repo.goal_dates(s, goal_id)
        if dates is None:
            return ()
        created, completed = dates
        events.append(StoryEvent(created, "created", "Goal set"))
        if completed is not None:
            events.append(StoryEvent(completed, "completed", "Goal reached — moved to Done"))
        for m in repo.goal_milestones(s, goal_id):
            if m.done and m.done_at is not None:
                events.append(StoryEvent(m.done_at, "milestone", f"Milestone done: {m.title}"))
        sessions = repo.story_sessions(s, goal_id)
        for sess in sessions:
            state = {"held": "Session held", "cancelled": "Session cancelled"}.get(
                sess.status, "Session planned")
            events.append(StoryEvent(sess.start_utc, "session",
                                     f"{state}: {sess.title or 'Check-in'}",
                                     _first_line(sess.agenda or ""), sess.id))
        for note in repo.story_notes(s, [x.id for x in sessions]):
            events.append(StoryEvent(note.created_at, "note", "Note",
                                     _first_line(note.body), note.session_id, note.private))
        for item in repo.story_actions(s, goal_id):
            label = "Topic for next time" if item.kind == "next_time" else "Action agreed"
            events.append(StoryEvent(item.created_at, "action", f"{label}: {item.text}",
                                     "open" if not item.done else "", item.session_id))
            if item.done and item.done_at is not None:
                events.append(StoryEvent(item.done_at, "action_done", f"Done: {item.text}",
                                         session_id=item.session_id))
    # Within one moment the session comes first, then its note, then what was agreed.
    rank = {"created": 0, "session": 1, "note": 2, "action": 3, "action_done": 4,
            "milestone": 5, "completed": 6}
    events.sort(key=lambda e: (e.when, rank.get(e.kind, 9)), reverse=True)
    return tuple(events)


class GoalService:
    """The goal use cases bound to one database, for callers that keep a service object
    (the notes view's ``/goal`` command)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create_goal(self, mentee_id: int, draft: GoalDraft | str,
                    column_id: int | None = None) -> GoalDetails:
        if isinstance(draft, str):
            draft = GoalDraft(title=draft)
        return get_goal(self.db, create_goal(self.db, mentee_id, draft, column_id))

    def get_goal(self, goal_id: int) -> GoalDetails:
        return get_goal(self.db, goal_id)

    def load_board(self) -> Board:
        return load_board(self.db)
