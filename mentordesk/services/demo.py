"""Realistic demo data, fast enough for benchmark scale (10k mentees, 100k notes).

Rows are built here and written by ``storage/demo_repo.py`` in one unit of work, with
explicit ids so related rows point at each other without reading anything back. The demo
reads like a real practice: a goal's progress matches its board column, and sessions sit
in the mentor's working hours (``demo_slots.py``).
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from mentordesk.domain.goals import ColumnKind
from mentordesk.domain.recurrence import cadence_rule
from mentordesk.domain.timezones import mentor_zone
from mentordesk.services.demo_slots import SlotPicker
from mentordesk.storage import demo_repo
from mentordesk.storage.database import Database

FIRST = [
    "Amara", "Ben", "Chen", "Dalia", "Emeka", "Farah", "Gabriel", "Hana", "Ishaan", "Jana",
    "Kofi", "Lucía", "Mateo", "Nadia", "Olu", "Priya", "Quinn", "Rosa", "Sven", "Tariq",
    "Uma", "Valentina", "Wei", "Ximena", "Yusuf", "Zoë", "Aroha", "Björn", "Chloé", "Dmitri",
    "Élodie", "Fatima", "Giulia", "Hiroshi", "Ines", "Jae-won", "Kalani", "Leila", "Malik",
    "Noor", "Ólafur", "Pita", "Rania", "Sipho", "Thandiwe", "Yuki", "Zhang Wei 张伟",
    "Мария", "Ngozi", "Anika",
]
LAST = [
    "Okafor", "Schmidt", "Nakamura", "Haddad", "Ferreira", "Kowalski", "Raman", "Mensah",
    "García", "Lindqvist", "Tanaka", "Osei", "Dubois", "Rossi", "Kim", "Nguyen", "Patel",
    "Silva", "Jensen", "Al-Sayed", "Moreau", "Novak", "Adeyemi", "Hughes", "Castillo",
    "Ivanova", "Mahlangu", "Ngata", "Sato", "Yilmaz",
]
ZONES = [
    "Europe/Berlin", "Asia/Kolkata", "Asia/Kathmandu", "America/New_York",
    "America/Los_Angeles", "America/Sao_Paulo", "Africa/Lagos", "Asia/Tokyo",
    "Australia/Adelaide", "Pacific/Auckland", "America/St_Johns", "Europe/London",
    "Asia/Singapore", "America/Mexico_City", "Africa/Nairobi", "Asia/Tehran",
    "Europe/Helsinki", "America/Chicago",
]
TAGS = ["design", "engineering", "career-switch", "leadership", "founder", "data",
        "product", "research", "bootcamp", "alumni"]
CADENCES = [(1, "weeks"), (2, "weeks"), (2, "weeks"), (3, "weeks"), (1, "months"), (10, "days")]
MEET = ["https://meet.google.com/{a}-{b}-{c}", "https://zoom.us/j/{n}",
        "https://teams.microsoft.com/l/meetup-join/{n}"]
GOALS = [
    ("Ship {n} portfolio pieces", "portfolio pieces"),
    ("Run {n} user interviews", "interviews"),
    ("Publish {n} blog posts", "posts"),
    ("Apply to {n} senior roles", "applications"),
    ("Pair-program {n} hours with the team", "hours"),
    ("Read {n} books on leadership", "books"),
    ("Give {n} conference talks", "talks"),
    ("Close {n} pull requests in open source", "pull requests"),
    ("Mentor {n} juniors", "people"),
    ("Complete {n} mock interviews", "mock interviews"),
]
MILESTONES = ["Draft outline", "Collect feedback", "First version", "Review with mentor",
              "Polish", "Publish"]
TOPICS = ["career plan", "portfolio review", "salary negotiation", "system design",
          "stakeholder management", "public speaking", "time management", "feedback culture",
          "promotion case", "side project", "team conflict", "hiring loop", "burnout",
          "technical writing", "roadmap"]
NOTE_TEMPLATES = [
    "## Check-in\n\n{name} shared progress on **{topic}**. Energy was good.\n\n"
    "- Went through the {topic} doc together\n- Agreed to focus on *{topic2}* next\n\n"
    "> \"I finally see how the pieces fit.\"\n\n### Next time\n- Follow up on {topic2}\n",
    "## Notes\n\nWe talked about {topic} and {topic2}.\n\n1. What went well: shipped the draft\n"
    "2. What was hard: finding time\n3. Idea: block two mornings a week\n\n"
    "Action: {name} sends the draft by Friday.\n",
    "### {topic}\n\nBlocked on feedback from their manager. We role-played the "
    "conversation twice.\n\n- [x] Prepare talking points\n- [ ] Book the 1:1\n\n"
    "Mood: a bit tired, but motivated about {topic2}.\n",
    "Quick session. Reviewed {topic}; {name} is ahead of plan. Suggested reading on "
    "{topic2}. Next: mock interview.\n",
]
ACTIONS = ["Send the updated CV", "Book a 1:1 with the manager", "Draft the talk abstract",
           "Share the portfolio link", "Write up the interview notes", "Try the pomodoro plan",
           "Read chapter 3", "Ask for feedback from two peers"]


@dataclass(frozen=True)
class DemoSummary:
    mentees: int
    goals: int
    sessions: int
    notes: int
    action_items: int


ProgressFn = Callable[[int, int], None]
Row = demo_repo.Row


class _Mentee(NamedTuple):
    """What the goals and sessions need to know of a demo mentee."""

    id: int
    name: str
    timezone: str
    interval: int
    unit: str
    archived: bool


def _ascii(text: str) -> str:
    """'Zoë' -> 'zoe' for demo e-mail addresses."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c == "-"))


def _done_so_far(column: str, total: int, drawn: int) -> int:
    """How much of ``total`` a goal in ``column`` has done (a measure or a milestone count):
    nothing before it started, all of it when done, some but not all in between. ``drawn``
    is a random 0..total-1."""
    if column == ColumnKind.NOT_STARTED:
        return 0
    if column == ColumnKind.DONE:
        return total
    return max(1, drawn)


def generate_demo(
    db: Database,
    *,
    mentees: int = 24,
    sessions: int | None = None,
    goals: int | None = None,
    seed: int = 7,
    now: datetime | None = None,
    progress: ProgressFn | None = None,
    mentor: str | None = None,
) -> DemoSummary:
    """Add demo mentees, goals, sessions with notes, and action items to ``db``.

    ``sessions`` is the number of held sessions with notes (spread over the mentees, newest
    within the last weeks); every active mentee also gets upcoming sessions. ``mentor`` is
    the zone whose working hours the sessions keep: the computer's zone unless given.
    """
    rng = random.Random(seed)
    # A separate stream for the mentee health extras, so adding them left every other
    # demo value (which other tests may rely on) unchanged.
    extra = random.Random(seed + 101)
    # A second stream for goal history, so adding it left every other demo value as it was.
    story_rng = random.Random(seed + 1)
    now = now or datetime.now(UTC)
    sessions = sessions if sessions is not None else mentees * 6
    goals = goals if goals is not None else mentees * 3
    report = progress or (lambda done, total: None)
    slots = SlotPicker(mentor or mentor_zone(), now)
    with db.transaction() as s:
        columns = demo_repo.column_ids(s)
        tag_rows = demo_repo.tag_ids(s, TAGS)
        first = demo_repo.first_ids(s)

        mentee_rows: list[Row] = []
        people: list[_Mentee] = []
        used_names: set[tuple[str, str]] = set()
        tag_links: list[Row] = []
        links: list[Row] = []
        for i in range(mentees):
            mid = first.mentee + i
            first_name, last = rng.choice(FIRST), rng.choice(LAST)
            # Small demos read like a real practice: no two people share a full name.
            shift = 0
            while (first_name, last) in used_names and shift < len(LAST) and mentees <= 400:
                shift += 1
                last = LAST[(LAST.index(last) + 1) % len(LAST)]
            used_names.add((first_name, last))
            interval, unit = rng.choice(CADENCES)
            link_t = rng.choice(MEET)
            link = link_t.format(a="abc", b=f"{mid % 10000:04d}", c="xyz", n=8_800_000 + mid)
            ascii_first = _ascii(first_name.split()[0]) or "m"
            name = f"{first_name} {last}" + (f" {i // len(FIRST)}" if mentees > 400 else "")
            # Drawn in the order the demo always drew them, so the same seed makes the same
            # people.
            zone = rng.choice(ZONES)
            background = f"Wants to grow in {rng.choice(TOPICS)}. Met at a meetup."
            archived = rng.random() < 0.05
            mentee_rows.append({
                "id": mid,
                "name": name,
                "email": f"{ascii_first}.{_ascii(last)}{mid}@example.org",
                "timezone": zone,
                "cadence_interval": interval,
                "cadence_unit": unit,
                "meeting_link": link,
                "background": background,
                "archived": archived,
                # A few snoozed health alerts and hand-set gaps, for the Mentees view.
                "snoozed_until": (now + timedelta(days=extra.randint(2, 10))
                                  if extra.random() < 0.04 else None),
                "target_gap_days": 10 if extra.random() < 0.05 else None,
                "max_gap_days": None,
            })
            people.append(_Mentee(mid, name, zone, interval, unit, archived))
            for tag in rng.sample(TAGS, rng.randint(1, 3)):
                tag_links.append({"mentee_id": mid, "tag_id": tag_rows[tag]})
            if i < 2000:
                links.append({"mentee_id": mid, "title": "Shared plan (Drive)",
                              "url": f"https://docs.google.com/document/d/demo{mid}",
                              "position": 0})
                links.append({"mentee_id": mid, "title": "Portfolio (Dropbox)",
                              "url": f"https://www.dropbox.com/s/demo{mid}/portfolio.pdf",
                              "position": 1})
        demo_repo.add_mentees(s, mentee_rows, tag_links, links)
        report(1, 4)

        goal_rows: list[Row] = []
        milestone_rows: list[Row] = []
        column_keys = ["not_started", "in_progress", "in_progress", "blocked", "done"]
        positions: dict[int, int] = {}
        goal_owner: list[int] = []
        for g in range(goals):
            gid = first.goal + g
            owner = first.mentee + (g % max(mentees, 1))
            goal_owner.append(owner)
            template, unit = rng.choice(GOALS)
            target = rng.randint(2, 12)
            key = rng.choice(column_keys)
            col = columns[key]
            positions[col] = positions.get(col, 0) + 1
            mode = rng.choice(["milestones", "milestones", "measure"])
            due = (now + timedelta(days=rng.randint(-20, 120))).date()
            current = target if key == "done" else _done_so_far(key, target,
                                                                rng.randint(0, target - 1))
            finished = now - timedelta(days=rng.randint(1, 30)) if key == "done" else None
            goal_rows.append({
                "id": gid, "mentee_id": owner, "column_id": col,
                # Spaced like the board spaces them, so a drop lands between two cards
                # without renumbering the column.
                "position": positions[col] * 1024,
                "title": template.format(n=target), "description": "Agreed in our first session.",
                "target_value": float(target), "target_unit": unit,
                "current_value": float(current),
                "progress_mode": mode, "due_date": due,
                "completed_at": finished,
                "created_at": now - timedelta(days=story_rng.randint(150, 200)),
            })
            if mode == "milestones":
                count = rng.randint(2, 5)
                done_upto = count if key == "done" else _done_so_far(key, count,
                                                                     rng.randint(0, count - 1))
                # Milestones are ticked in order, before a finished goal was completed.
                tick = (finished or now) - timedelta(days=story_rng.randint(30, 60))
                for p, title in enumerate(MILESTONES[:count]):
                    tick += timedelta(days=story_rng.randint(1, 6))
                    milestone_rows.append({"goal_id": gid, "title": title, "position": p,
                                           "done": p < done_upto,
                                           "done_at": tick if p < done_upto else None})
        demo_repo.add_goals(s, goal_rows, milestone_rows)
        report(2, 4)

        session_rows: list[Row] = []
        note_rows: list[Row] = []
        action_rows: list[Row] = []
        session_goal_rows: list[Row] = []
        active = [m for m in people if not m.archived] or people
        per_mentee = max(1, sessions // max(len(active), 1))
        sid = first.session
        nid = first.note
        goals_of: dict[int, list[int]] = {}
        for g, owner in enumerate(goal_owner):
            goals_of.setdefault(owner, []).append(first.goal + g)
        made = 0
        # Sessions are planned in the mentor's zone, as the app plans a new one: a series
        # then keeps its time of day on the mentor's calendar.
        planned_in = str(slots.mentor)
        for idx, m in enumerate(active):
            if made >= sessions and idx > 0:
                count = 0
            else:
                count = min(per_mentee + (1 if idx < sessions % max(len(active), 1) else 0),
                            sessions - made)
            gap = m.interval * {"days": 1, "weeks": 7, "months": 30}[m.unit]
            # The most recent held session lands anywhere from 0 to ~2 gaps ago, so health
            # spreads over green, amber and red.
            last_days_ago = rng.randint(0, max(1, int(gap * 2.2)))
            mid = m.id
            for k in range(count):
                days_ago = last_days_ago + k * gap
                day = (now - timedelta(days=days_ago)).astimezone(slots.mentor).date()
                start = slots.pick(day, m.timezone, hour=rng.choice([9, 10, 14, 16, 17]),
                                   ends_by=now)
                topic, topic2 = rng.sample(TOPICS, 2)
                session_rows.append({
                    "id": sid, "mentee_id": mid, "title": f"Check-in: {topic}",
                    "start_utc": start, "timezone": planned_in, "duration_minutes": 45,
                    "status": "held", "agenda": f"- {topic}\n- open action items\n",
                    "started_at": start, "ended_at": start + timedelta(minutes=45),
                })
                note_rows.append({
                    "id": nid, "mentee_id": mid, "session_id": sid,
                    "body": rng.choice(NOTE_TEMPLATES).format(
                        name=m.name.split()[0], topic=topic, topic2=topic2),
                    "private": False,
                    "created_at": start, "updated_at": start + timedelta(minutes=50),
                })
                my_goals = goals_of.get(mid, [])
                # The goal's story: most sessions worked on one of the mentee's goals.
                if my_goals and k < 6 and days_ago < 150 and story_rng.random() < 0.7:
                    session_goal_rows.append({"session_id": sid,
                                              "goal_id": story_rng.choice(my_goals)})
                if k == 0:
                    for a in range(rng.randint(1, 3)):
                        action_rows.append({
                            "mentee_id": mid, "session_id": sid,
                            "goal_id": rng.choice(my_goals) if my_goals else None,
                            "text": rng.choice(ACTIONS), "kind": "action",
                            "done": rng.random() < 0.3, "position": a,
                            "created_at": start,
                        })
                    action_rows.append({"mentee_id": mid, "session_id": sid,
                                        "text": f"Talk about {topic2}", "kind": "next_time",
                                        "position": 9, "created_at": start})
                sid += 1
                nid += 1
                made += 1
            # Upcoming: most mentees have the next check-in booked, a few have nothing.
            if rng.random() < 0.85:
                due_in = max(1, gap - last_days_ago + rng.randint(-2, 3))
                day = (now + timedelta(days=due_in)).astimezone(slots.mentor).date()
                hour = rng.choice([9, 11, 15, 17])
                # A series repeats on weekdays only: weekly, or monthly on the same Nth
                # weekday (a 10-day cadence is booked one session at a time).
                series = rng.random() < 0.3 and m.unit != "days"
                first_of_series = (slots.pick_series(day, m.timezone, hour=hour,
                                                     not_before=now) if series else None)
                rule = None
                if first_of_series is not None:
                    start = first_of_series
                    rule = cadence_rule(m.interval, m.unit,
                                        start.astimezone(slots.mentor)).to_rrule()
                else:
                    start = slots.pick(day, m.timezone, hour=hour, not_before=now)
                session_rows.append({
                    "id": sid, "mentee_id": mid, "title": "Check-in", "start_utc": start,
                    "timezone": planned_in, "duration_minutes": 45, "status": "scheduled",
                    "agenda": "- progress on goals\n- blockers\n", "rrule": rule,
                })
                sid += 1
        demo_repo.add_sessions(s, session_rows)
        report(3, 4)
        for row in action_rows:
            if row.get("done"):
                agreed = row["created_at"]
                assert isinstance(agreed, datetime)
                row["done_at"] = min(now, agreed + timedelta(days=story_rng.randint(1, 9)))
        demo_repo.add_session_records(s, note_rows, action_rows, session_goal_rows)
        report(4, 4)
    return DemoSummary(len(mentee_rows), len(goal_rows), len(session_rows), len(note_rows),
                       len(action_rows))
