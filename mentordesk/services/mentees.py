"""Mentee use cases: the list with health, the profile, create/edit/archive/delete/snooze.

Each public method is one unit of work and returns frozen dataclasses, never ORM objects.
Validation lives here (``validate``) so the form (as you type), the service and the CSV
import all apply the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from mentordesk.domain import timezones
from mentordesk.domain.cadence import DEFAULT_CADENCE, Cadence, effective_gaps
from mentordesk.domain.health import Health, Level, assess
from mentordesk.errors import ValidationError
from mentordesk.services import mentee_rows
from mentordesk.services.mentee_rows import MenteeRow, health_counts, newly_red
from mentordesk.storage import mentee_list
from mentordesk.storage.database import Database

# The list and its rows need no SQLAlchemy (it is imported by the first unit of work, after
# the list is on screen): the ORM-side modules are imported where they are used.
if TYPE_CHECKING:
    from sqlalchemy.orm import Session as OrmSession

    from mentordesk.storage import mentees_repo as repo
    from mentordesk.storage.schema import Mentee

NAME_MAX = 200
TAG_MAX = 80
GOALS_DUE_WITHIN_DAYS = 30
_EMAIL = re.compile(r"^[^@\s,;<>()\[\]]+@[^@\s,;<>()\[\]]+\.[^@\s,;<>()\[\].]{2,}$")
_CALL_HOSTS = (
    ("meet.google.com", "Google Meet"),
    ("zoom.us", "Zoom"),
    ("zoom.com", "Zoom"),
    ("teams.microsoft.com", "Microsoft Teams"),
    ("teams.live.com", "Microsoft Teams"),
)


# -- input and validation ---------------------------------------------------------------------

@dataclass(frozen=True)
class ResourceInput:
    title: str
    url: str


@dataclass(frozen=True)
class MenteeInput:
    """Everything the form edits; also what an undo of an edit puts back."""

    name: str
    email: str = ""
    timezone: str = "UTC"
    cadence: Cadence = DEFAULT_CADENCE
    # None: follow the cadence's defaults.
    target_gap_days: int | None = None
    max_gap_days: int | None = None
    meeting_link: str = ""
    background: str = ""
    tags: tuple[str, ...] = ()
    resources: tuple[ResourceInput, ...] = ()

    def gaps(self) -> tuple[int, int]:
        return effective_gaps(self.cadence, self.target_gap_days, self.max_gap_days)


def is_https_url(text: str) -> bool:
    parts = urlsplit(text.strip())
    return parts.scheme == "https" and bool(parts.netloc) and " " not in text.strip()


def is_web_url(text: str) -> bool:
    parts = urlsplit(text.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in text.strip()


def call_provider(url: str | None) -> str | None:
    """'Zoom', 'Google Meet' or 'Microsoft Teams' for a link to a call, else None."""
    if not url or not is_https_url(url):
        return None
    host = (urlsplit(url.strip()).hostname or "").lower()
    for suffix, provider in _CALL_HOSTS:
        if host == suffix or host.endswith("." + suffix):
            return provider
    return None


def split_tags(text: str) -> tuple[str, ...]:
    """Tags from 'design, data; founder' (comma or semicolon), trimmed, without repeats."""
    seen: dict[str, str] = {}
    for part in re.split(r"[,;]", text):
        clean = " ".join(part.split())
        if clean and clean.casefold() not in seen:
            seen[clean.casefold()] = clean
    return tuple(seen.values())


def validate(data: MenteeInput) -> dict[str, str]:
    """Problems by field name ('name', 'email', 'timezone', 'meeting_link', 'gaps', 'tags',
    'resources'); empty when the input can be saved."""
    problems: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        problems["name"] = "A name is required."
    elif len(name) > NAME_MAX:
        problems["name"] = f"The name is longer than {NAME_MAX} characters."
    email = data.email.strip()
    if email and not _EMAIL.match(email):
        problems["email"] = f"'{email}' is not an email address like name@example.org."
    if not timezones.is_valid_zone(data.timezone.strip()):
        problems["timezone"] = (f"'{data.timezone}' is not a time zone; pick one such as "
                                "Europe/Berlin.")
    link = data.meeting_link.strip()
    if link and not is_https_url(link):
        problems["meeting_link"] = "The meeting link must be an https:// address."
    target, maximum = data.target_gap_days, data.max_gap_days
    if (target is not None and target < 1) or (maximum is not None and maximum < 1):
        problems["gaps"] = "Gaps are at least one day."
    elif target is not None and maximum is not None and maximum < target:
        problems["gaps"] = "The maximum gap cannot be shorter than the target gap."
    for tag in data.tags:
        if len(tag.strip()) > TAG_MAX:
            problems["tags"] = f"Tag '{tag[:20]}…' is longer than {TAG_MAX} characters."
            break
    for res in data.resources:
        if not res.title.strip():
            problems["resources"] = "Every resource link needs a title."
            break
        if not is_web_url(res.url):
            problems["resources"] = f"'{res.url}' is not a web address (https://…)."
            break
    return problems


def check(data: MenteeInput) -> None:
    problems = validate(data)
    if problems:
        field_name, message = next(iter(problems.items()))
        raise ValidationError(message, field=field_name)


def apply_input(db: OrmSession, mentee: Mentee, data: MenteeInput,
                fields: Iterable[str] | None = None) -> None:
    """Write ``data`` into ``mentee`` (all fields, or only ``fields``)."""
    from mentordesk.storage import mentees_repo as repo
    from mentordesk.storage.schema import ResourceLink

    only = set(fields) if fields is not None else None

    def wanted(name: str) -> bool:
        return only is None or name in only

    if wanted("name"):
        mentee.name = data.name.strip()
    if wanted("email"):
        mentee.email = data.email.strip() or None
    if wanted("timezone"):
        mentee.timezone = data.timezone.strip()
    if wanted("cadence"):
        mentee.cadence_interval = data.cadence.interval
        mentee.cadence_unit = data.cadence.unit
    if wanted("gaps"):
        mentee.target_gap_days = data.target_gap_days
        mentee.max_gap_days = data.max_gap_days
    if wanted("meeting_link"):
        mentee.meeting_link = data.meeting_link.strip() or None
    if wanted("background"):
        mentee.background = data.background
    if wanted("tags"):
        mentee.tags = repo.tag_rows(db, data.tags)
    if wanted("resources"):
        mentee.resources = [ResourceLink(title=r.title.strip(), url=r.url.strip(), position=i)
                            for i, r in enumerate(data.resources)]


# -- what the service hands out ----------------------------------------------------------------

@dataclass(frozen=True)
class MenteeDetails:
    id: int
    data: MenteeInput
    archived: bool
    snoozed_until: datetime | None
    created_at: datetime

    @property
    def name(self) -> str:
        return self.data.name

    @property
    def call_provider(self) -> str | None:
        return call_provider(self.data.meeting_link)


@dataclass(frozen=True)
class NextSession:
    session_id: int
    start_utc: datetime
    # The zone the session was planned in (may differ from the mentee's current zone).
    timezone: str
    title: str
    meeting_link: str | None
    recurring: bool


@dataclass(frozen=True)
class Profile:
    """The "where were we" panel for one mentee."""

    mentee: MenteeDetails
    health: Health
    last_session: repo.HeldSession | None
    # First lines of each note of the last session (private ones marked).
    last_notes: tuple[str, ...]
    open_actions: tuple[repo.OpenAction, ...]
    goals_due: tuple[repo.DueGoal, ...]
    next_session: NextSession | None
    tags: tuple[str, ...]


@dataclass(frozen=True)
class DeletedMentee:
    """What undo needs to bring a deleted mentee back (kept in memory until the app closes)."""

    mentee_id: int
    name: str
    snapshot: repo.Snapshot


def first_lines(markdown: str, count: int = 2, width: int = 140) -> str:
    """The first ``count`` non-empty lines of a note, without Markdown heading marks."""
    lines: list[str] = []
    for raw in markdown.splitlines():
        text = raw.strip().lstrip("#>").strip()
        if text.startswith(("- [ ] ", "- [x] ")):
            text = text[6:]
        elif text.startswith(("- ", "* ")):
            text = text[2:]
        text = text.replace("**", "").replace("__", "").replace("`", "")
        if text:
            lines.append(text)
        if len(lines) >= count:
            break
    joined = " — ".join(lines)
    return joined if len(joined) <= width else joined[: width - 1].rstrip() + "…"


def current_input(db: OrmSession, mentee: Mentee) -> MenteeInput:
    """What the form would show for ``mentee`` now (used to undo a CSV import's updates)."""
    return _details(db, mentee).data


def _details(db: OrmSession, mentee: Mentee) -> MenteeDetails:
    data = MenteeInput(
        name=mentee.name,
        email=mentee.email or "",
        timezone=mentee.timezone,
        cadence=mentee_rows.cadence_of(mentee.cadence_interval, mentee.cadence_unit),
        target_gap_days=mentee.target_gap_days,
        max_gap_days=mentee.max_gap_days,
        meeting_link=mentee.meeting_link or "",
        background=mentee.background or "",
        tags=tuple(sorted((t.name for t in mentee.tags), key=str.casefold)),
        resources=tuple(ResourceInput(r.title, r.url) for r in mentee.resources),
    )
    return MenteeDetails(mentee.id, data, bool(mentee.archived), mentee.snoozed_until,
                         mentee.created_at)


class MenteeService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- the list ------------------------------------------------------------------------
    def list_rows(self, *, include_archived: bool = False, now: datetime | None = None,
                  mentee_ids: Iterable[int] | None = None) -> list[MenteeRow]:
        """Rows for the table, most urgent first (``mentee_rows.list_rows``)."""
        return mentee_rows.list_rows(self.db, include_archived=include_archived, now=now,
                                     mentee_ids=mentee_ids)

    def row(self, mentee_id: int, *, now: datetime | None = None) -> MenteeRow | None:
        rows = self.list_rows(include_archived=True, now=now, mentee_ids=[mentee_id])
        return rows[0] if rows else None

    def has_mentees(self) -> bool:
        """Whether there is anyone at all (archived included): the welcome state if not."""
        return mentee_rows.has_mentees(self.db)

    def all_tags(self) -> list[str]:
        from mentordesk.storage import mentees_repo as repo

        with self.db.reader() as s:
            return repo.all_tag_names(s)

    # -- one mentee ----------------------------------------------------------------------
    def get(self, mentee_id: int) -> MenteeDetails:
        from mentordesk.storage import mentees_repo as repo

        with self.db.reader() as s:
            mentee = repo.get_mentee(s, mentee_id)
            if mentee is None:
                raise ValidationError("That mentee no longer exists.", field="id")
            return _details(s, mentee)

    def create(self, data: MenteeInput) -> MenteeDetails:
        from mentordesk.storage.schema import Mentee

        check(data)
        with self.db.transaction() as s:
            mentee = Mentee(name=data.name.strip())
            s.add(mentee)
            apply_input(s, mentee, data)
            s.flush()
            return _details(s, mentee)

    def update(self, mentee_id: int, data: MenteeInput) -> MenteeDetails:
        from mentordesk.storage import mentees_repo as repo

        check(data)
        with self.db.transaction() as s:
            mentee = repo.get_mentee(s, mentee_id)
            if mentee is None:
                raise ValidationError("That mentee no longer exists.", field="id")
            apply_input(s, mentee, data)
            s.flush()
            repo.delete_orphan_tags(s)
            return _details(s, mentee)

    def set_archived(self, mentee_id: int, archived: bool) -> None:
        from mentordesk.storage import mentees_repo as repo

        with self.db.transaction() as s:
            if not repo.set_archived(s, mentee_id, archived):
                raise ValidationError("That mentee no longer exists.", field="id")

    def archive(self, mentee_id: int) -> None:
        """Hide from the list; goals, sessions and notes stay."""
        self.set_archived(mentee_id, True)

    def unarchive(self, mentee_id: int) -> None:
        self.set_archived(mentee_id, False)

    def snooze(self, mentee_id: int, until: datetime | None) -> None:
        """Quiet the health alarm until ``until`` (None: wake up now)."""
        from mentordesk.storage import mentees_repo as repo

        if until is not None and until.tzinfo is None:
            raise ValidationError("Snooze needs a time with a time zone.", field="snooze")
        with self.db.transaction() as s:
            if not repo.set_snoozed(s, mentee_id, until):
                raise ValidationError("That mentee no longer exists.", field="id")

    def snoozed_until(self, mentee_id: int) -> datetime | None:
        return self.get(mentee_id).snoozed_until

    def delete(self, mentee_id: int) -> DeletedMentee:
        """Delete a mentee and everything of theirs; the result brings them back."""
        from mentordesk.storage import mentees_repo as repo

        with self.db.transaction() as s:
            snap = repo.take_snapshot(s, mentee_id)
            if snap is None:
                raise ValidationError("That mentee no longer exists.", field="id")
            repo.delete_mentee(s, mentee_id)
            repo.delete_orphan_tags(s)
        return DeletedMentee(mentee_id, str(snap.rows["mentees"][0]["name"]), snap)

    def delete_many(self, mentee_ids: Sequence[int]) -> list[DeletedMentee]:
        """Delete several mentees in one unit of work (undoing an import)."""
        from mentordesk.storage import mentees_repo as repo

        with self.db.transaction() as s:
            snaps = repo.take_snapshots(s, mentee_ids)
            repo.delete_mentees(s, list(snaps))
            repo.delete_orphan_tags(s)
        return [DeletedMentee(mentee_id, str(snap.rows["mentees"][0]["name"]), snap)
                for mentee_id, snap in snaps.items()]

    def undelete_many(self, deleted: Sequence[DeletedMentee]) -> list[int]:
        from mentordesk.storage import mentees_repo as repo

        with self.db.transaction() as s:
            return repo.restore_snapshots(s, [d.snapshot for d in deleted])

    def update_many(self, changes: dict[int, MenteeInput],
                    fields: Iterable[str] | None = None) -> None:
        """Put several mentees back to the given state (all fields, or only ``fields``) in
        one unit of work."""
        from mentordesk.storage import mentees_repo as repo

        for data in changes.values():
            check(data)
        with self.db.transaction() as s:
            for mentee_id, data in changes.items():
                mentee = repo.get_mentee(s, mentee_id)
                if mentee is not None:
                    apply_input(s, mentee, data, fields=fields)
            s.flush()
            repo.delete_orphan_tags(s)

    def inputs(self, mentee_ids: Sequence[int]) -> dict[int, MenteeInput]:
        from mentordesk.storage import mentees_repo as repo

        with self.db.reader() as s:
            found = {}
            for mentee_id in mentee_ids:
                mentee = repo.get_mentee(s, mentee_id)
                if mentee is not None:
                    found[mentee_id] = _details(s, mentee).data
            return found

    def undelete(self, deleted: DeletedMentee) -> int:
        """Restore a deleted mentee with all their goals, sessions, notes and action items."""
        from mentordesk.storage import mentees_repo as repo

        with self.db.transaction() as s:
            return repo.restore_snapshot(s, deleted.snapshot)

    # -- the profile ---------------------------------------------------------------------
    def profile(self, mentee_id: int, *, now: datetime | None = None) -> Profile:
        from mentordesk.storage import mentees_repo as repo

        now = now or datetime.now(UTC)
        with self.db.reader() as s:
            mentee = repo.get_mentee(s, mentee_id)
            if mentee is None:
                raise ValidationError("That mentee no longer exists.", field="id")
            details = _details(s, mentee)
            last = repo.last_held_session(s, mentee_id)
            notes: list[str] = []
            if last is not None:
                for _nid, text, private in repo.note_previews(s, last.id):
                    line = first_lines(text)
                    if line:
                        notes.append(("🔒 " if private else "") + line)
            actions = repo.open_actions(s, mentee_id)
            zone_name = details.data.timezone
            if not timezones.is_valid_zone(zone_name):
                zone_name = "UTC"
            today = now.astimezone(timezones.zone(zone_name)).date()
            due = repo.goals_due(s, mentee_id, today + timedelta(days=GOALS_DUE_WITHIN_DAYS))
            single = repo.next_single_session(s, mentee_id, now)
            series = mentee_list.recurring_series(repo.list_connection(s), [mentee_id])
        next_session = None
        if single is not None:
            next_session = NextSession(single.id, single.start_utc, single.timezone,
                                       single.title, single.meeting_link, False)
        for head in series:
            hit = mentee_rows.series_next([head], now).get(mentee_id)
            if hit is not None and (next_session is None or hit < next_session.start_utc):
                with self.db.reader() as s:
                    when = repo.session_when(s, head.id)
                next_session = NextSession(head.id, hit, head.timezone,
                                           when.title if when else "",
                                           when.meeting_link if when else None, True)
        target, maximum = details.data.gaps()
        health = assess(now=now, last_held=last.start_utc if last else None,
                        added=details.created_at,
                        next_session=next_session.start_utc if next_session else None,
                        target_gap_days=target, max_gap_days=maximum,
                        snoozed_until=details.snoozed_until)
        return Profile(details, health, last, tuple(notes), tuple(actions), tuple(due),
                       next_session, details.data.tags)

    # -- notifications -------------------------------------------------------------------
    def red_to_notify(self, *, now: datetime | None = None,
                      today: date | None = None,
                      rows: Sequence[MenteeRow] | None = None) -> list[MenteeRow]:
        """Mentees who turned red since they were last announced; empty if a notification
        already went out ``today`` (at most one a day). ``rows`` saves a reload."""
        from mentordesk.storage import mentees_repo as repo

        now = now or datetime.now(UTC)
        today = today or now.astimezone(UTC).date()
        with self.db.reader() as s:
            if repo.last_notification_day(s) == today:
                return []
        source = rows if rows is not None else self.list_rows(now=now)
        return newly_red(source, now)

    def mark_notified(self, mentee_ids: Sequence[int], day: date) -> None:
        from mentordesk.storage import mentees_repo as repo

        with self.db.transaction() as s:
            repo.mark_notified(s, mentee_ids, day)


__all__ = [
    "DeletedMentee", "Level", "MenteeDetails", "MenteeInput", "MenteeRow", "MenteeService",
    "NextSession", "Profile", "ResourceInput", "call_provider", "check", "first_lines",
    "health_counts", "newly_red", "split_tags", "validate",
]
