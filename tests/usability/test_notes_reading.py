"""Reading notes back: a search hit opens at its match, the preview and the PDF report keep
the lines a mentor typed, the report names each goal's target, the call window stays on the
screen, and the Notes view comes back to the session it showed last (or the mentee picked
in the Mentees view). Driven with real keys and clicks through the desk window."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from PySide6.QtCore import QRect, QSize, Qt, QThreadPool
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from mentordesk.domain.goals import ProgressMode
from mentordesk.domain.markdown import hard_line_breaks
from mentordesk.services import goals
from mentordesk.services.goals import GoalDraft
from mentordesk.services.notes import NoteService
from mentordesk.services.reports import export_report, report_markdown
from mentordesk.services.sessions import SessionDraft, SessionRecord, SessionService
from mentordesk.ui.main_window import MainWindow
from mentordesk.ui.mentees.view import MenteesView
from mentordesk.ui.notes.call_window import SCREEN_MARGIN, placement
from mentordesk.ui.notes.search_dialog import SearchDialog
from mentordesk.ui.notes.view import NotesView
from mentordesk.ui.pdf_export import render_markdown_pdf
from tests.usability.conftest import Desk, add_mentee, click_session, notes_view, open_window
from tests.usability.helpers import click, press

BERLIN = "Europe/Berlin"
ROOT = Path(__file__).resolve().parents[2]


def held_session(desk: Desk, mentee: int, days_ago: int, title: str,
                 note: str = "") -> SessionRecord:
    svc = SessionService(desk.db)
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=days_ago)
    rec = svc.schedule(SessionDraft(mentee, start, 45, BERLIN, title))
    svc.end_call(rec.ref.session_id)
    if note:
        notes = NoteService(desk.db)
        notes.save_note_body(notes.open_note(rec.ref.session_id).id, note)
    return rec




def long_note(match_line: str) -> str:
    filler = [f"- point {n}: portfolio structure, spacing, colour" for n in range(160)]
    return "\n".join(["# Review", *filler, match_line, *filler[:20]])




def search(qtbot: QtBot, view: NotesView, query: str) -> None:
    """Ctrl+K, type ``query``, Enter on the first hit."""
    press(view, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(getattr(view, "search_dialog", None), SearchDialog)
                    and view.search_dialog.isVisible())
    dialog = view.search_dialog
    QTest.keyClicks(dialog.field, query)
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=5000)
    press(dialog.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def assert_marked(editor: QPlainTextEdit, start: int, length: int) -> None:
    """The text at ``start`` is selected and marked (a mark that stays when the editor
    loses focus)."""
    cursor = editor.textCursor()
    assert (cursor.selectionStart(), cursor.selectionEnd()) == (start, start + length)
    marks = [(m.cursor.selectionStart(), m.cursor.selectionEnd())
             for m in editor.extraSelections()]
    assert marks == [(start, start + length)]


# -- a search hit opens at its match ------------------------------------------------------

def test_enter_on_a_search_hit_selects_the_match_and_scrolls_to_it(
        qtbot: QtBot, desk: Desk, no_dialogs: list[str]) -> None:
    held_session(desk, desk.amara, 7, "Deep review",
                 long_note("We talked about salary negotiation with the recruiter."))
    view = notes_view(qtbot, desk)
    search(qtbot, view, "negotiation")
    qtbot.waitUntil(lambda: view.current is not None and view.current.title == "Deep review")
    editor = view.editor
    qtbot.waitUntil(lambda: editor.textCursor().selectedText() == "negotiation")
    # The first occurrence, far below the first screen, in view.
    assert_marked(editor, editor.toPlainText().index("negotiation"), len("negotiation"))
    qtbot.waitUntil(lambda: editor.viewport().rect().contains(editor.cursorRect()))
    assert editor.verticalScrollBar().value() > 0
    assert editor.window().focusWidget() is editor
    assert no_dialogs == []


def test_a_search_hit_in_the_open_session_is_shown_too(
        qtbot: QtBot, desk: Desk, no_dialogs: list[str]) -> None:
    held_session(desk, desk.amara, 7, "Deep review",
                 long_note("We talked about salary negotiation with the recruiter."))
    view = notes_view(qtbot, desk)
    click_session(qtbot, view, "Deep review")
    assert view.editor.verticalScrollBar().value() == 0
    search(qtbot, view, "negotiation")
    editor = view.editor
    qtbot.waitUntil(lambda: editor.textCursor().selectedText() == "negotiation")
    assert_marked(editor, editor.toPlainText().index("negotiation"), len("negotiation"))
    qtbot.waitUntil(lambda: editor.viewport().rect().contains(editor.cursorRect()))
    assert no_dialogs == []


def test_a_search_hit_in_the_agenda_is_marked_there(
        qtbot: QtBot, desk: Desk, no_dialogs: list[str]) -> None:
    rec = held_session(desk, desk.amara, 7, "Deep review", "Nothing about it here.")
    NoteService(desk.db).save_agenda(rec.ref.session_id,
                                     "- portfolio\n- the offer and its equity\n- next steps")
    view = notes_view(qtbot, desk)
    search(qtbot, view, "equity")
    qtbot.waitUntil(lambda: view.current is not None and view.current.title == "Deep review")
    agenda = view.agenda_edit
    qtbot.waitUntil(lambda: agenda.textCursor().selectedText() == "equity")
    assert_marked(agenda, agenda.toPlainText().index("equity"), len("equity"))
    assert view.editor.extraSelections() == []
    assert no_dialogs == []


# -- the lines a mentor typed stay lines ------------------------------------------------

def rendered_lines(markdown: str) -> list[str]:
    """The lines Qt's Markdown renders ``markdown`` to (blocks, and breaks inside them)."""
    doc = QTextDocument()
    doc.setMarkdown(markdown)
    return lines_of(doc)


def lines_of(doc: QTextDocument) -> list[str]:
    out: list[str] = []
    block = doc.begin()
    while block.isValid():
        out += block.text().split("\u2028")
        block = block.next()
    return out


def test_the_preview_shows_each_typed_line_on_its_own_line(
        qtbot: QtBot, desk: Desk, no_dialogs: list[str]) -> None:
    held_session(desk, desk.amara, 2, "Typed live")
    view = notes_view(qtbot, desk)
    click_session(qtbot, view, "Typed live")
    click(view.editor.viewport())
    QTest.keyClicks(view.editor, "line one")
    press(view.editor, Qt.Key.Key_Return)
    QTest.keyClicks(view.editor, "line two")
    preview = view.editor_panel.preview
    qtbot.waitUntil(lambda: "line two" in preview.toPlainText())
    assert view.editor.toPlainText() == "line one\nline two"
    assert lines_of(preview.document()) == ["line one", "line two"]


def pdf_lines(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def test_the_pdf_report_keeps_lines_names_targets_and_writes_the_date_plainly(
        desk: Desk, tmp_path: Path) -> None:
    held_session(desk, desk.amara, 3, "Portfolio", "line one\nline two\n\n- a point\n- another")
    goals.create_goal(desk.db, desk.amara, GoalDraft(
        title="Give 5 talks", progress_mode=ProgressMode.MEASURE, target_value=5,
        target_unit="talks", current_value=2), desk.columns["in_progress"])
    target = tmp_path / "amara.pdf"
    export_report(desk.db, "Amara Okafor", target, render_pdf=render_markdown_pdf)
    lines = pdf_lines(target.read_bytes())
    assert "line one" in lines and "line two" in lines
    assert lines.index("line two") == lines.index("line one") + 1
    # Each goal with its measurable target, and how far it is.
    # (The PDF's text runs end where the font changes: "Target:" is bold.)
    text = " ".join(lines)
    assert "Ship 3 portfolio case studies Status: Not started" in text
    assert "Target: 3 case studies Outline" in text
    assert "Target: 5 talks, now 2 (40 %)" in text
    written = next(line for line in lines if line.startswith("Written "))
    # The PDF is Qt's rendering of this document: nothing on the date line is underlined
    # or a link.
    doc = QTextDocument()
    doc.setMarkdown(report_markdown(desk.db, desk.amara))
    block = doc.find(written).block()
    assert block.isValid() and block.text() == written
    formats = block.layout().formats()
    assert all(not f.format.fontUnderline() and not f.format.isAnchor() for f in formats)
    it = block.begin()
    while not it.atEnd():
        fmt = it.fragment().charFormat()
        assert not fmt.fontUnderline() and not fmt.isAnchor()
        it += 1


# Markdown the breaks must leave as it is (rendered lines, headings, lists, code, tables).
KEPT = {
    "bullets": "- one\n- two\n  * nested\n- three",
    "ordered": "1. first\n2. second\n3. third",
    "fenced code": "```\nx = 1\ny = 2\n```",
    "tilde code": "~~~python\nx = 1\n  y = 2\n~~~",
    "indented code": "text\n\n    x = 1\n    y = 2\n\nafter",
    "headings": "# One\n## Two\n### Three",
    "setext": "Title\n=====\n\nSub\n---",
    "table": "| a | b |\n|---|:-:|\n| 1 | 2 |\n| 3 | 4 |",
    "rule": "above\n\n***\n\nbelow",
    "quote": "> quoted",
    "hard already": "one  \ntwo\\\nthree",
}


def structure(markdown: str) -> list[tuple[str, int, bool, bool, bool]]:
    """Each rendered block: text, heading level, in a list, code, in a table."""
    doc = QTextDocument()
    doc.setMarkdown(markdown)
    out = []
    block = doc.begin()
    while block.isValid():
        fmt = block.blockFormat()
        out.append((block.text(), fmt.headingLevel(), block.textList() is not None,
                    fmt.nonBreakableLines(), QTextCursor(block).currentTable() is not None))
        block = block.next()
    return out


@pytest.mark.parametrize("name", sorted(KEPT))
def test_breaks_leave_lists_code_headings_and_tables_as_they_were(name: str,
                                                                  qtbot: QtBot) -> None:
    text = KEPT[name]
    assert structure(hard_line_breaks(text)) == structure(text)


@pytest.mark.parametrize(("typed", "lines"), [
    ("line one\nline two", ["line one", "line two"]),
    ("- item\n  more of it\n- next", ["item", "more of it", "next"]),
    ("> one\n> two", ["one", "two"]),
    ("intro\n```\ncode\n```\nafter\nend", ["intro", "code", "after", "end"]),
    ("**bold**\n_it_\nplain", ["bold", "it", "plain"]),
    ("a\r\nb", ["a", "b"]),
])
def test_each_typed_line_renders_as_a_line(typed: str, lines: list[str],
                                           qtbot: QtBot) -> None:
    assert [x for x in rendered_lines(hard_line_breaks(typed)) if x] == lines


_WORDS = st.text(alphabet="abcdefgh", min_size=1, max_size=6)
_LINE = st.lists(_WORDS, min_size=1, max_size=4).map(" ".join)


@st.composite
def _block(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A Markdown block and, for a paragraph, the lines it must render as."""
    kind = draw(st.sampled_from(["para", "list", "code", "heading", "table", "quote"]))
    lines = draw(st.lists(_LINE, min_size=1, max_size=4))
    if kind == "para":
        return "\n".join(lines), lines
    if kind == "list":
        return "\n".join(f"- {line}" for line in lines), []
    if kind == "code":
        return "```\n" + "\n".join(lines) + "\n```", []
    if kind == "heading":
        return f"## {lines[0]}", []
    if kind == "table":
        return "| h | k |\n|---|---|\n" + "\n".join(f"| {x} | y |" for x in lines), []
    return "\n".join(f"> {line}" for line in lines), lines


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blocks=st.lists(_block(), min_size=1, max_size=5))
def test_breaks_change_only_where_lines_end(blocks: list[tuple[str, list[str]]],
                                           qtbot: QtBot) -> None:
    text = "\n\n".join(b for b, _ in blocks)
    converted = hard_line_breaks(text)
    # Only line ends change: two spaces after some of them.
    assert [x.rstrip(" ") for x in converted.split("\n")] == [
        x.rstrip(" ") for x in text.split("\n")]
    before, after = structure(text), structure(converted)
    # The same words under the same headings, lists, code and tables.
    def words(blocks: list[tuple[str, int, bool, bool, bool]]) -> list[tuple[object, ...]]:
        return [(w, *rest) for t, *rest in blocks for w in t.replace("\u2028", " ").split()]
    assert words(after) == words(before)
    rendered = lines_of_doc(converted)
    for _, lines in blocks:
        for line in lines:
            assert line in rendered


def lines_of_doc(markdown: str) -> list[str]:
    return [" ".join(x.split()) for x in rendered_lines(markdown)]


# -- the call window stays on the screen ---------------------------------------------------

SCREENS = {"screens": [
    {"name": "left", "x": 0, "y": 0, "width": 1280, "height": 800, "logicalDpi": 96,
     "logicalBaseDpi": 96, "dpr": 1},
    {"name": "right", "x": 1280, "y": 0, "width": 1024, "height": 600, "logicalDpi": 96,
     "logicalBaseDpi": 96, "dpr": 1}]}


def test_the_call_window_opens_inside_the_main_windows_screen(tmp_path: Path) -> None:
    """Two screens (a child process: the platform reads its screens at start-up); the main
    window low on the smaller one; call mode opened twice with Ctrl+Shift+M, the second
    time after the mentor dragged the window partly below the screen."""
    config = tmp_path / "screens.json"
    config.write_text(json.dumps(SCREENS), encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}",
               TZ="Europe/Berlin", HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "tests.usability.call_window_child",
                           str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    lines = [x for x in done.stdout.splitlines() if x.startswith("CALL-WINDOW ")]
    assert done.returncode == 0 and lines, done.stderr[-3000:]
    report = json.loads(lines[-1].removeprefix("CALL-WINDOW "))
    assert report["main_screen"] == "right"
    free = QRect(*report["free"])
    first, second = report["runs"]
    for run in (first, second):
        assert run["screen"] == "right"
        assert free.contains(QRect(*run["frame"])), run
    # First time: the top-right corner; then where the mentor left it, moved back inside.
    assert QRect(*first["frame"]).right() == free.right() - SCREEN_MARGIN
    assert QRect(*second["frame"]).left() == QRect(*first["dragged"]).left()


_RECTS = st.builds(QRect, st.integers(-3000, 3000), st.integers(-3000, 3000),
                   st.integers(1, 4000), st.integers(1, 3000))


@settings(max_examples=300, deadline=None)
@given(available=st.builds(QRect, st.integers(-2000, 2000), st.integers(-2000, 2000),
                           st.integers(200, 4000), st.integers(200, 3000)),
       frame=st.builds(QSize, st.integers(1, 3000), st.integers(1, 3000)),
       remembered=st.none() | _RECTS)
def test_the_call_window_placement_is_always_inside(available: QRect, frame: QSize,
                                                    remembered: QRect | None) -> None:
    placed = placement(available, frame, remembered)
    assert available.contains(placed)
    assert placed.width() <= frame.width() or remembered is not None


# -- Notes comes back to the session it showed, or the mentee picked -------------------------

def pick_mentee(qtbot: QtBot, window: MainWindow, mentee_id: int) -> None:
    """A click on the mentee's row in the Mentees view."""
    view = window.ensure_view("mentees")
    assert isinstance(view, MenteesView)
    qtbot.waitUntil(lambda: view.loaded, timeout=5000)
    index = view.proxy.index_of(mentee_id)
    assert index.isValid()
    click(view.table.viewport(), view.table.visualRect(index).center())
    qtbot.waitUntil(lambda: window.context.selected_mentee_id == mentee_id)


def central(window: MainWindow) -> QWidget:
    body = window.centralWidget()
    assert body is not None
    return body


def show_notes(qtbot: QtBot, window: MainWindow) -> NotesView:
    """Ctrl+3, the Notes entry of the sidebar and the View menu."""
    press(central(window), Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    view = window.current_view()
    assert isinstance(view, NotesView)
    return view


def test_notes_follows_the_mentee_picked_and_reopens_its_last_session(
        qtbot: QtBot, desk: Desk, no_dialogs: list[str]) -> None:
    svc = SessionService(desk.db)
    soon = datetime.now(UTC).replace(second=0, microsecond=0)
    held_session(desk, desk.amara, 6, "Amara last week")
    svc.schedule(SessionDraft(desk.amara, soon + timedelta(days=9), 45, BERLIN,
                              "Amara next"))
    svc.schedule(SessionDraft(desk.amara, soon + timedelta(days=16), 45, BERLIN,
                              "Amara later"))
    carol = add_mentee(desk.db, "Carol Mendes", "Europe/Lisbon")
    held_session(desk, carol, 20, "Carol long ago")
    held_session(desk, carol, 4, "Carol latest")

    window = open_window(qtbot, desk, "mentees")
    pick_mentee(qtbot, window, desk.amara)
    notes = show_notes(qtbot, window)
    # Ben's one-off comes first in the list; Amara's next meeting is the one opened.
    qtbot.waitUntil(lambda: notes.current is not None and notes.current.title == "Amara next",
                    timeout=5000)
    qtbot.waitUntil(lambda: notes.session_tree.currentIndex().isValid())
    selected = notes.session_model.record(notes.session_tree.currentIndex())
    assert selected is not None and selected.title == "Amara next"

    # A mentee with nothing planned: their latest session.
    press(central(window), Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    pick_mentee(qtbot, window, carol)
    notes = show_notes(qtbot, window)
    qtbot.waitUntil(lambda: notes.current is not None
                    and notes.current.title == "Carol latest", timeout=5000)

    # The mentor opens another session, and quits.
    click_session(qtbot, notes, "One-off")
    window.close()
    QThreadPool.globalInstance().waitForDone(5000)

    again = open_window(qtbot, desk, "mentees")
    reopened = show_notes(qtbot, again)
    qtbot.waitUntil(lambda: reopened.current is not None
                    and reopened.current.title == "One-off", timeout=5000)
    qtbot.waitUntil(lambda: reopened.session_tree.currentIndex().isValid())
    listed = reopened.session_model.record(reopened.session_tree.currentIndex())
    assert listed is not None and listed.title == "One-off"
    assert no_dialogs == []


def test_notes_opens_nothing_when_its_last_session_is_gone(
        qtbot: QtBot, desk: Desk, no_dialogs: list[str]) -> None:
    rec = held_session(desk, desk.amara, 3, "Soon deleted")
    window = open_window(qtbot, desk, "notes")
    notes = window.current_view()
    assert isinstance(notes, NotesView)
    qtbot.waitUntil(lambda: notes.session_model.total() > 0)
    click_session(qtbot, notes, "Soon deleted")
    window.close()
    QThreadPool.globalInstance().waitForDone(5000)
    SessionService(desk.db).delete(rec.ref.session_id)
    again = open_window(qtbot, desk, "notes")
    view = again.current_view()
    assert isinstance(view, NotesView)
    qtbot.waitUntil(lambda: view.session_model.total() > 0)
    QThreadPool.globalInstance().waitForDone(5000)
    qtbot.wait(50)
    assert view.current is None and view.pages.currentWidget() is view.empty
    assert no_dialogs == []
