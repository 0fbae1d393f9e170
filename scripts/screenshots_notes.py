"""Render the notes view during a call (with the call-mode window) and search results.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_notes.py [OUT_DIR]

Writes OUT_DIR/notes-call.png and OUT_DIR/search.png (default docs/screenshots).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shot_kit import pump, start

NOTES = """## Promotion case

Amara walked me through the **draft promotion doc**. Strong on impact, thin on *scope*.

- Add the migration project with numbers (−40 % build time)
- Ask two peers for written feedback
- Keep it to two pages

> "I always undersell the boring infrastructure work."

### Next time
- Practise the calibration conversation
"""


def main() -> int:
    shoot = start("notes")
    from PySide6.QtCore import QPoint, QUrl
    from PySide6.QtGui import QColor, QPainter, QPixmap

    from mentordesk.services.notes import NoteService
    from mentordesk.services.sessions import SessionDraft, SessionRef, SessionService
    from mentordesk.storage.schema import Mentee
    from mentordesk.ui.notes.view import NotesView

    db = shoot.db
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
    window = shoot.window()
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
    shoot.save(canvas, "notes-call.png")
    call.close()
    pump(0.3)
    view.flush()

    view.open_search()
    dialog = view.search_dialog
    dialog.field.setText("salary negot")
    for _ in range(100):
        if dialog.model.rowCount():
            break
        pump(0.05)
    pump(0.3)
    shoot.save(dialog, "search.png")
    dialog.close()
    window.close()
    db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
