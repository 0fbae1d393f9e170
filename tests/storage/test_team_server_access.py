"""Access is PostgreSQL's: each rule proved with raw SQL through that role's own connection
(whatever a desk sends, the server filters it), then through real desks."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import ProgrammingError

from mentordesk.storage.schema import Mentee, Note
from mentordesk.team.membership import sync_once
from tests.support.team_server import Team, joined


def _uid() -> str:
    return uuid.uuid4().hex


def _seed(engine: Engine, name: str) -> tuple[str, str, str]:
    """A mentee with a goal, a session with an agenda and a private note, as that mentor."""
    mentee, goal, session, note = _uid(), _uid(), _uid(), _uid()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO team.mentees (uid, name, cadence_interval, "
                          "cadence_unit) VALUES (CAST(:m AS uuid), :n, 2, 'weeks')"),
                     {"m": mentee, "n": name})
        conn.execute(text("INSERT INTO team.goals (uid, mentee_uid, title, current_value) "
                          "VALUES (CAST(:g AS uuid), CAST(:m AS uuid), 'Ship', 2)"),
                     {"g": goal, "m": mentee})
        conn.execute(text("INSERT INTO team.sessions (uid, mentee_uid, start_utc, status, "
                          "agenda) VALUES (CAST(:s AS uuid), CAST(:m AS uuid), now(), "
                          "'held', 'secret agenda')"), {"s": session, "m": mentee})
        conn.execute(text("INSERT INTO team.notes (uid, mentee_uid, session_uid, body, "
                          "private) VALUES (CAST(:n AS uuid), CAST(:m AS uuid), "
                          "CAST(:s AS uuid), 'private words', true)"),
                     {"n": note, "m": mentee, "s": session})
    return mentee, session, note


@pytest.fixture
def program(team: Team):
    alice, bob = team.invite("alice"), team.invite("bob")
    coord = team.invite("coord", coordinator=True)
    engines = {k: team.connect_as(c) for k, c in
               (("alice", alice), ("bob", bob), ("coord", coord))}
    seeds = {"alice": _seed(engines["alice"], "Ada"), "bob": _seed(engines["bob"], "Bea")}
    yield team, engines, seeds, {"alice": alice, "bob": bob, "coord": coord}
    for engine in engines.values():
        engine.dispose()


def _names(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.scalars(text("SELECT name FROM team.mentees")))


def test_a_mentor_reads_and_writes_only_their_own_mentees(program) -> None:
    team, engines, seeds, _codes = program
    assert _names(engines["alice"]) == ["Ada"]
    assert _names(engines["bob"]) == ["Bea"]
    bob_mentee, _bob_session, bob_note = seeds["bob"]
    alice = engines["alice"]
    with alice.connect() as conn:
        for table in ("goals", "sessions", "notes"):
            rows = conn.scalars(text(f"SELECT count(*) FROM team.{table} "
                                     "WHERE mentee_uid = CAST(:m AS uuid)"),
                                {"m": bob_mentee}).one()
            assert rows == 0, table
        # Writes to Bob's rows touch nothing ...
        changed = conn.execute(text("UPDATE team.notes SET body = 'overwritten' "
                                    "WHERE uid = CAST(:n AS uuid)"), {"n": bob_note})
        assert changed.rowcount == 0
        conn.commit()
    # ... and a new row under Bob's mentee is refused by the policy.
    with alice.connect() as conn, pytest.raises(ProgrammingError, match="row-level security"):
        conn.execute(text("INSERT INTO team.notes (uid, mentee_uid, body) VALUES "
                          "(CAST(:n AS uuid), CAST(:m AS uuid), 'sneaky')"),
                     {"n": _uid(), "m": bob_mentee})
    # Nor can she hand her mentee to herself twice over, or make one in Bob's name.
    with alice.connect() as conn, pytest.raises(ProgrammingError):
        conn.execute(text("INSERT INTO team.mentees (uid, name, mentor) VALUES "
                          "(CAST(:m AS uuid), 'x', :b)"),
                     {"m": _uid(), "b": team.name("bob")})
    with team.admin.connect() as conn:
        assert conn.scalar(text("SELECT body FROM team.notes WHERE uid = CAST(:n AS uuid)"),
                           {"n": bob_note}) == "private words"


@pytest.mark.parametrize("query", [
    "SELECT body FROM team.notes",
    "SELECT * FROM team.notes",
    "SELECT private FROM team.notes",
    "SELECT agenda FROM team.sessions",
    "SELECT * FROM team.sessions",
    "SELECT background FROM team.mentees",
    "SELECT description FROM team.goals",
    "SELECT text FROM team.action_items",
    "SELECT * FROM team.changes('0')",
])
def test_the_coordinator_is_refused_note_text_and_agendas(program, query: str) -> None:
    _team, engines, _seeds, _codes = program
    with engines["coord"].connect() as conn, pytest.raises(ProgrammingError,
                                                           match="permission denied"):
        conn.execute(text(query)).all()


def test_the_coordinator_reads_the_program_overview(program) -> None:
    team, engines, _seeds, _codes = program
    with engines["coord"].connect() as conn:
        rows = conn.execute(text("SELECT name, mentor, cadence_interval, cadence_unit "
                                 "FROM team.mentees ORDER BY name")).all()
        goals = conn.execute(text("SELECT title, current_value FROM team.goals")).all()
        held = conn.execute(text("SELECT status, start_utc IS NOT NULL FROM team.sessions")
                            ).all()
        overview = conn.execute(text("SELECT name, mentor, last_held IS NOT NULL, goals "
                                     "FROM team.program ORDER BY name")).all()
    assert [(r[0], r[1]) for r in rows] == [("Ada", team.name("alice")),
                                             ("Bea", team.name("bob"))]
    assert rows[0][2:] == (2, "weeks")
    assert sorted(goals) == [("Ship", 2.0), ("Ship", 2.0)]
    assert held == [("held", True), ("held", True)]
    assert [tuple(r) for r in overview] == [("Ada", team.name("alice"), True, 1),
                                            ("Bea", team.name("bob"), True, 1)]
    # Reading is all: no writes of data.
    with engines["coord"].connect() as conn, pytest.raises(ProgrammingError,
                                                           match="permission denied"):
        conn.execute(text("UPDATE team.mentees SET name = 'x'"))


def test_reassigning_a_mentee_moves_access_with_it(program, desk_factory) -> None:
    team, engines, seeds, codes = program
    alice_desk = joined(desk_factory("alice"), codes["alice"])
    bob_desk = joined(desk_factory("bob"), codes["bob"])
    with alice_desk.reader() as s:
        assert [m.name for m in s.scalars(select(Mentee))] == ["Ada"]
    ada, _session, ada_note = seeds["alice"]
    with engines["coord"].begin() as conn:
        conn.execute(text("UPDATE team.mentees SET mentor = :b WHERE uid = CAST(:m AS uuid)"),
                     {"b": team.name("bob"), "m": ada})
    # Raw SQL: the rows under Ada follow her mentor.
    assert _names(engines["alice"]) == []
    assert _names(engines["bob"]) == ["Ada", "Bea"]
    with engines["bob"].connect() as conn:
        assert conn.scalar(text("SELECT body FROM team.notes WHERE uid = CAST(:n AS uuid)"),
                           {"n": ada_note}) == "private words"
    # Desks: Ada leaves Alice's desk and arrives, with her notes, on Bob's.
    sync_once(alice_desk)
    sync_once(bob_desk)
    with alice_desk.reader() as s:
        assert list(s.scalars(select(Mentee))) == []
        assert list(s.scalars(select(Note))) == []
    with bob_desk.reader() as s:
        assert sorted(m.name for m in s.scalars(select(Mentee))) == ["Ada", "Bea"]
        assert sorted(n.body for n in s.scalars(select(Note))) == ["private words"] * 2
    # A mentor cannot give a mentee away (only a coordinator reassigns).
    with engines["bob"].connect() as conn, pytest.raises(ProgrammingError,
                                                         match="permission denied"):
        conn.execute(text("UPDATE team.mentees SET mentor = :a"), {"a": team.name("alice")})


def test_two_mentors_desks_never_see_each_others_rows(program, desk_factory) -> None:
    _team, _engines, _seeds, codes = program
    alice_desk = joined(desk_factory("alice"), codes["alice"])
    bob_desk = joined(desk_factory("bob"), codes["bob"])
    with alice_desk.transaction() as s:
        m = Mentee(name="Only Alice's")
        s.add(m)
        s.flush()
        s.add(Note(mentee_id=m.id, body="alice's words"))
    for _ in range(2):
        sync_once(alice_desk)
        sync_once(bob_desk)
    with bob_desk.reader() as s:
        assert sorted(m.name for m in s.scalars(select(Mentee))) == ["Bea"]
        assert "alice's words" not in [n.body for n in s.scalars(select(Note))]
    with alice_desk.reader() as s:
        assert sorted(m.name for m in s.scalars(select(Mentee))) == ["Ada", "Only Alice's"]
