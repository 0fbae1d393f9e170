"""Realistic demo data, fast enough for benchmark scale (10k mentees, 100k notes).

Rows go in with bulk Core inserts in one transaction (ORM flushes are ~15x slower) and
explicit ids, so related rows can point at each other without reading anything back.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from mentordesk.storage.database import Database
from mentordesk.storage.schema import (
    ActionItem,
    BoardColumn,
    Goal,
    Mentee,
    MenteeTag,
    Milestone,
    Note,
    ResourceLink,
    Session,
    SessionGoal,
    Tag,
)

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


def _ascii(text: str) -> str:
    """'Zoë' -> 'zoe' for demo e-mail addresses."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c == "-"))


def _next_id(db_session: object, column: object) -> int:
    from sqlalchemy.orm import Session as OrmSession

    assert isinstance(db_session, OrmSession)
    current = db_session.scalar(select(func.max(column)))
    return int(current or 0) + 1


def generate_demo(
    db: Database,
    *,
    mentees: int = 24,
    sessions: int | None = None,
    goals: int | None = None,
    seed: int = 7,
    now: datetime | None = None,
    progress: ProgressFn | None = None,
) -> DemoSummary:
    """Add demo mentees, goals, sessions with notes, and action items to ``db``.

    ``sessions`` is the number of held sessions with notes (spread over the mentees, newest
    within the last weeks); every active mentee also gets upcoming sessions.
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
    with db.transaction() as s:
        columns = {c.status_key: c.id for c in s.scalars(select(BoardColumn))}
        tag_rows = {t.name: t.id for t in s.scalars(select(Tag))}
        for name in TAGS:
            if name not in tag_rows:
                tag_rows[name] = _next_id(s, Tag.id)
                s.execute(insert(Tag), [{"id": tag_rows[name], "name": name}])
        mentee_start = _next_id(s, Mentee.id)
        goal_start = _next_id(s, Goal.id)
        session_start = _next_id(s, Session.id)
        note_start = _next_id(s, Note.id)

        mentee_rows: list[dict[str, object]] = []
        used_names: set[tuple[str, str]] = set()
        tag_links: list[dict[str, object]] = []
        links: list[dict[str, object]] = []
        for i in range(mentees):
            mid = mentee_start + i
            first, last = rng.choice(FIRST), rng.choice(LAST)
            # Small demos read like a real practice: no two people share a full name.
            shift = 0
            while (first, last) in used_names and shift < len(LAST) and mentees <= 400:
                shift += 1
                last = LAST[(LAST.index(last) + 1) % len(LAST)]
            used_names.add((first, last))
            interval, unit = rng.choice(CADENCES)
            link_t = rng.choice(MEET)
            link = link_t.format(a="abc", b=f"{mid % 10000:04d}", c="xyz", n=8_800_000 + mid)
            ascii_first = _ascii(first.split()[0]) or "m"
            mentee_rows.append({
                "id": mid,
                "name": f"{first} {last}" + (f" {i // len(FIRST)}" if mentees > 400 else ""),
                "email": f"{ascii_first}.{_ascii(last)}"
                f"{mid}@example.org",
                "timezone": rng.choice(ZONES),
                "cadence_interval": interval,
                "cadence_unit": unit,
                "meeting_link": link,
                "background": f"Wants to grow in {rng.choice(TOPICS)}. Met at a meetup.",
                "archived": rng.random() < 0.05,
                # A few snoozed health alerts and hand-set gaps, for the Mentees view.
                "snoozed_until": (now + timedelta(days=extra.randint(2, 10))
                                  if extra.random() < 0.04 else None),
                "target_gap_days": 10 if extra.random() < 0.05 else None,
                "max_gap_days": None,
            })
            for tag in rng.sample(TAGS, rng.randint(1, 3)):
                tag_links.append({"mentee_id": mid, "tag_id": tag_rows[tag]})
            if i < 2000:
                links.append({"mentee_id": mid, "title": "Shared plan (Drive)",
                              "url": f"https://docs.google.com/document/d/demo{mid}",
                              "position": 0})
                links.append({"mentee_id": mid, "title": "Portfolio (Dropbox)",
                              "url": f"https://www.dropbox.com/s/demo{mid}/portfolio.pdf",
                              "position": 1})
        s.execute(insert(Mentee), mentee_rows)
        s.execute(insert(MenteeTag), tag_links)
        if links:
            s.execute(insert(ResourceLink), links)
        report(1, 4)

        goal_rows: list[dict[str, object]] = []
        milestone_rows: list[dict[str, object]] = []
        column_keys = ["not_started", "in_progress", "in_progress", "blocked", "done"]
        positions: dict[int, int] = {}
        goal_owner: list[int] = []
        for g in range(goals):
            gid = goal_start + g
            owner = mentee_start + (g % max(mentees, 1))
            goal_owner.append(owner)
            template, unit = rng.choice(GOALS)
            target = rng.randint(2, 12)
            key = rng.choice(column_keys)
            col = columns[key]
            positions[col] = positions.get(col, 0) + 1
            mode = rng.choice(["milestones", "milestones", "measure"])
            due = (now + timedelta(days=rng.randint(-20, 120))).date()
            goal_rows.append({
                "id": gid, "mentee_id": owner, "column_id": col,
                # Spaced like the board spaces them, so a drop lands between two cards
                # without renumbering the column.
                "position": positions[col] * 1024,
                "title": template.format(n=target), "description": "Agreed in our first session.",
                "target_value": float(target), "target_unit": unit,
                "current_value": float(target if key == "done" else rng.randint(0, target - 1)),
                "progress_mode": mode, "due_date": due,
                "completed_at": now - timedelta(days=rng.randint(1, 30)) if key == "done" else None,
                "created_at": now - timedelta(days=story_rng.randint(150, 200)),
            })
            if mode == "milestones":
                count = rng.randint(2, 5)
                done_upto = count if key == "done" else rng.randint(0, count - 1)
                # Milestones are ticked in order, before a finished goal was completed.
                finished = goal_rows[-1]["completed_at"]
                tick = (finished if isinstance(finished, datetime) else now) - timedelta(
                    days=story_rng.randint(30, 60))
                for p, title in enumerate(MILESTONES[:count]):
                    tick += timedelta(days=story_rng.randint(1, 6))
                    milestone_rows.append({"goal_id": gid, "title": title, "position": p,
                                           "done": p < done_upto,
                                           "done_at": tick if p < done_upto else None})
        if goal_rows:
            s.execute(insert(Goal), goal_rows)
        if milestone_rows:
            s.execute(insert(Milestone), milestone_rows)
        report(2, 4)

        session_rows: list[dict[str, object]] = []
        note_rows: list[dict[str, object]] = []
        action_rows: list[dict[str, object]] = []
        session_goal_rows: list[dict[str, object]] = []
        active = [r for r in mentee_rows if not r["archived"]] or mentee_rows
        per_mentee = max(1, sessions // max(len(active), 1))
        sid = session_start
        nid = note_start
        goals_of: dict[int, list[int]] = {}
        for g, owner in enumerate(goal_owner):
            goals_of.setdefault(owner, []).append(goal_start + g)
        made = 0
        for idx, m in enumerate(active):
            if made >= sessions and idx > 0:
                count = 0
            else:
                count = min(per_mentee + (1 if idx < sessions % max(len(active), 1) else 0),
                            sessions - made)
            zone = ZoneInfo(str(m["timezone"]))
            interval_days = {"days": 1, "weeks": 7, "months": 30}[str(m["cadence_unit"])]
            gap = int(m["cadence_interval"]) * interval_days  # type: ignore[call-overload]
            # The most recent held session lands anywhere from 0 to ~2 gaps ago, so health
            # spreads over green, amber and red.
            last_days_ago = rng.randint(0, max(1, int(gap * 2.2)))
            mid = int(m["id"])  # type: ignore[call-overload]
            for k in range(count):
                days_ago = last_days_ago + k * gap
                local_day = (now - timedelta(days=days_ago)).astimezone(zone).date()
                start = datetime.combine(local_day, time(rng.choice([9, 10, 14, 16, 17])),
                                         zone).astimezone(UTC)
                topic, topic2 = rng.sample(TOPICS, 2)
                session_rows.append({
                    "id": sid, "mentee_id": mid, "title": f"Check-in: {topic}",
                    "start_utc": start, "timezone": m["timezone"], "duration_minutes": 45,
                    "status": "held", "agenda": f"- {topic}\n- open action items\n",
                    "started_at": start, "ended_at": start + timedelta(minutes=45),
                })
                note_rows.append({
                    "id": nid, "mentee_id": mid, "session_id": sid,
                    "body": rng.choice(NOTE_TEMPLATES).format(
                        name=str(m["name"]).split()[0], topic=topic, topic2=topic2),
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
                local_day = (now + timedelta(days=due_in)).astimezone(zone).date()
                start = datetime.combine(local_day, time(rng.choice([9, 11, 15, 17])),
                                         zone).astimezone(UTC)
                recurring = rng.random() < 0.3
                rule = None
                if recurring:
                    unit = str(m["cadence_unit"])
                    freq = {"days": "DAILY", "weeks": "WEEKLY", "months": "MONTHLY"}[unit]
                    rule = f"FREQ={freq};INTERVAL={m['cadence_interval']}"
                session_rows.append({
                    "id": sid, "mentee_id": mid, "title": "Check-in", "start_utc": start,
                    "timezone": m["timezone"], "duration_minutes": 45, "status": "scheduled",
                    "agenda": "- progress on goals\n- blockers\n", "rrule": rule,
                })
                sid += 1
        chunk = 20_000
        for lo in range(0, len(session_rows), chunk):
            s.execute(insert(Session), session_rows[lo:lo + chunk])
        report(3, 4)
        for lo in range(0, len(note_rows), chunk):
            s.execute(insert(Note), note_rows[lo:lo + chunk])
        for row in action_rows:
            if row.get("done"):
                agreed = row["created_at"]
                assert isinstance(agreed, datetime)
                row["done_at"] = min(now, agreed + timedelta(days=story_rng.randint(1, 9)))
        if action_rows:
            s.execute(insert(ActionItem), action_rows)
        if session_goal_rows:
            s.execute(insert(SessionGoal), session_goal_rows)
        report(4, 4)
    return DemoSummary(len(mentee_rows), len(goal_rows), len(session_rows), len(note_rows),
                       len(action_rows))


