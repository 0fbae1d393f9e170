"""Opens call mode from the real window on a desk with two screens side by side (the
offscreen platform reads them from a file: QT_QPA_PLATFORM=offscreen:configfile=...),
with the main window low on the smaller right screen, and prints as JSON where the call
window's frame went and that screen's free area. Run by test_notes_reading.py:

    python -m tests.usability.call_window_child FOLDER
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path


def rect(r: object) -> list[int]:
    from PySide6.QtCore import QRect

    assert isinstance(r, QRect)
    return [r.x(), r.y(), r.width(), r.height()]


def main() -> int:
    folder = Path(sys.argv[1])
    os.environ["MENTORDESK_DATA_DIR"] = str(folder / "data")
    os.environ["MENTORDESK_LOG_DIR"] = str(folder / "log")
    os.environ["XDG_CONFIG_HOME"] = str(folder / "config")
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from mentordesk.services.sessions import SessionDraft, SessionService
    from mentordesk.storage.database import open_database
    from mentordesk.ui.app import build_context, create_application
    from mentordesk.ui.main_window import MainWindow
    from mentordesk.ui.notes.view import NotesView
    from tests.usability.conftest import add_mentee

    app = create_application()
    db = open_database(folder / "desk.sqlite3")
    mentee = add_mentee(db, "Amara Okafor", "Asia/Kolkata")
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=1)
    SessionService(db).schedule(SessionDraft(mentee, start, 45, "Europe/Berlin", "Check-in"))
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(build_context(db, settings))
    right = app.screens()[1]
    free = right.availableGeometry()
    window.resize(900, 380)
    window.move(free.left() + 40, free.bottom() - 400)
    window.show()
    window.show_view("notes")
    view = window.current_view()
    assert isinstance(view, NotesView)
    while view.session_model.total() == 0:
        app.processEvents()
    view.session_tree.setCurrentIndex(view.session_model.index(1, 0))  # under its heading
    report: dict[str, object] = {"free": rect(free), "main": rect(window.frameGeometry()),
                                 "main_screen": window.screen().name()}
    runs = []
    for _ in range(2):
        handle = window.windowHandle()
        assert handle is not None
        QTest.keyClick(handle, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier
                       | Qt.KeyboardModifier.ShiftModifier)
        call = view.call_window
        assert call is not None, "call mode did not open"
        QTest.qWait(300)  # the second placement, after the window manager framed it
        runs.append({"frame": rect(call.frameGeometry()), "screen": call.screen().name()})
        # The mentor drags it left and partly off the bottom, then leaves call mode.
        dragged = call.frameGeometry().translated(0, 0)
        dragged.moveTo(free.left() + 50, free.bottom() - dragged.height() + 101)
        call.move(dragged.topLeft())
        QApplication.processEvents()
        runs[-1]["dragged"] = rect(call.frameGeometry())
        call.close()
        window.showNormal()
        QApplication.processEvents()
    report["runs"] = runs
    window.close()
    db.close()
    print("CALL-WINDOW " + json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
