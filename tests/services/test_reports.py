"""Progress reports on real SQLite files: the Markdown and the PDF, private notes left out,
the mentee found by any part of their name in any case, and any text at all in goals,
notes and action items (hypothesis)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from mentordesk.errors import KnownError
from mentordesk.services.notes import NoteService
from mentordesk.services.reports import export_report, report_markdown
from mentordesk.services.sessions import SessionDraft, SessionService
from mentordesk.storage.database import Database, open_database
from mentordesk.storage.schema import (
    ActionItem,
    BoardColumn,
    Goal,
    Mentee,
    Milestone,
    Note,
    Session,
)
from mentordesk.ui.pdf_export import render_markdown_pdf
from tests.services.test_notes import CANARY, add_goal, held_session
from tests.services.test_search import write_note
from tests.services.test_sessions import add_mentee
from tests.support.fuzz import EXAMPLES, scratch_db


def test_report_markdown_and_pdf(db: Database, tmp_path: Path, qapp: object) -> None:
    # qapp: the test session's one Qt application (the PDF writer would make a bare one).
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


def test_upcoming_session_in_report(db: Database) -> None:
    mid = add_mentee(db, name="Wei Zhang")
    SessionService(db).schedule(SessionDraft(mid, datetime.now(UTC) + timedelta(days=3),
                                             title="Mock interview"))
    assert "Mock interview" in report_markdown(db, mid)


# -- any text in the report ---------------------------------------------------------------

_nasty = st.one_of(
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=60),
    st.sampled_from(["# heading", "## sub\n===", "* [x] done", "| a | b |\n|---|---|",
                     "```\ncode\n```", "<script>alert(1)</script>", "[link](javascript:x)",
                     "\x00nul\x00", "\u202eevil", "_*`~>\\", "line\r\nbreak", "\t\v\f",
                     "😀" * 50, "a" * 20_000, "#" * 300, "e\u0301"]))


@dataclass(frozen=True)
class Content:
    name: str
    goals: list[tuple[str, str, list[str]]] = field(default_factory=list)
    notes: list[tuple[str, bool]] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


mentee_content = st.builds(
    Content,
    name=st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1,
                 max_size=40).filter(lambda n: n.strip() == n and n != ""),
    goals=st.lists(st.tuples(_nasty, _nasty, st.lists(_nasty, max_size=3)), max_size=3),
    notes=st.lists(st.tuples(_nasty, st.booleans()), min_size=1, max_size=3),
    actions=st.lists(_nasty.filter(lambda t: t.strip() != ""), max_size=3),
)


def _plant(db: Database, content: Content) -> int:
    with db.transaction() as s:
        mentee = Mentee(name=content.name, timezone="Asia/Kathmandu")
        s.add(mentee)
        s.flush()
        column = s.scalars(select(BoardColumn).order_by(BoardColumn.position)).first()
        assert column is not None
        for position, (title, description, milestones) in enumerate(content.goals):
            goal = Goal(mentee_id=mentee.id, column_id=column.id, title=title or "untitled",
                        description=description, position=position,
                        due_date=date(2026, 5, 1))
            s.add(goal)
            s.flush()
            for i, m in enumerate(milestones):
                s.add(Milestone(goal_id=goal.id, title=m or "step", position=i, done=i % 2 == 0))
        for i, (body, private) in enumerate(content.notes):
            row = Session(mentee_id=mentee.id, start_utc=datetime(2026, 1, 5 + i, 9, tzinfo=UTC),
                          timezone="Europe/Berlin", duration_minutes=30, title=f"S{i}",
                          status="held")
            s.add(row)
            s.flush()
            s.add(Note(session_id=row.id, mentee_id=mentee.id, body=body, private=private))
            for j, text in enumerate(content.actions):
                s.add(ActionItem(mentee_id=mentee.id, session_id=row.id, text=text,
                                 position=j + 10 * i))
        return mentee.id


def test_markdown_report_survives_any_text() -> None:
    with scratch_db() as db, tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.md"

        @settings(max_examples=EXAMPLES * 2 // 3, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(content=mentee_content)
        def check(content: Content) -> None:
            mentee_id = _plant(db, content)
            try:
                text = report_markdown(db, mentee_id)
                try:
                    export_report(db, content.name, out)
                except KnownError as exc:
                    # Only a name shared with an earlier example may be ambiguous.
                    assert "matches" in exc.message, exc.message
                else:
                    written = out.read_bytes().decode("utf-8")
                    assert written.startswith("# Progress report: ")
                public = [b for b, private in content.notes if not private and b.strip()]
                for body in public:
                    for line in body.strip().splitlines():
                        assert line.lstrip("#") in text
                for body, private in content.notes:
                    secret = body.strip()
                    if private and len(secret) >= 12 and all(
                            secret not in b for b in public) and secret not in text.split(
                            "## Sessions")[0]:
                        assert secret not in text, "a private note reached the report"
            finally:
                with db.transaction() as s:
                    m = s.get(Mentee, mentee_id)
                    if m is not None:
                        s.delete(m)

        check()


def test_pdf_report_survives_nasty_text(tmp_path: Path, qapp: object) -> None:
    db = open_database(tmp_path / "pdf.sqlite3")
    try:
        _plant(db, Content("Zoë <b>O'Brien</b>",
                           goals=[("# \x00 goal", "a" * 20_000, ["😀" * 200, "| x |"])],
                           notes=[("```\n\x00\u202e" + "b" * 50_000, False)],
                           actions=["\x00"]))
        path = tmp_path / "r.pdf"
        export_report(db, "zoë <b>o'brien</b>", path, render_pdf=render_markdown_pdf)
        assert path.read_bytes().startswith(b"%PDF")
    finally:
        db.close()


@pytest.mark.parametrize("asked", ["Мария Иванова", "мария иванова", "МАРИЯ", "иванова"])
def test_report_finds_a_non_ascii_name_in_any_case(tmp_path: Path, asked: str) -> None:
    # SQLite's lower() and LIKE fold ASCII only; the lookup must not depend on them.
    db = open_database(tmp_path / "names.sqlite3")
    try:
        with db.transaction() as s:
            s.add(Mentee(name="Мария Иванова"))
            s.add(Mentee(name="Ivan Petrov"))
        export_report(db, asked, tmp_path / "r.md")
        assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith(
            "# Progress report: Мария Иванова")
    finally:
        db.close()
