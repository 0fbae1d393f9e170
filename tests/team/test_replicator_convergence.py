"""Two desks of one mentor converge under random edits on both sides with random offline
periods (hypothesis, stateful), and no note text written on either desk is ever dropped
unless its note was deleted. Real SQLite files, a real PostgreSQL, the real worker code."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import create_engine, select, text

from mentordesk.storage import team_server as server
from mentordesk.storage.database import Database, open_database
from mentordesk.storage.schema import Mentee, Note, Tag
from mentordesk.team.errors import TeamOffline
from mentordesk.team.membership import JoinCode, ServerAddress, join, replicator_for
from mentordesk.team.replicator import Replicator
from tests.support.pg_cluster import Cluster
from tests.support.team_helpers import content, settle

DESKS = ("laptop", "desktop")
_serial = itertools.count()


class TwoDesks(RuleBasedStateMachine):
    cluster: Cluster
    database: str
    admin_url: str

    @initialize()
    def setup(self) -> None:
        n = next(_serial)
        self.dir = Path(tempfile.mkdtemp(prefix="md-desks-"))
        admin = create_engine(self.admin_url)
        with admin.begin() as conn:
            secret = server.create_member(conn, f"conv{n}", coordinator=False)
        admin.dispose()
        address = ServerAddress("127.0.0.1", self.cluster.port, self.database, "prefer")
        code = JoinCode(address, f"conv{n}", secret).encode()
        self.desks: dict[str, Database] = {}
        for name in DESKS:
            self.desks[name] = open_database(self.dir / f"{name}.sqlite3")
            join(self.desks[name], code)
        self.online = dict.fromkeys(DESKS, True)
        self.tokens: dict[str, set[str]] = {}  # note uid -> tokens written into it
        self.deleted: set[str] = set()  # note uids deleted on some desk
        self.note_mentee: dict[str, str] = {}  # note uid -> its mentee's uid
        self.deleted_mentees: set[str] = set()  # a mentee's delete takes all its notes
        self.counter = itertools.count()
        # One mentee with a note on both desks to start from: concurrent edits of one text.
        with self.desks[DESKS[0]].transaction() as s:
            mentee = Mentee(name="Start")
            s.add(mentee)
            s.flush()
            note = Note(mentee_id=mentee.id, body="start")
            s.add(note)
            s.flush()
            assert note.uid is not None and mentee.uid is not None
            self.tokens[note.uid] = {"start"}
            self.note_mentee[note.uid] = mentee.uid
        settle(*self.desks.values(), rounds=1)

    def teardown(self) -> None:
        for db in getattr(self, "desks", {}).values():
            db.close()

    # -- helpers ---------------------------------------------------------------------------

    def _pick(self, data: st.DataObject, desk: str, model: type) -> object | None:
        with self.desks[desk].reader() as s:
            ids = list(s.scalars(select(model.id)))  # type: ignore[attr-defined]
        return data.draw(st.sampled_from(ids)) if ids else None

    def _token(self) -> str:
        return f"tok{next(self.counter)}"

    # -- edits -----------------------------------------------------------------------------

    @rule(desk=st.sampled_from(DESKS), name=st.sampled_from(["Ada", "Bo", "Cy"]))
    def add_mentee(self, desk: str, name: str) -> None:
        with self.desks[desk].transaction() as s:
            s.add(Mentee(name=name))

    @rule(desk=st.sampled_from(DESKS), data=st.data(),
          cadence=st.integers(min_value=1, max_value=6))
    def edit_mentee(self, desk: str, data: st.DataObject, cadence: int) -> None:
        mentee_id = self._pick(data, desk, Mentee)
        if mentee_id is None:
            return
        with self.desks[desk].transaction() as s:
            mentee = s.get(Mentee, mentee_id)
            assert mentee is not None
            mentee.cadence_interval = cadence

    @rule(desk=st.sampled_from(DESKS), data=st.data(),
          tag=st.sampled_from(["python", "career", "rust"]))
    def toggle_tag(self, desk: str, data: st.DataObject, tag: str) -> None:
        mentee_id = self._pick(data, desk, Mentee)
        if mentee_id is None:
            return
        with self.desks[desk].transaction() as s:
            mentee = s.get(Mentee, mentee_id)
            assert mentee is not None
            found = [t for t in mentee.tags if t.name == tag]
            if found:
                mentee.tags.remove(found[0])
            else:
                existing = s.scalars(select(Tag).where(Tag.name == tag)).first()
                mentee.tags.append(existing or Tag(name=tag))

    @rule(desk=st.sampled_from(DESKS), data=st.data())
    def add_note(self, desk: str, data: st.DataObject) -> None:
        mentee_id = self._pick(data, desk, Mentee)
        if mentee_id is None:
            return
        token = self._token()
        with self.desks[desk].transaction() as s:
            note = Note(mentee_id=mentee_id, body=token)
            s.add(note)
            s.flush()
            mentee_uid = s.scalar(select(Mentee.uid).where(Mentee.id == mentee_id))
            assert note.uid is not None and mentee_uid is not None
            self.tokens[note.uid] = {token}
            self.note_mentee[note.uid] = mentee_uid

    @rule(desk=st.sampled_from(DESKS), data=st.data())
    def write_in_note(self, desk: str, data: st.DataObject) -> None:
        note_id = self._pick(data, desk, Note)
        if note_id is None:
            return
        token = self._token()
        with self.desks[desk].transaction() as s:
            note = s.get(Note, note_id)
            assert note is not None and note.uid is not None
            note.body = f"{note.body}\n{token}"
            self.tokens.setdefault(note.uid, set()).add(token)

    @rule(desk=st.sampled_from(DESKS), data=st.data())
    def delete_note(self, desk: str, data: st.DataObject) -> None:
        note_id = self._pick(data, desk, Note)
        if note_id is None:
            return
        with self.desks[desk].transaction() as s:
            note = s.get(Note, note_id)
            assert note is not None and note.uid is not None
            self.deleted.add(note.uid)
            s.delete(note)

    @rule(desk=st.sampled_from(DESKS), data=st.data())
    def delete_mentee(self, desk: str, data: st.DataObject) -> None:
        mentee_id = self._pick(data, desk, Mentee)
        if mentee_id is None:
            return
        with self.desks[desk].transaction() as s:
            self.deleted.update(u for u in s.scalars(select(Note.uid).where(
                Note.mentee_id == mentee_id)) if u)
            mentee = s.get(Mentee, mentee_id)
            assert mentee is not None and mentee.uid is not None
            self.deleted_mentees.add(mentee.uid)
            s.delete(mentee)

    # -- the network -----------------------------------------------------------------------

    @rule(desk=st.sampled_from(DESKS))
    def sync(self, desk: str) -> None:
        db = self.desks[desk]
        replicator, m = replicator_for(db)
        if not self.online[desk]:
            replicator.engine.dispose()
            down = ServerAddress("127.0.0.1", 9, m.address.database, "disable")
            replicator = Replicator(db, server.make_engine(down.url(m.member, "x")),
                                    member=m.member)
            try:
                replicator.sync()
                raise AssertionError("a desk that cannot reach the server synced")
            except TeamOffline:
                pass
            finally:
                replicator.engine.dispose()
            return
        try:
            replicator.sync()
        finally:
            replicator.engine.dispose()

    @rule(desk=st.sampled_from(DESKS))
    def go_offline(self, desk: str) -> None:
        self.online[desk] = False

    @precondition(lambda self: not all(self.online.values()))
    @rule(desk=st.sampled_from(DESKS))
    def go_online(self, desk: str) -> None:
        self.online[desk] = True

    # -- the end ---------------------------------------------------------------------------

    def converge(self) -> None:
        self.online = dict.fromkeys(DESKS, True)
        settle(*self.desks.values())
        first, second = (content(self.desks[d]) for d in DESKS)
        assert first == second
        bodies = {uid: p["body"] for uid, p in first["notes"].items()}
        for uid, tokens in self.tokens.items():
            if uid in self.deleted or self.note_mentee.get(uid) in self.deleted_mentees:
                continue  # a delete wins over an edit made elsewhere meanwhile
            assert uid in bodies, f"note {uid} vanished without a delete"
            for token in tokens:
                assert token in bodies[uid].split(), f"{token} was dropped from {uid}"


def test_two_desks_of_one_mentor_converge(cluster: Cluster) -> None:
    database = "convergence"
    root = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with root.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    root.dispose()
    admin = server.make_engine(server.server_url(cluster.url(database)), pooled=False)
    server.migrate(admin)
    admin.dispose()

    class Machine(TwoDesks):
        pass

    Machine.cluster = cluster
    Machine.database = database
    Machine.admin_url = cluster.url(database)
    original_teardown = Machine.teardown

    def teardown(self: TwoDesks) -> None:
        try:
            if hasattr(self, "desks"):
                self.converge()
        finally:
            original_teardown(self)

    Machine.teardown = teardown  # type: ignore[method-assign]
    run_state_machine_as_test(Machine, settings=settings(
        max_examples=25, stateful_step_count=30, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
