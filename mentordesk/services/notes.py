"""During the call: the note (autosaved), the agenda, action items, goals touched, the recap."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session as OrmSession

from mentordesk.domain.dates import day_text
from mentordesk.domain.timezones import zone
from mentordesk.errors import EditConflict, ValidationError
from mentordesk.services.goals import GoalService
from mentordesk.storage import sessions_repo as repo
from mentordesk.storage.database import Database
from mentordesk.storage.outbox import enqueue_session_change
from mentordesk.storage.schema import ActionItem, BoardColumn, Goal, Note
from mentordesk.storage.types import utcnow

KINDS = ("action", "next_time")
MAX_NOTE_CHARS = 2_000_000
# "/action Send the CV", "/next Talk about salary", "/goal Give a talk" at the start of a line.
_COMMAND = re.compile(r"^\s*/(action|next|goal)\b[ \t]*(.*?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class NoteRecord:
    id: int
    session_id: int
    mentee_id: int
    body: str
    private: bool
    updated_at: datetime


@dataclass(frozen=True)
class ActionItemRecord:
    id: int
    mentee_id: int
    session_id: int | None
    goal_id: int | None
    goal_title: str
    text: str
    kind: str
    done: bool
    due_date: date | None


@dataclass(frozen=True)
class Agenda:
    session_id: int
    topics: str
    carried_actions: tuple[ActionItemRecord, ...]
    next_time: tuple[ActionItemRecord, ...]
    previous_session_id: int | None


@dataclass(frozen=True)
class GoalChoice:
    id: int
    title: str
    done: bool


@dataclass(frozen=True)
class LineCommand:
    kind: str  # action | next | goal
    text: str


@dataclass(frozen=True)
class LineCommandResult:
    replacement: str
    action: ActionItemRecord | None = None
    goal_id: int | None = None


CONFLICT_START = "<<<<<<< MentorDesk kept both versions."
CONFLICT_END = ">>>>>>> End of the text saved elsewhere."


class NoteConflict(EditConflict):
    """The note had been changed by another writer: the save kept both texts."""


def conflict_block(theirs: str, when: datetime) -> str:
    """The other writer's text between markers, appended to ours on a conflict."""
    return (f"\n\n{CONFLICT_START} Below is the text saved elsewhere (another window, "
            f"device or program) at {when:%Y-%m-%d %H:%M} UTC; yours is above. Merge what "
            f"you need, then delete from this line to the end marker.\n"
            f"{theirs}\n{CONFLICT_END}\n")


def parse_line_command(line: str) -> LineCommand | None:
    match = _COMMAND.match(line)
    if match is None or not match.group(2):
        return None
    return LineCommand(match.group(1).lower(), match.group(2))


def _action_record(item: ActionItem, titles: dict[int, str]) -> ActionItemRecord:
    return ActionItemRecord(
        id=item.id, mentee_id=item.mentee_id, session_id=item.session_id,
        goal_id=item.goal_id, goal_title=titles.get(item.goal_id or -1, ""),
        text=item.text, kind=item.kind, done=item.done, due_date=item.due_date,
    )


def _records(s: object, items: list[ActionItem] | tuple[ActionItem, ...]) \
        -> tuple[ActionItemRecord, ...]:
    assert isinstance(s, OrmSession)
    titles = repo.goal_titles(s, [i.goal_id for i in items if i.goal_id is not None])
    return tuple(_action_record(i, titles) for i in items)


class NoteService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- the note ----------------------------------------------------------------------
    def open_note(self, session_id: int) -> NoteRecord:
        """The session's note, created empty on first use."""
        with self.db.transaction() as s:
            session = repo.get_session(s, session_id)
            if session is None or session.mentee_id is None:
                raise ValidationError("That session no longer exists.", field="session")
            if session.rrule is not None:
                raise ValidationError("Open one occurrence of the series to take notes.",
                                      field="session")
            note = repo.main_note(s, session_id)
            if note is None:
                note = Note(mentee_id=session.mentee_id, session_id=session_id, body="")
                s.add(note)
                s.flush()
            assert note.session_id is not None
            return NoteRecord(note.id, note.session_id, note.mentee_id, note.body, note.private,
                              note.updated_at)

    def find_note(self, session_id: int) -> NoteRecord | None:
        """The session's note if it has one (browsing must not create rows)."""
        with self.db.reader() as s:
            note = repo.main_note(s, session_id)
            if note is None or note.session_id is None:
                return None
            return NoteRecord(note.id, note.session_id, note.mentee_id, note.body, note.private,
                              note.updated_at)

    def save_note_body(self, note_id: int, body: str, *,
                       expected: str | None = None) -> datetime:
        """The autosave path: one small UPDATE in its own commit.

        ``expected`` is the text the caller last loaded or saved. When the stored text is
        something else (another window, device or program wrote it meanwhile), nothing is
        overwritten: the stored text is kept after ``body`` between markers, that is
        saved, and ``NoteConflict`` (raised after the commit) says so. Without
        ``expected`` the body is written as it is (a caller that read nothing first).
        """
        if len(body) > MAX_NOTE_CHARS:
            raise ValidationError("This note is too long to save (2 million characters).",
                                  field="body")
        conflict: NoteConflict | None = None
        with self.db.transaction() as s:
            if not repo.write_note_body(s, note_id, body, expected=expected):
                theirs = repo.note_body(s, note_id) if expected is not None else None
                if theirs is None:
                    raise ValidationError("The note was deleted elsewhere; copy your text out.",
                                          field="body")
                if theirs != body:
                    kept = conflict_block(theirs, utcnow())
                    merged = body + kept
                    if len(merged) > MAX_NOTE_CHARS:
                        raise ValidationError(
                            "This note was changed elsewhere meanwhile, and both versions "
                            "together are too long to keep in one note.",
                            field="body")
                    repo.write_note_body(s, note_id, merged)
                    conflict = NoteConflict(
                        "This note was changed elsewhere (another window, device or program) "
                        "while you were writing.",
                        hint="Nothing was lost: the other text is kept at the end of the note "
                             "between <<<<<<< and >>>>>>> lines.",
                        kept=kept, saved=merged)
        if conflict is not None:
            raise conflict
        return utcnow()

    def saver(self, session_id: int, note_id: int | None, loaded: str) -> NoteSaver:
        return NoteSaver(self, session_id, note_id, loaded)

    def set_private(self, note_id: int, private: bool) -> None:
        with self.db.transaction() as s:
            note = s.get(Note, note_id)
            if note is None:
                raise ValidationError("That note no longer exists.", field="note")
            note.private = private

    def note_body(self, note_id: int) -> str:
        with self.db.reader() as s:
            note = s.get(Note, note_id)
            return note.body if note is not None else ""

    # -- agenda ------------------------------------------------------------------------
    def agenda(self, session_id: int, *, at: datetime | None = None) -> Agenda:
        """Prepared topics plus what carries over: open actions and last time's "next time".

        ``at`` is the meeting's start when ``session_id`` is a series and the meeting one of
        its occurrences that has no row yet.
        """
        with self.db.reader() as s:
            session = repo.get_session(s, session_id)
            if session is None or session.mentee_id is None:
                raise ValidationError("That session no longer exists.", field="session")
            carried = list(repo.open_actions_carried(s, session.mentee_id, session_id))
            previous = repo.last_held_before(s, session.mentee_id, at or session.start_utc,
                                             exclude_id=session_id)
            nxt = list(repo.next_time_items(s, previous.id)) if previous is not None else []
            return Agenda(session_id, session.agenda, _records(s, carried), _records(s, nxt),
                          previous.id if previous is not None else None)

    def save_agenda(self, session_id: int, text: str) -> None:
        with self.db.transaction() as s:
            row = repo.write_session_agenda(s, session_id, text)
            if row is None:
                raise ValidationError("That session no longer exists.", field="session")
            # The agenda is the calendar event's description: the push must carry it.
            enqueue_session_change(s, row)

    # -- action items ------------------------------------------------------------------
    def action_items(self, session_id: int) -> list[ActionItemRecord]:
        with self.db.reader() as s:
            return list(_records(s, list(repo.action_items_of_session(s, session_id))))

    def add_action_item(self, session_id: int, text: str, *, kind: str = "action",
                        goal_id: int | None = None, due_date: date | None = None,
                        item_id: int | None = None) -> ActionItemRecord:
        """Add an item agreed in ``session_id``; ``item_id`` re-creates a deleted one (redo)."""
        text = text.strip()
        if not text:
            raise ValidationError("Write what was agreed.", field="text")
        if kind not in KINDS:
            raise ValidationError(f"Unknown kind of item '{kind}'.", field="kind")
        with self.db.transaction() as s:
            session = repo.get_session(s, session_id)
            if session is None or session.mentee_id is None:
                raise ValidationError("That session no longer exists.", field="session")
            if goal_id is not None:
                self._check_goal(s, goal_id, session.mentee_id)
            item = ActionItem(
                mentee_id=session.mentee_id, session_id=session_id, goal_id=goal_id,
                text=text, kind=kind, due_date=due_date,
                position=repo.next_position(s, session_id, session.mentee_id),
            )
            if item_id is not None:
                item.id = item_id
            s.add(item)
            s.flush()
            if goal_id is not None:
                repo.link_goal(s, session_id, goal_id)
            return _records(s, [item])[0]

    def set_done(self, item_id: int, done: bool) -> ActionItemRecord:
        with self.db.transaction() as s:
            item = self._item(s, item_id)
            item.done = done
            item.done_at = utcnow() if done else None
            return _records(s, [item])[0]

    def link_action_to_goal(self, item_id: int, goal_id: int | None) -> ActionItemRecord:
        with self.db.transaction() as s:
            item = self._item(s, item_id)
            if goal_id is not None:
                self._check_goal(s, goal_id, item.mentee_id)
                if item.session_id is not None:
                    repo.link_goal(s, item.session_id, goal_id)
            item.goal_id = goal_id
            return _records(s, [item])[0]

    def delete_action_item(self, item_id: int) -> ActionItemRecord:
        with self.db.transaction() as s:
            item = self._item(s, item_id)
            record = _records(s, [item])[0]
            s.delete(item)
            return record

    # -- goals -------------------------------------------------------------------------
    def goal_choices(self, mentee_id: int) -> list[GoalChoice]:
        with self.db.reader() as s:
            return [GoalChoice(g.id, g.title, g.completed_at is not None)
                    for g in repo.mentee_goals(s, mentee_id)]

    def goals_touched(self, session_id: int) -> list[GoalChoice]:
        with self.db.reader() as s:
            ids = repo.goals_touched(s, session_id)
            titles = repo.goal_titles(s, ids)
            return [GoalChoice(i, titles[i], False) for i in ids if i in titles]

    def link_goal(self, session_id: int, goal_id: int) -> None:
        with self.db.transaction() as s:
            session = repo.get_session(s, session_id)
            if session is None or session.mentee_id is None:
                raise ValidationError("That session no longer exists.", field="session")
            self._check_goal(s, goal_id, session.mentee_id)
            repo.link_goal(s, session_id, goal_id)

    def unlink_goal(self, session_id: int, goal_id: int) -> None:
        with self.db.transaction() as s:
            repo.unlink_goal(s, session_id, goal_id)

    # -- line commands -----------------------------------------------------------------
    def run_line_command(self, session_id: int, line: str) -> LineCommandResult | None:
        """``/action …``, ``/next …`` or ``/goal …``: create the item and say what the line
        becomes in the note. None when the line is no command."""
        command = parse_line_command(line)
        if command is None:
            return None
        if command.kind == "goal":
            with self.db.reader() as s:
                session = repo.get_session(s, session_id)
                mentee_id = session.mentee_id if session is not None else None
            if mentee_id is None:
                raise ValidationError("That session no longer exists.", field="session")
            goal = GoalService(self.db).create_goal(mentee_id, command.text)
            self.link_goal(session_id, goal.id)
            return LineCommandResult(f"**New goal:** {command.text}", goal_id=goal.id)
        kind = "action" if command.kind == "action" else "next_time"
        item = self.add_action_item(session_id, command.text, kind=kind)
        label = "Action" if kind == "action" else "Next time"
        return LineCommandResult(f"**{label}:** {command.text}", action=item)

    # -- recap -------------------------------------------------------------------------
    def recap_markdown(self, session_id: int) -> str:
        """What to send the mentee after the call: agreed actions and goals touched.

        Built from action items and goals only, so private notes can never leak into it.
        """
        with self.db.reader() as s:
            session = repo.get_session(s, session_id)
            if session is None or session.mentee_id is None:
                raise ValidationError("That session no longer exists.", field="session")
            names = repo.mentee_names(s, [session.mentee_id])
            name, tz, _link = names.get(session.mentee_id, ("", "UTC", None))
            items = list(repo.action_items_of_session(s, session_id))
            records = _records(s, items)
            goal_ids = repo.goals_touched(s, session_id)
            goals = [g for g in (s.get(Goal, gid) for gid in goal_ids) if g is not None]
            columns = {c.id: c.name for c in s.query(BoardColumn)}
            when = session.start_utc.astimezone(zone(tz))
            lines = [f"# Recap: {session.title or 'Session'} with {name}",
                     "", f"{when:%A %d %B %Y, %H:%M} ({tz})", ""]
            actions = [r for r in records if r.kind == "action"]
            nxt = [r for r in records if r.kind == "next_time"]
            lines.append("## Agreed actions")
            lines.append("")
            if actions:
                for r in actions:
                    goal = f" *(goal: {r.goal_title})*" if r.goal_title else ""
                    due = (f" — by {day_text(r.due_date, when.date(), weekday=False)}"
                           if r.due_date else "")
                    lines.append(f"- [{'x' if r.done else ' '}] {r.text}{goal}{due}")
            else:
                lines.append("- No new actions this time.")
            lines.append("")
            if nxt:
                lines += ["## Next time", ""]
                lines += [f"- {r.text}" for r in nxt]
                lines.append("")
            lines += ["## Goals touched", ""]
            if goals:
                for g in goals:
                    lines.append(f"- {g.title} — {columns.get(g.column_id, '')}")
            else:
                lines.append("- None linked to this session.")
            lines.append("")
            return "\n".join(lines)

    # -- helpers -----------------------------------------------------------------------
    @staticmethod
    def _item(s: object, item_id: int) -> ActionItem:
        assert isinstance(s, OrmSession)
        item = s.get(ActionItem, item_id)
        if item is None:
            raise ValidationError("That action item no longer exists.", field="item")
        return item

    @staticmethod
    def _check_goal(s: object, goal_id: int, mentee_id: int) -> None:
        assert isinstance(s, OrmSession)
        goal = s.get(Goal, goal_id)
        if goal is None or goal.mentee_id != mentee_id:
            raise ValidationError("Link the item to one of this mentee's goals.", field="goal")


class NoteSaver:
    """The autosave writer of one note: each save is a compare-and-swap against the text
    this writer last loaded or saved, so another writer's text is never silently replaced.
    A session without a note yet gets one on the first save (``note_id`` None, ``loaded``
    empty): if another writer made it meanwhile, its text is kept as on any conflict.

    After a conflict the other text is kept at the end of the note; until a text handed in
    contains it (the editor shows it once it hears of the conflict), every save appends it
    again, so a save queued before the editor knew cannot drop it. Called on the autosave
    thread; ``reload`` on the GUI thread when the note is shown afresh.
    """

    def __init__(self, service: NoteService, session_id: int, note_id: int | None,
                 loaded: str) -> None:
        self.service = service
        self.session_id = session_id
        self.note_id = note_id
        self._lock = threading.Lock()
        self._base = loaded
        self._keep: list[str] = []

    def reload(self, text: str) -> None:
        """The note was loaded again (nothing of ours pending): compare against ``text``."""
        with self._lock:
            self._base = text
            self._keep = []

    def kept(self) -> list[str]:
        """Other writers' texts (with markers) a save still appends."""
        with self._lock:
            return list(self._keep)

    def __call__(self, text: str) -> datetime:
        with self._lock:
            base, keep = self._base, list(self._keep)
        missing = [block for block in keep if block not in text]
        body = text + "".join(missing)
        note_id = self.note_id
        if note_id is None:
            note_id = self.note_id = self.service.open_note(self.session_id).id
        try:
            saved = self.service.save_note_body(note_id, body, expected=base)
        except NoteConflict as exc:
            with self._lock:
                self._base = exc.saved
                self._keep = [*missing, exc.kept]
            raise
        with self._lock:
            self._base = body
            self._keep = missing
        return saved
