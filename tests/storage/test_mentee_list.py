"""Each mentee's last held session, kept on the mentee row by triggers (migration 0003),
always equals what grouping the sessions says: whatever writes, moves, re-assigns, re-states
or deletes sessions, and for files migrated from before the column existed."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from mentordesk.storage.database import open_database, run_migrations
from mentordesk.storage.mentee_list import list_facts
from mentordesk.storage.schema import Mentee, Session

STATUSES = ("scheduled", "held", "cancelled")
BASE = datetime(2026, 1, 1, 9, tzinfo=UTC)
starts = st.integers(min_value=0, max_value=400).map(lambda h: BASE + timedelta(hours=h))

TRUTH = ("SELECT m.id, (SELECT max(start_utc) FROM sessions s WHERE s.mentee_id = m.id "
         "AND s.status = 'held') FROM mentees m ORDER BY m.id")


Rows = list[tuple[int, str | None]]


def stored_and_truth(path: Path) -> tuple[Rows, Rows]:
    conn = sqlite3.connect(path)
    try:
        stored = conn.execute("SELECT id, last_held_utc FROM mentees ORDER BY id").fetchall()
        return stored, conn.execute(TRUTH).fetchall()
    finally:
        conn.close()


class LastHeldMachine(RuleBasedStateMachine):
    """Sessions written through the ORM (as the services and the sync pull do)."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="md-last-held-"))
        self.db = open_database(self.dir / "t.sqlite3")
        self.mentees: list[int] = []
        self.sessions: list[int] = []

    def teardown(self) -> None:
        self.db.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    @rule()
    def add_mentee(self) -> None:
        with self.db.transaction() as s:
            mentee = Mentee(name=f"M{len(self.mentees)}")
            s.add(mentee)
            s.flush()
            self.mentees.append(mentee.id)

    @precondition(lambda self: self.mentees)
    @rule(data=st.data(), start=starts, status=st.sampled_from(STATUSES))
    def add_session(self, data: st.DataObject, start: datetime, status: str) -> None:
        mentee_id = data.draw(st.sampled_from(self.mentees))
        with self.db.transaction() as s:
            session = Session(mentee_id=mentee_id, start_utc=start, status=status)
            s.add(session)
            s.flush()
            self.sessions.append(session.id)

    @precondition(lambda self: self.sessions)
    @rule(data=st.data(), start=st.none() | starts,
          status=st.none() | st.sampled_from(STATUSES), move=st.booleans())
    def change_session(self, data: st.DataObject, start: datetime | None, status: str | None,
                       move: bool) -> None:
        session_id = data.draw(st.sampled_from(self.sessions))
        with self.db.transaction() as s:
            session = s.get_one(Session, session_id)
            if start is not None:
                session.start_utc = start
            if status is not None:
                session.status = status
            if move:
                session.mentee_id = data.draw(st.sampled_from(self.mentees))

    @precondition(lambda self: self.sessions)
    @rule(data=st.data())
    def delete_session(self, data: st.DataObject) -> None:
        session_id = data.draw(st.sampled_from(self.sessions))
        self.sessions.remove(session_id)
        with self.db.transaction() as s:
            s.delete(s.get_one(Session, session_id))

    @precondition(lambda self: self.mentees)
    @rule(data=st.data())
    def delete_mentee(self, data: st.DataObject) -> None:
        mentee_id = data.draw(st.sampled_from(self.mentees))
        self.mentees.remove(mentee_id)
        with self.db.transaction() as s:
            s.delete(s.get_one(Mentee, mentee_id))
        with self.db.transaction() as s:  # the cascade took its sessions
            alive = set(s.scalars(select(Session.id)))
        self.sessions = [sid for sid in self.sessions if sid in alive]

    @invariant()
    def stored_value_is_the_latest_held_session(self) -> None:
        stored, truth = stored_and_truth(self.db.path)
        assert stored == truth
        with self.db.raw_reader() as conn:
            facts = list_facts(conn, BASE)
        held = {m.id: m.last_held for m in facts.mentees}
        with self.db.reader() as s:
            for session in s.scalars(select(Session)):
                if session.status == "held" and session.mentee_id is not None:
                    latest = held[session.mentee_id]
                    assert latest is not None and latest >= session.start_utc


TestLastHeld = LastHeldMachine.TestCase
TestLastHeld.settings = settings(max_examples=30, stateful_step_count=25, deadline=None)


def test_migration_fills_the_column_for_existing_sessions(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    run_migrations(path, target="0002")
    conn = sqlite3.connect(path)
    now = "2026-11-25 10:00:00.000000"
    conn.executemany(
        "INSERT INTO mentees (id, name, timezone, cadence_interval, cadence_unit, background, "
        "archived, created_at, updated_at) VALUES (?, ?, 'UTC', 2, 'weeks', '', 0, ?, ?)",
        [(1, "Ada", now, now), (2, "Grace", now, now), (3, "Linus", now, now)])
    conn.executemany(
        "INSERT INTO sessions (mentee_id, title, start_utc, timezone, duration_minutes, status, "
        "agenda, want_meet, created_at, updated_at) "
        "VALUES (?, '', ?, 'UTC', 60, ?, '', 0, ?, ?)",
        [(1, "2026-11-01 09:00:00.000000", "held", now, now),
         (1, "2026-11-20 09:00:00.000000", "held", now, now),
         (1, "2026-11-30 09:00:00.000000", "scheduled", now, now),
         (2, "2026-10-01 09:00:00.000000", "cancelled", now, now)])
    conn.commit()
    conn.close()
    open_database(path).close()  # migrates to the head
    stored, truth = stored_and_truth(path)
    assert stored == truth == [(1, "2026-11-20 09:00:00.000000"), (2, None), (3, None)]


def test_every_kind_of_session_change_moves_the_stored_value(tmp_path: Path) -> None:
    db = open_database(tmp_path / "t.sqlite3")

    def held_of() -> dict[int, str | None]:
        stored, truth = stored_and_truth(db.path)
        assert stored == truth
        return dict(stored)

    try:
        with db.transaction() as s:
            ada, grace = Mentee(name="Ada"), Mentee(name="Grace")
            s.add_all([ada, grace])
            s.flush()
            first = Session(mentee_id=ada.id, start_utc=BASE, status="held")
            second = Session(mentee_id=ada.id, start_utc=BASE + timedelta(days=7),
                             status="scheduled")
            s.add_all([first, second])
            s.flush()
            ids = (ada.id, grace.id, first.id, second.id)
        a, g, one, two = ids
        assert held_of() == {a: "2026-01-01 09:00:00.000000", g: None}
        steps: list[tuple[Callable[[OrmSession], object], dict[int, str | None]]] = [
            (lambda x: setattr(x.get_one(Session, two), "status", "held"),
             {a: "2026-01-08 09:00:00.000000", g: None}),
            (lambda x: setattr(x.get_one(Session, two), "start_utc", BASE + timedelta(days=9)),
             {a: "2026-01-10 09:00:00.000000", g: None}),
            (lambda x: setattr(x.get_one(Session, two), "start_utc", BASE - timedelta(days=1)),
             {a: "2026-01-01 09:00:00.000000", g: None}),
            (lambda x: setattr(x.get_one(Session, one), "mentee_id", g),
             {a: "2025-12-31 09:00:00.000000", g: "2026-01-01 09:00:00.000000"}),
            (lambda x: setattr(x.get_one(Session, two), "status", "cancelled"),
             {a: None, g: "2026-01-01 09:00:00.000000"}),
            (lambda x: x.delete(x.get_one(Session, one)), {a: None, g: None}),
        ]
        for change, expected in steps:
            with db.transaction() as s:
                change(s)
            assert held_of() == expected
    finally:
        db.close()
