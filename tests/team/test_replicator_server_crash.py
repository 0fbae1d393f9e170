"""The server killed (SIGKILL, postmaster and backends) in the middle of a desk's push, the
push running in a real ``mentordesk team sync`` process: after a restart and another sync,
nothing is lost and nothing is duplicated, and a second desk receives exactly the same."""

from __future__ import annotations

import random
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from mentordesk.services.demo import generate_demo
from mentordesk.storage import team_local as local
from mentordesk.storage import team_server as server
from mentordesk.storage.database import open_database
from mentordesk.storage.team_tables import TABLES
from mentordesk.team.membership import JoinCode, ServerAddress
from tests.support.pg_cluster import start_cluster
from tests.support.team_helpers import content
from tests.team.cli_runner import cli_env, run, start


def _server_rows(url: str) -> dict[str, list[str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {spec.name: [r[0].hex for r in conn.execute(text(
                f"SELECT uid FROM team.{spec.name} WHERE NOT deleted"))] for spec in TABLES}
    finally:
        engine.dispose()


def test_server_killed_mid_push_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    cluster = start_cluster()  # its own: this test kills it
    try:
        root = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with root.connect() as conn:
            conn.execute(text('CREATE DATABASE "crash"'))
        root.dispose()
        admin = server.make_engine(server.server_url(cluster.url("crash")), pooled=False)
        server.migrate(admin)
        with admin.begin() as conn:
            secret = server.create_member(conn, "crashy", coordinator=False)
        admin.dispose()
        code = JoinCode(ServerAddress("127.0.0.1", cluster.port, "crash", "prefer"), "crashy",
                        secret).encode()
        env = cli_env(tmp_path / "keyring.json")
        desk = tmp_path / "a.sqlite3"
        assert run(desk, "join", code, env=env).returncode == 0
        rng = random.Random(17)
        kills = 0
        for round_no in range(3):
            db = open_database(desk)
            generate_demo(db, mentees=40, seed=round_no)  # thousands of queued rows
            with db.reader() as s:
                queued = local.pending_count(s)
            db.close()
            assert queued > 500
            child = start(desk, "sync", env=env)
            time.sleep(rng.uniform(0.4, 1.2))  # python start-up, then somewhere in the push
            cluster.kill()
            _out, err = child.communicate(timeout=60)
            if child.returncode != 0:
                kills += 1
                assert "Team: the server cannot be reached" in err, err
            cluster.start()
            result = run(desk, "sync", env=env)
            assert result.returncode == 0, result.stderr
        assert kills >= 1  # at least one kill landed during a push

        db = open_database(desk)
        with db.reader() as s:
            assert local.pending_count(s) == 0
        mine = content(db)
        db.close()
        on_server = _server_rows(cluster.url("crash"))
        for spec in TABLES:
            uids = on_server[spec.name]
            assert len(uids) == len(set(uids)), spec.name
            assert sorted(uids) == sorted(mine[spec.name]), spec.name

        second = tmp_path / "b.sqlite3"
        assert run(second, "join", code, env=env).returncode == 0
        db = open_database(second)
        assert content(db) == mine
        db.close()
    finally:
        cluster.stop("immediate")
        cluster.remove()
