"""Render README screenshots offscreen from a fresh demo database.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="mentordesk-shots-"))
    os.environ["MENTORDESK_DATA_DIR"] = str(tmp / "data")
    os.environ["MENTORDESK_LOG_DIR"] = str(tmp / "log")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from mentordesk.services.demo import generate_demo
    from mentordesk.storage.database import open_database
    from mentordesk.ui.app import build_context, create_application
    from mentordesk.ui.main_window import MainWindow

    app = create_application()
    db = open_database(tmp / "demo.sqlite3")
    generate_demo(db, mentees=24)
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(build_context(db, settings))
    window.resize(1280, 800)
    window.show()
    for view in window.views:
        window.show_view(view.view_id)
        # Views load their data in the background: let it arrive before the grab.
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.02)
        target = out / f"{view.view_id}.png"
        window.grab().save(str(target))
        print(target)
    window.close()
    empty = open_database(tmp / "empty.sqlite3")
    first = MainWindow(build_context(empty, QSettings(str(tmp / "s2.ini"),
                                                      QSettings.Format.IniFormat)))
    first.resize(1100, 700)
    first.show()
    app.processEvents()
    first.grab().save(str(out / "welcome.png"))
    print(out / "welcome.png")
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
