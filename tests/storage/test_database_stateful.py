"""The storage layer against a plain-dict model: save, delete, reopen, crash mid-transaction."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import select

from mentordesk.storage.database import Database, open_database
from mentordesk.storage.schema import Mentee, Note

names = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=30)
bodies = st.text(st.characters(blacklist_categories=["Cs"]), max_size=300)


class Crash(Exception):
    pass


class StorageMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="md-stateful-"))
        self.path = self.dir / "s.sqlite3"
        self.db: Database = open_database(self.path)
        # mentee id -> (name, {note id: body})
        self.model: dict[int, tuple[str, dict[int, str]]] = {}

    def teardown(self) -> None:
        self.db.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    @rule(name=names)
    def add_mentee(self, name: str) -> None:
        with self.db.transaction() as s:
            m = Mentee(name=name)
            s.add(m)
            s.flush()
            self.model[m.id] = (name, {})

    @precondition(lambda self: self.model)
    @rule(data=st.data(), body=bodies)
    def add_note(self, data: st.DataObject, body: str) -> None:
        mid = data.draw(st.sampled_from(sorted(self.model)))
        with self.db.transaction() as s:
            n = Note(mentee_id=mid, body=body)
            s.add(n)
            s.flush()
            self.model[mid][1][n.id] = body

    @precondition(lambda self: any(notes for _, notes in self.model.values()))
    @rule(data=st.data(), body=bodies)
    def edit_note(self, data: st.DataObject, body: str) -> None:
        choices = sorted((mid, nid) for mid, (_, ns) in self.model.items() for nid in ns)
        mid, nid = data.draw(st.sampled_from(choices))
        with self.db.transaction() as s:
            note = s.get(Note, nid)
            assert note is not None
            note.body = body
        self.model[mid][1][nid] = body

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def delete_mentee(self, data: st.DataObject) -> None:
        mid = data.draw(st.sampled_from(sorted(self.model)))
        with self.db.transaction() as s:
            row = s.get(Mentee, mid)
            assert row is not None
            s.delete(row)
        del self.model[mid]

    @rule(name=names, body=bodies)
    def crash_mid_transaction(self, name: str, body: str) -> None:
        try:
            with self.db.transaction() as s:
                m = Mentee(name=name)
                s.add(m)
                s.flush()
                s.add(Note(mentee_id=m.id, body=body))
                s.flush()
                raise Crash()
        except Crash:
            pass

    @rule()
    def reopen(self) -> None:
        self.db.close()
        self.db = open_database(self.path)

    @invariant()
    def matches_model(self) -> None:
        with self.db.reader() as s:
            stored: dict[int, tuple[str, dict[int, str]]] = {
                m.id: (m.name, {}) for m in s.scalars(select(Mentee))
            }
            for note in s.scalars(select(Note)):
                stored[note.mentee_id][1][note.id] = note.body
        assert stored == self.model


StorageMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=20,
                                            deadline=None)
TestStorage = StorageMachine.TestCase


def test_quick_check_after_random_work(tmp_path: Path) -> None:
    db = open_database(tmp_path / "q.sqlite3")
    with db.transaction() as s:
        for i in range(300):
            s.add(Mentee(name=f"m{i}"))
    with db.transaction() as s:
        for m in s.scalars(select(Mentee).where(Mentee.id % 3 == 0)):
            s.delete(m)
    assert db.quick_check() == []
    db.close()
