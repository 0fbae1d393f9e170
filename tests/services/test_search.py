"""Full-text search (FTS5 through the triggers) on real SQLite files."""

from __future__ import annotations

from sqlalchemy import insert

from mentordesk.services.notes import NoteService
from mentordesk.services.search import (
    HIGHLIGHT_CLOSE,
    HIGHLIGHT_OPEN,
    SearchService,
    build_match,
)
from mentordesk.services.sessions import SessionService
from mentordesk.storage.database import Database
from mentordesk.storage.schema import Note
from tests.services.test_notes import add_goal, held_session
from tests.services.test_sessions import add_mentee


def write_note(db: Database, session_id: int, body: str, private: bool = False) -> int:
    notes = NoteService(db)
    note = notes.open_note(session_id)
    notes.save_note_body(note.id, body)
    if private:
        notes.set_private(note.id, True)
    return note.id


def test_build_match_quotes_words_and_prefixes_the_last() -> None:
    assert build_match("salary negot") == '"salary" "negot"*'
    assert build_match("salary ") == '"salary"'
    assert build_match('AND "OR" (x') == '"AND" "OR"'
    assert build_match("s") is None or build_match("s") == '"s"'
    assert build_match("  ") is None
    assert build_match("negot", prefix=False) == '"negot"'


def test_search_finds_every_kind_with_highlights(db: Database) -> None:
    mid = add_mentee(db, name="Zoë Kowalski")
    sid = held_session(db, mid, 2)
    write_note(db, sid, "We practised the salary negotiation twice.\n\nShe felt ready.")
    NoteService(db).save_agenda(sid, "- negotiation role play")
    add_goal(db, mid, "Negotiate a raise")
    search = SearchService(db)
    hits = search.search("negotiation")
    kinds = {h.kind for h in hits}
    assert {"note", "agenda", "goal"} <= kinds
    note_hit = next(h for h in hits if h.kind == "note")
    assert note_hit.session_id == sid and note_hit.mentee_name == "Zoë Kowalski"
    assert f"{HIGHLIGHT_OPEN}negotiation{HIGHLIGHT_CLOSE}" in note_hit.snippet
    assert note_hit.when is not None
    # Prefix while typing, stemming, diacritics, and names.
    assert any(h.kind == "note" for h in search.search("negot"))
    # Longer than the stem "negoti" while typing, still found.
    assert any(h.kind == "note" for h in search.search("negotiat"))
    assert search.search("negotiat ") == [], "a finished word is not shortened"
    assert any(h.kind == "note" for h in search.search("practising"))
    assert [h.kind for h in search.search("zoe")] == ["mentee"]
    assert search.search("") == [] and search.search('"(') == []


def test_search_sees_edits_and_deletes(db: Database) -> None:
    mid = add_mentee(db)
    sid = held_session(db, mid, 1)
    nid = write_note(db, sid, "alpha topic")
    search = SearchService(db)
    assert search.search("alpha", kinds=("note",))
    NoteService(db).save_note_body(nid, "beta topic")
    assert search.search("alpha", kinds=("note",)) == []
    assert search.search("beta", kinds=("note",))
    SessionService(db).delete(sid)
    assert search.search("beta", kinds=("note",)) == []


def test_common_word_lists_newest_first_capped(db: Database) -> None:
    mid = add_mentee(db)
    sid = held_session(db, mid, 1)
    rows = [{"mentee_id": mid, "session_id": sid, "body": f"common word note {i}"}
            for i in range(80)]
    with db.transaction() as s:
        s.execute(insert(Note), rows)
    hits = SearchService(db).search("common", kinds=("note",), limit=50)
    assert len(hits) == 50
    ids = [h.id for h in hits]
    assert ids == sorted(ids, reverse=True), "capped results come newest first"
    rare = SearchService(db).search("79", kinds=("note",))
    assert [h.plain_snippet() for h in rare] == ["common word note 79"]
    # Few matches are ranked: the note with the word twice (shorter too) comes first.
    with db.transaction() as s:
        s.execute(insert(Note), [{"mentee_id": mid, "session_id": sid,
                                  "body": "xenon once, and other words in a longer note"},
                                 {"mentee_id": mid, "session_id": sid, "body": "xenon xenon"}])
    ranked = SearchService(db).search("xenon", kinds=("note",))
    assert ranked[0].plain_snippet() == "xenon xenon"
