"""Privacy: a canary phrase planted in a note and a canary email must
never reach the log, whatever the app does with them at DEBUG level; the data folder is
owner-only and the database, its WAL/SHM sidecars and the backups are 0600.

Tokens: tests/sync/test_credentials.py signs in against an in-memory keyring and greps the
database, the log and the settings for the access and refresh tokens (only the keyring may
hold them); it is not repeated here.
"""

from __future__ import annotations

import logging
import logging.handlers
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from mentordesk.cli import main
from mentordesk.errors import ValidationError
from mentordesk.logging_setup import log_file, setup_logging
from mentordesk.paths import default_db_path, log_dir
from mentordesk.services.goals import GoalService
from mentordesk.services.mentees import MenteeService
from mentordesk.services.notes import NoteService
from mentordesk.services.search import SearchService
from mentordesk.services.sessions import SessionDraft, SessionRef, SessionService
from mentordesk.storage.database import open_database
from mentordesk.storage.schema import Mentee, Note
from tests.support.app_start import StartedApp

CANARY_WORD = "zebracanary"
CANARY_PHRASE = f"{CANARY_WORD} quokka lighthouse 7731"
CANARY_EMAIL = "quokka.canary7731@example.org"
NEEDLES = (CANARY_WORD, "quokka", "7731", CANARY_EMAIL.split("@")[0])


@pytest.fixture
def debug_log() -> Iterator[Path]:
    """The app's own rotating log file, with every logger at DEBUG."""
    root = logging.getLogger()
    level = root.level
    path = setup_logging(logging.DEBUG)
    root.setLevel(logging.DEBUG)
    yield path
    for handler in list(root.handlers):
        if isinstance(handler, logging.handlers.RotatingFileHandler) and Path(
                handler.baseFilename) == path:
            handler.close()
            root.removeHandler(handler)
    root.setLevel(level)


def _log_text() -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in sorted(log_dir().rglob("*")) if p.is_file())


def _assert_clean(where: str) -> None:
    text = _log_text().casefold()
    for needle in NEEDLES:
        assert needle.casefold() not in text, f"'{needle}' reached the log ({where})"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_canaries_never_reach_the_log_and_files_are_private(
        debug_log: Path, tmp_path: Path, qtbot: QtBot, qt_settings: QSettings,
        start_app: Callable[..., StartedApp],
        no_dialogs: list[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    path = default_db_path()

    # -- the command line --------------------------------------------------------------
    assert main(["demo", "--mentees", "4", "--seed", "5"]) == 0
    good = out / "in.csv"
    good.write_text("name,email,timezone,notes\n"
                    f"Quinn Canary,{CANARY_EMAIL},Europe/Berlin,{CANARY_PHRASE}\n",
                    encoding="utf-8")
    assert main(["import", str(good)]) == 0
    bad = out / "bad.csv"
    bad.write_text(f"name,email\nBroken,not-an-email-{CANARY_WORD}\nTwin,{CANARY_EMAIL}\n"
                   f"Twin,{CANARY_EMAIL}\n", encoding="utf-8")
    assert main(["import", str(bad)]) == 1
    _assert_clean("CLI import")

    db = open_database(path)
    try:
        mentee_id = next(r.id for r in MenteeService(db).list_rows() if r.name == "Quinn Canary")
        sessions = SessionService(db)
        session = sessions.schedule(SessionDraft(
            mentee_id, datetime.now(UTC) - timedelta(hours=2), 45, "Europe/Berlin",
            f"Check-in {CANARY_WORD}", agenda=f"- {CANARY_PHRASE}"))
        sid = session.ref.session_id
        sessions.start_call(session.ref)
        notes = NoteService(db)
        note = notes.open_note(sid)
        notes.save_note_body(note.id, f"# Call\n\n{CANARY_PHRASE}\n\nmail {CANARY_EMAIL}")
        notes.add_action_item(sid, f"Send {CANARY_PHRASE}")
        notes.run_line_command(sid, f"/next ask about {CANARY_WORD}")
        sessions.end_call(sid)
        GoalService(db).create_goal(mentee_id, f"Goal {CANARY_PHRASE}")
        hits = SearchService(db).search(CANARY_WORD)
        assert hits, "the planted note is searchable"
        with pytest.raises(ValidationError):
            notes.add_action_item(sid, "   ")
        # A database error carries the statement but never the values bound to it.
        with pytest.raises(Exception) as info, db.transaction() as s:
            s.add(Note(mentee_id=10**9, body=CANARY_PHRASE))
        assert CANARY_WORD not in str(info.value)
        logging.getLogger("mentordesk.tests.privacy").exception("write failed",
                                                                exc_info=info.value)
    finally:
        db.close()
    _assert_clean("services")

    assert main(["export", str(out / "all.csv")]) == 0
    assert CANARY_EMAIL in (out / "all.csv").read_text(encoding="utf-8-sig")
    assert main(["export", str(out / "cal.ics")]) == 0
    assert main(["export", str(out / "report.md"), "--mentee", "Quinn Canary"]) == 0
    assert CANARY_WORD in (out / "report.md").read_text(encoding="utf-8")
    assert main(["backup"]) == 0
    assert main(["backups"]) == 0
    _assert_clean("CLI export and backup")

    # -- the desktop app -------------------------------------------------------------------
    from mentordesk.ui.errors import show_known_error
    from mentordesk.ui.notes.view import NotesView

    app = start_app(path)
    window = app.window
    for view_id in ("mentees", "board", "notes", "mentees"):
        window.show_view(view_id)
        qtbot.wait(50)
    window.context.select_mentee(mentee_id)
    qtbot.wait(100)
    window.show_view("notes")
    view = window.current_view()
    assert isinstance(view, NotesView)
    view.open_ref(SessionRef(sid))
    assert CANARY_WORD in view.editor.toPlainText()
    view.open_search()
    QTest.keyClicks(view.search_dialog.field, CANARY_WORD)
    qtbot.waitUntil(lambda: view.search_dialog.model.rowCount() > 0, timeout=5000)
    view.search_dialog.close()
    view.editor.setFocus()
    QTest.keyClicks(view.editor, f" more {CANARY_WORD} typed")
    QTest.keyClicks(view.agenda_edit, f" {CANARY_EMAIL}")
    view.flush()
    show_known_error(window, ValidationError(f"'{CANARY_EMAIL}x' is not an email address"))
    window.show_view("board")
    window.show_view("mentees")
    app.quit()
    assert CANARY_WORD in NoteService(open_database(path)).find_note(sid).body  # type: ignore[union-attr]
    _assert_clean("desktop app")
    # Settings are not private files either: window state only, never content.
    qt_settings.sync()
    settings_text = Path(qt_settings.fileName()).read_text(encoding="utf-8", errors="replace")
    assert not any(n.casefold() in settings_text.casefold() for n in NEEDLES)

    # The log itself is being written, and is private too.
    assert "known error shown to the user: ValidationError" in _log_text()
    assert _mode(log_dir()) == 0o700 and _mode(log_file()) == 0o600

    # -- file modes after all of that --------------------------------------------------------
    assert _mode(path.parent) == 0o700
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if candidate.exists():
            assert _mode(candidate) == 0o600, candidate
    backups = [p for p in (path.parent / "backups").iterdir() if p.is_file()]
    assert backups, "the CLI backup is there"
    assert _mode(path.parent / "backups") == 0o700
    for backup in backups:
        assert _mode(backup) == 0o600, backup


def test_mentee_fields_stay_out_of_the_log_on_bad_input(debug_log: Path, db_path: Path
                                                        ) -> None:
    db = open_database(db_path)
    try:
        with db.transaction() as s:
            s.add(Mentee(name="Quinn", email=CANARY_EMAIL, background=CANARY_PHRASE))
        service = MenteeService(db)
        mentee = service.list_rows()[0]
        with pytest.raises(ValidationError):
            service.update(mentee.id, service.get(mentee.id).data.__class__(
                **{**vars(service.get(mentee.id).data), "email": f"{CANARY_WORD}@"}))
    finally:
        db.close()
    _assert_clean("mentee validation")


def test_the_grep_would_see_a_leak(debug_log: Path) -> None:
    """The check above is only worth something if a leaked canary would be found."""
    logging.getLogger("mentordesk.ui.notes.view").debug("saving %s", CANARY_PHRASE)
    with pytest.raises(AssertionError, match="reached the log"):
        _assert_clean("planted on purpose")
