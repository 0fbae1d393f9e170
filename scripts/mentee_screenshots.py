"""Render the Mentees view screenshots (list with a profile, and the form) offscreen.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/mentee_screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="mentordesk-mentee-shots-"))
    os.environ["MENTORDESK_DATA_DIR"] = str(tmp / "data")
    os.environ["MENTORDESK_LOG_DIR"] = str(tmp / "log")
    os.environ.setdefault("TZ", "Europe/Berlin")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from mentordesk.services.demo import generate_demo
    from mentordesk.services.mentees import MenteeService
    from mentordesk.storage.database import open_database
    from mentordesk.ui.app import build_context, create_application
    from mentordesk.ui.main_window import MainWindow
    from mentordesk.ui.mentees.editor import MenteeEditor
    from mentordesk.ui.mentees.view import MenteesView

    app = create_application()
    db = open_database(tmp / "demo.sqlite3")
    generate_demo(db, mentees=24)
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(build_context(db, settings))
    window.resize(1360, 820)
    window.show()
    window.show_view("mentees")
    view = window.views[0]
    assert isinstance(view, MenteesView)
    while not view.loaded:
        app.processEvents()
    # The most urgent mentee with a call link and open items makes the richest profile.
    service = MenteeService(db)
    pick = next(r for r in view.model.all_rows()
                if r.meeting_link and not r.archived and r.last_held is not None)
    view.select_mentee(pick.id)
    for _ in range(5):
        app.processEvents()
    window.grab().save(str(out / "mentees.png"))
    print(out / "mentees.png")
    editor = MenteeEditor(window, f"Edit {pick.name}", service.get(pick.id).data,
                          service.all_tags())
    editor.show()
    editor.adjustSize()
    for _ in range(5):
        app.processEvents()
    editor.grab().save(str(out / "mentee-form.png"))
    print(out / "mentee-form.png")
    editor.close()
    window.close()
    QApplication.processEvents()
    db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
