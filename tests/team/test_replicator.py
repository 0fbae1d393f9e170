"""Two desks of one mentor (two real SQLite files) against a real PostgreSQL: merges, text
conflicts, deletes, a desk offline for days (a server it cannot reach), and status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mentordesk.storage import team_local as local
from mentordesk.storage.schema import Goal, Mentee, Note, Tag
from mentordesk.storage.schema import Session as SessionRow
from mentordesk.storage.team_tables import TABLES
from mentordesk.team.errors import TeamOffline
from mentordesk.team.membership import (
    ServerAddress,
    membership,
    replicator_for,
    status,
    store_secret,
    sync_once,
)
from mentordesk.team.merge import CONFLICT_START
from mentordesk.team.replicator import Replicator
from tests.support.team_helpers import content, settle
from tests.support.team_server import Team, joined

START = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def desks(team: Team, desk_factory):
    code = team.invite("alice")
    a = desk_factory("a")
    with a.transaction() as s:
        m = Mentee(name="Ada", background="likes Rust")
        s.add(m)
        s.flush()
        session = SessionRow(mentee_id=m.id, start_utc=START, status="held", agenda="plan")
        s.add(session)
        s.add(Goal(mentee_id=m.id, column_id=1, title="Ship"))
        s.flush()
        s.add(Note(mentee_id=m.id, session_id=session.id, body="first line"))
    joined(a, code)
    b = joined(desk_factory("b"), code)
    return a, b


def _note(db) -> str:
    with db.reader() as s:
        return str(s.scalars(select(Note.body)).one())


def test_a_second_desk_receives_everything(desks) -> None:
    a, b = desks
    settle(a, b)
    assert content(a) == content(b)
    assert _note(b) == "first line"


def test_different_fields_merge_without_conflict(desks) -> None:
    a, b = desks
    with a.transaction() as s:
        s.scalars(select(Mentee)).one().name = "Ada L."
    with b.transaction() as s:
        mentee = s.scalars(select(Mentee)).one()
        mentee.cadence_interval = 3
        mentee.tags.append(Tag(name="rust"))
    settle(a, b)
    with a.reader() as s:
        mentee = s.scalars(select(Mentee)).one()
        assert (mentee.name, mentee.cadence_interval) == ("Ada L.", 3)
        assert [t.name for t in mentee.tags] == ["rust"]
    assert content(a) == content(b)


def test_two_edits_of_one_note_keep_both_texts(desks) -> None:
    a, b = desks
    with a.transaction() as s:
        s.scalars(select(Note)).one().body = "first line\nwritten on the laptop"
    with b.transaction() as s:
        s.scalars(select(Note)).one().body = "first line\nwritten on the desktop"
    settle(a, b)
    text = _note(a)
    assert text == _note(b)
    assert "written on the laptop" in text and "written on the desktop" in text
    assert CONFLICT_START in text


def test_tags_added_on_both_desks_are_all_kept(desks) -> None:
    a, b = desks
    for desk, tag in ((a, "python"), (b, "career")):
        with desk.transaction() as s:
            mentee = s.scalars(select(Mentee)).one()
            mentee.tags.append(Tag(name=tag))
    settle(a, b)
    with b.reader() as s:
        mentee = s.scalars(select(Mentee)).one()
        assert sorted(t.name for t in mentee.tags) == ["career", "python"]


def test_a_delete_travels_and_wins_over_an_edit(desks) -> None:
    a, b = desks
    with a.transaction() as s:
        s.delete(s.scalars(select(Goal)).one())
    with b.transaction() as s:
        s.scalars(select(Goal)).one().title = "Ship it"
    settle(a, b)
    for desk in (a, b):
        with desk.reader() as s:
            assert list(s.scalars(select(Goal))) == []
    assert content(a) == content(b)


def test_a_deleted_mentee_takes_its_rows_off_every_desk(desks) -> None:
    a, b = desks
    with b.transaction() as s:
        s.delete(s.scalars(select(Mentee)).one())
    settle(a, b)
    for desk in (a, b):
        with desk.reader() as s:
            assert list(s.scalars(select(Note))) == []
            assert list(s.scalars(select(SessionRow))) == []


def _offline(desk) -> Replicator:
    """The desk's real replication code pointed at a port where no server listens."""
    replicator, m = replicator_for(desk)
    replicator.engine.dispose()
    dead = ServerAddress("127.0.0.1", 9, m.address.database, "disable")
    from mentordesk.storage.team_server import make_engine

    return Replicator(desk, make_engine(dead.url(m.member, "x")), member=m.member)


def test_a_desk_offline_for_days_converges_on_reconnect(desks) -> None:
    a, b = desks
    offline = _offline(b)
    day = START
    for i in range(5):  # five "days" of work on both desks, B unable to reach the server
        day += timedelta(days=1)
        with a.transaction() as s:
            m = s.scalars(select(Mentee)).one()
            session = SessionRow(mentee_id=m.id, start_utc=day, status="held")
            s.add(session)
            s.flush()
            s.add(Note(mentee_id=m.id, session_id=session.id, body=f"laptop day {i}"))
        sync_once(a)
        with b.transaction() as s:
            m = s.scalars(select(Mentee)).one()
            s.add(Note(mentee_id=m.id, body=f"desktop day {i}"))
            note = s.scalars(select(Note).where(Note.body.startswith("first"))).one()
            note.body += f"\ndesktop edit {i}"
        with pytest.raises(TeamOffline):
            offline.sync()
    offline.engine.dispose()
    with b.reader() as s:
        assert local.pending_count(s) >= 6
    settle(b, a)
    assert content(a) == content(b)
    with a.reader() as s:
        bodies = set(s.scalars(select(Note.body)))
    assert {f"laptop day {i}" for i in range(5)} <= bodies
    assert {f"desktop day {i}" for i in range(5)} <= bodies
    assert any("desktop edit 4" in body for body in bodies)


def test_status_says_offline_and_how_many_changes_wait(desks, team: Team) -> None:
    a, _b = desks
    with a.transaction() as s:
        s.scalars(select(Mentee)).one().name = "Ada Lovelace"
    m = membership(a)
    assert m is not None
    down = ServerAddress("127.0.0.1", 9, m.address.database, "disable")
    with a.transaction() as s:  # the desk now points at a server that is down
        local.set_state(s, "server", down.to_json())
        waiting = local.pending_count(s)
    store_secret(down, m.member, "x")
    noun = "change" if waiting == 1 else "changes"
    assert f"Team: offline, {waiting} {noun} waiting" in status(a)
    with pytest.raises(TeamOffline):
        sync_once(a)
    with a.reader() as s:
        assert s.scalars(select(Mentee.name)).one() == "Ada Lovelace"  # kept


def test_every_replicated_table_round_trips(desks) -> None:
    a, b = desks
    settle(a, b)
    got = content(b)
    for spec in TABLES:
        assert got[spec.name] == content(a)[spec.name], spec.name


def test_the_worker_wakes_on_a_notification_and_pulls_within_a_second(desks) -> None:
    import threading
    import time

    a, b = desks
    settle(a, b)
    worker, _m = replicator_for(b)
    stop = threading.Event()
    rounds: list[object] = []
    thread = threading.Thread(target=worker.run, args=(stop,),
                              kwargs={"poll": 5.0, "on_round": rounds.append}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not rounds and time.monotonic() < deadline:
            time.sleep(0.02)  # the worker's first round
        with a.transaction() as s:
            s.scalars(select(Note)).one().body = "sent from the laptop"
        sync_once(a)
        sent = time.monotonic()
        while _note(b) != "sent from the laptop" and time.monotonic() < sent + 5:
            time.sleep(0.02)
        # Woken by NOTIFY, not by its 5-second poll.
        assert time.monotonic() - sent < 1.0
    finally:
        stop.set()
        thread.join(timeout=10)
        worker.engine.dispose()
