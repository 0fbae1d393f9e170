"""A time zone missing from the installed tzdata (``US/Pacific-New``, dropped in 2020) broke
the Notes view and ``export --mentee`` and the Mentees view showed UTC as the mentee's local
time. Retired names now map to the zone they meant; a name that is unknown altogether is
shown as unknown (docs/reliability.md: "A mentee's time zone that tzdata dropped or never
knew")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from mentordesk.domain.timezones import zone
from mentordesk.services.sessions import SessionDraft, SessionService
from mentordesk.storage.database import open_database
from mentordesk.storage.schema import Mentee
from tests.hostile.procs import mentordesk
from tests.support.app_start import StartApp
from tests.ui.notes.test_view import open_window, select


def test_retired_names_map_to_the_zone_they_meant() -> None:
    assert zone("US/Pacific-New").key == "America/Los_Angeles"
    assert zone("Canada/East-Saskatchewan").key == "America/Regina"


def _file_with(tmp_path: Path, tz: str) -> Path:
    path = tmp_path / "desk.sqlite3"
    db = open_database(path)
    with db.transaction() as s:
        mentee = Mentee(name="Zed Unknown", timezone=tz)
        s.add(mentee)
        s.flush()
        mid = mentee.id
    svc = SessionService(db)
    held = svc.schedule(SessionDraft(mid, datetime.now(UTC) - timedelta(days=2), 30,
                                     "Europe/Berlin", "Held one"))
    svc.end_call(held.ref.session_id)
    db.close()
    return path


def test_a_report_for_a_mentee_in_an_unknown_zone_is_written(tmp_path: Path) -> None:
    path = _file_with(tmp_path, "Mars/Olympus_Mons")
    target = tmp_path / "report.md"
    result = mentordesk("--db", str(path), "export", str(target), "--mentee", "Zed")
    assert result.returncode == 0, result.stderr
    assert "'Mars/Olympus_Mons' is unknown" in target.read_text(encoding="utf-8")
    retired = _file_with(tmp_path / "b", "US/Pacific-New")
    result = mentordesk("--db", str(retired), "export", str(target), "--mentee", "Zed")
    assert result.returncode == 0, result.stderr


def test_the_notes_view_opens_a_session_of_a_mentee_in_an_unknown_zone(
        qtbot: QtBot, tmp_path: Path, start_app: StartApp, no_dialogs: list[str]) -> None:
    db = open_database(_file_with(tmp_path, "Mars/Olympus_Mons"))
    window, view = open_window(qtbot, start_app, db)
    select(view, lambda r: r.title == "Held one")
    assert "unknown" in view.when_label.text()
    idx = view.session_tree.currentIndex()
    assert "unknown time zone" in str(idx.data(3))  # the tooltip
    assert no_dialogs == []
    window.close()
    db.close()


def test_the_mentees_table_does_not_pass_utc_off_as_their_time(qtbot: QtBot) -> None:
    from mentordesk.ui.mentees.model import MenteeTableModel

    model = MenteeTableModel(mentor_zone="Europe/Berlin")
    assert model._local_time("Mars/Olympus_Mons") == "Unknown zone"
    assert model._local_time("US/Pacific-New") != "Unknown zone"
