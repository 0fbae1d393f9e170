"""Full-text search (FTS5 through the triggers) and progress reports, on real SQLite files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from mentordesk.cli import main as cli_main
from mentordesk.errors import KnownError
from mentordesk.services.notes import NoteService
from mentordesk.services.reports import export_report, report_markdown
from mentordesk.services.search import (
    HIGHLIGHT_CLOSE,
    HIGHLIGHT_OPEN,
    SearchService,
    build_match,
)
from mentordesk.services.sessions import SessionDraft, SessionService
from mentordesk.storage.database import Database
from mentordesk.storage.schema import Mentee, Note
from mentordesk.ui.pdf_export import render_markdown_pdf
from tests.services.test_notes import CANARY, add_goal, held_session
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


def test_report_markdown_and_pdf(db: Database, tmp_path: Path) -> None:
    mid = add_mentee(db, name="Priya Raman")
    sid = held_session(db, mid, 3)
    write_note(db, sid, "## Portfolio\n\nShipped the case study.")
    other = held_session(db, mid, 1)
    write_note(db, other, f"Private worry: {CANARY}", private=True)
    add_goal(db, mid, "Ship 3 portfolio pieces")
    NoteService(db).add_action_item(sid, "Send the case study")
    text = report_markdown(db, mid)
    assert "# Progress report: Priya Raman" in text
    assert "Ship 3 portfolio pieces" in text and "Shipped the case study." in text
    assert "- [ ] Send the case study" in text
    assert CANARY not in text
    md = tmp_path / "priya.md"
    export_report(db, "priya", md)
    assert md.read_text(encoding="utf-8").startswith("# Progress report: Priya Raman")
    pdf = tmp_path / "priya.pdf"
    export_report(db, "Priya Raman", pdf, render_pdf=render_markdown_pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 1000
    assert CANARY.encode() not in data


def test_report_refuses_unknown_or_ambiguous(db: Database, tmp_path: Path) -> None:
    add_mentee(db, name="Ana Silva")
    add_mentee(db, name="Ana Souza")
    with pytest.raises(KnownError, match="No mentee"):
        export_report(db, "Nobody", tmp_path / "x.md")
    with pytest.raises(KnownError, match="matches 2"):
        export_report(db, "Ana", tmp_path / "x.md")
    export_report(db, "ana silva", tmp_path / "x.md")


def test_cli_export_report(db: Database, db_path: Path, tmp_path: Path) -> None:
    with db.transaction() as s:
        s.add(Mentee(name="Kofi Mensah", timezone="Africa/Accra"))
    db.close()
    target = tmp_path / "kofi.md"
    assert cli_main(["--db", str(db_path), "export", "--mentee", "Kofi", str(target)]) == 0
    assert "Kofi Mensah" in target.read_text(encoding="utf-8")
    assert cli_main(["--db", str(db_path), "export", "--mentee", "Nobody",
                     str(tmp_path / "n.md")]) == 1


def test_upcoming_session_in_report(db: Database) -> None:
    mid = add_mentee(db, name="Wei Zhang")
    SessionService(db).schedule(SessionDraft(mid, datetime.now(UTC) + timedelta(days=3),
                                             title="Mock interview"))
    assert "Mock interview" in report_markdown(db, mid)
