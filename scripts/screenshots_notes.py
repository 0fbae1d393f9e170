"""Render the notes view during a call (with the call-mode window) and search results.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_notes.py [OUT_DIR]

Writes OUT_DIR/notes-call.png and OUT_DIR/search.png (default docs/screenshots).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOTES = """## Promotion case

Amara walked me through the **draft promotion doc**. Strong on impact, thin on *scope*.

- Add the migration project with numbers (−40 % build time)
- Ask two peers for written feedback
- Keep it to two pages

> "I always undersell the boring infrastructure work."

### Next time
- Practise the calibration conversation
"""


def pump(seconds: float) -> None:
    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="mentordesk-notes-shots-"))
    os.environ["MENTORDESK_DATA_DIR"] = str(tmp / "data")
    os.environ["MENTORDESK_LOG_DIR"] = str(tmp / "log")
    os.environ.setdefault("TZ", "Europe/Berlin")
    from PySide6.QtCore import QPoint, QSettings, QUrl
    from PySide6.QtGui import QColor, QPainter, QPixmap

    from mentordesk.services.demo import generate_demo
    from mentordesk.services.notes import NoteService
    from mentordesk.services.sessions import SessionDraft, SessionRef, SessionService
    from mentordesk.storage.database import open_database
    from mentordesk.storage.schema import Mentee
    from mentordesk.ui.app import build_context, create_application
    from mentordesk.ui.main_window import MainWindow
    from mentordesk.ui.notes.view import NotesView

    app = create_application()
    app.setApplicationDisplayName("MentorDesk")
    db = open_database(tmp / "demo.sqlite3")
    generate_demo(db, mentees=24)
    with db.transaction() as s:
        mentee = Mentee(name="Amara Okafor", timezone="Asia/Kolkata",
                        meeting_link="https://meet.google.com/abc-defg-hij",
                        cadence_interval=2, cadence_unit="weeks")
        s.add(mentee)
        s.flush()
        mentee_id = mentee.id
    sessions = SessionService(db)
    notes = NoteService(db)
    last = sessions.schedule(SessionDraft(mentee_id, datetime.now(UTC) - timedelta(days=14),
                                          45, "Europe/Berlin", "Check-in: portfolio"))
    sessions.end_call(last.ref.session_id)
    notes.add_action_item(last.ref.session_id, "Talk about the calibration meeting",
                          kind="next_time")
    notes.add_action_item(last.ref.session_id, "Send the updated CV")
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    current = sessions.schedule(SessionDraft(
        mentee_id, now - timedelta(minutes=23), 45, "Europe/Berlin", "Promotion case",
        rrule="FREQ=WEEKLY;INTERVAL=2",
        agenda="- Promotion doc review\n- Calibration timeline\n- Open actions"))
    window = MainWindow(build_context(db, QSettings(str(tmp / "s.ini"),
                                                    QSettings.Format.IniFormat)))
    window.resize(1280, 800)
    window.show()
    window.show_view("notes")
    view = window.current_view()
    assert isinstance(view, NotesView)
    NotesView.url_opener = staticmethod(lambda url: QUrl(url))
    pump(1.0)
    view.open_ref(SessionRef(current.ref.session_id, current.start_utc))
    view.start_call()
    view.editor.setPlainText(NOTES)
    view.add_action_item("Add the migration numbers to the doc")
    view.add_action_item("Ask two peers for written feedback")
    pump(1.2)
    main_shot = window.grab()
    view.enter_call_mode()
    call = view.call_window
    assert call is not None
    call.resize(400, 620)
    pump(0.8)
    call_shot = call.grab()
    canvas = QPixmap(main_shot.width() + call_shot.width() + 24,
                     max(main_shot.height(), call_shot.height()))
    canvas.fill(QColor("#3c4043"))
    painter = QPainter(canvas)
    painter.drawPixmap(QPoint(0, 0), main_shot)
    painter.drawPixmap(QPoint(main_shot.width() + 24, 40), call_shot)
    painter.end()
    canvas.save(str(out / "notes-call.png"))
    print(out / "notes-call.png")
    call.close()
    pump(0.3)
    view.flush()

    view.open_search()
    dialog = view.search_dialog
    dialog.field.setText("salary negot")
    deadline = time.monotonic() + 5
    while dialog.model.rowCount() == 0 and time.monotonic() < deadline:
        pump(0.05)
    pump(0.3)
    dialog.grab().save(str(out / "search.png"))
    print(out / "search.png")
    dialog.close()
    window.close()
    db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
