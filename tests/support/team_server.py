"""Team tests run against a real PostgreSQL: one throwaway cluster per test session (initdb
+ pg_ctl, tests/support/pg_cluster.py) and a fresh database per test. Skipped where PostgreSQL
is not installed, unless MENTORDESK_REQUIRE_POSTGRES=1 (CI), where that fails them.

A plugin of tests/conftest.py: the team tests live beside the modules they test (storage,
sync, team, ui), and the cluster is started once for all of them."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest
from sqlalchemy import Engine, create_engine, text

from mentordesk.storage import team_server as server
from mentordesk.storage.database import Database, open_database
from mentordesk.team.membership import JoinCode, ServerAddress, join
from tests.support.keyrings import MemoryKeyring
from tests.support.pg_cluster import Cluster, find_bin, start_cluster

REQUIRE = os.environ.get("MENTORDESK_REQUIRE_POSTGRES") == "1"
_names = itertools.count(1)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    if find_bin() is None:
        message = ("PostgreSQL is not installed (apt-get install postgresql, or "
                   "bash scripts/setup.sh --ci)")
        if REQUIRE:
            pytest.fail(message + " and MENTORDESK_REQUIRE_POSTGRES=1")
        pytest.skip(message)
    c = start_cluster()
    try:
        yield c
    finally:
        c.stop("immediate")
        c.remove()


@dataclass
class Team:
    """A fresh database with the team schema on the session's cluster."""

    cluster: Cluster
    database: str
    admin: Engine
    prefix: str

    @property
    def address(self) -> ServerAddress:
        return ServerAddress("127.0.0.1", self.cluster.port, self.database, "prefer")

    def name(self, base: str) -> str:
        return f"{self.prefix}_{base}"

    def invite(self, base: str, *, coordinator: bool = False) -> JoinCode:
        name = self.name(base)
        with self.admin.begin() as conn:
            secret = server.create_member(conn, name, coordinator=coordinator)
        return JoinCode(self.address, name, secret)

    def connect_as(self, code: JoinCode) -> Engine:
        return create_engine(self.cluster.url(self.database, code.member, code.secret))


@pytest.fixture
def team(cluster: Cluster, memory_keyring: MemoryKeyring) -> Iterator[Team]:
    n = next(_names)
    database = f"team_{os.getpid()}_{n}"
    root = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with root.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    root.dispose()
    admin = server.make_engine(server.server_url(cluster.url(database)), pooled=False)
    server.migrate(admin)
    t = Team(cluster, database, admin, f"t{os.getpid() % 10000}n{n}")
    try:
        yield t
    finally:
        admin.dispose()


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def desk_factory(tmp_path: Path) -> Iterator[Callable[[str], Database]]:
    opened: list[Database] = []

    def make(label: str) -> Database:
        db = open_database(tmp_path / f"{label}.sqlite3")
        opened.append(db)
        return db

    yield make
    for db in opened:
        db.close()


def joined(desk: Database, code: JoinCode) -> Database:
    join(desk, code.encode())
    return desk
