"""The team server's schema on a real PostgreSQL: Alembic-managed and re-runnable, refused
by a desk when newer than it knows, a change cursor that never skips a late commit, and
notifications that wake desks."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

import mentordesk.storage.team_server as server
from mentordesk.storage.team_migrations import HEAD, KNOWN_REVISIONS
from mentordesk.team.errors import NoTeamSchema, ServerSchemaNewer
from mentordesk.team.membership import join, membership
from tests.support.team_server import Team


def test_known_revisions_match_the_script_directory() -> None:
    cfg = Config()
    cfg.set_main_option("script_location",
                        str(Path(server.__file__).with_name("team_migrations")))
    script = ScriptDirectory.from_config(cfg)
    assert script.get_heads() == [HEAD]
    assert list(reversed([r.revision for r in script.walk_revisions()])) == list(KNOWN_REVISIONS)


def test_init_is_idempotent(team: Team) -> None:
    server.migrate(team.admin)  # the fixture ran it once already
    server.migrate(team.admin)
    with team.admin.connect() as conn:
        assert server.schema_revision(conn) == HEAD
        tables = set(conn.scalars(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'team'")))
    assert {"mentees", "notes", "sessions", "goals", "mentee_moves"} <= tables


def test_a_desk_refuses_a_newer_server_schema(team: Team, desk_factory) -> None:
    code = team.invite("alice")
    with team.admin.begin() as conn:
        conn.execute(text("UPDATE team.alembic_version SET version_num = 't9999'"))
    desk = desk_factory("a")
    with pytest.raises(ServerSchemaNewer) as info:
        join(desk, code.encode())
    assert "newer than this MentorDesk knows" in str(info.value)
    assert "Update MentorDesk" in str(info.value)
    assert membership(desk) is None  # nothing changed on the desk


def test_a_database_without_the_team_schema_is_refused(team: Team, desk_factory) -> None:
    code = team.invite("alice")
    with team.admin.begin() as conn:
        conn.execute(text("DROP SCHEMA team CASCADE"))
    with pytest.raises(NoTeamSchema):
        join(desk_factory("a"), code.encode())


def _insert_mentee(conn, uid: str) -> None:
    conn.execute(text("INSERT INTO team.mentees (uid, name) VALUES (CAST(:u AS uuid), 'x')"),
                 {"u": uid})


def test_the_cursor_never_passes_a_transaction_still_running(team: Team) -> None:
    """The outbox/CDC trap: a change numbered earlier that commits later must not be
    skipped. The horizon stops below the oldest running transaction."""
    code = team.invite("alice")
    engine = team.connect_as(code)
    try:
        with engine.connect() as reader:
            since, _ = server.pull(reader, "0")
            reader.rollback()
        slow = engine.connect()
        slow_tx = slow.begin()
        _insert_mentee(slow, "00000000000000000000000000000001")  # numbered first
        with engine.begin() as fast:
            _insert_mentee(fast, "00000000000000000000000000000002")  # commits first
        with engine.connect() as reader:
            horizon, changes = server.pull(reader, since)
            reader.rollback()
        assert changes == []  # the fast one waits behind the slow one's horizon
        slow_tx.commit()
        slow.close()
        with engine.connect() as reader:
            horizon, changes = server.pull(reader, horizon)
            reader.rollback()
        assert sorted(c.body["uid"][-1] for c in changes) == ["1", "2"]
        with engine.connect() as reader:
            _h, again = server.pull(reader, horizon)
            reader.rollback()
        assert again == []  # each change is seen once
    finally:
        engine.dispose()


def test_a_commit_wakes_a_listening_desk_within_a_second(team: Team) -> None:
    code = team.invite("alice")
    engine = team.connect_as(code)
    woke: list[float] = []
    try:
        with server.listening(engine) as listener:
            def write() -> None:
                time.sleep(0.2)
                with engine.begin() as conn:
                    _insert_mentee(conn, "00000000000000000000000000000003")
                woke.append(time.monotonic())

            writer = threading.Thread(target=write)
            writer.start()
            got = list(listener.notifies(timeout=3, stop_after=1))
            arrived = time.monotonic()
            writer.join()
        assert got and got[0].channel == server.NOTIFY_CHANNEL
        assert arrived - woke[0] < 1.0
    finally:
        engine.dispose()
