"""Render every README screenshot offscreen from fresh demo databases.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [OUT_DIR]

The welcome state of an empty database is rendered here; the feature screens come from
mentee_screenshots.py, board_screenshots.py and screenshots_notes.py (each runnable alone).
Then every view and dialog of screen_catalogue.py is rendered at 1280x800 in a light and a
dark palette, as light/<name>.png and dark/<name>.png.
"""

from __future__ import annotations

import runpy
from pathlib import Path

from shot_kit import pump, start

FEATURE_SCRIPTS = ("mentee_screenshots.py", "board_screenshots.py", "screenshots_notes.py")


def main() -> int:
    shoot = start("welcome", mentees=1)
    from mentordesk.storage.database import open_database
    from mentordesk.ui import errors

    # Each script closes its window and file while a view may still be loading; the late
    # load's "file was closed" would wait on an error dialog nobody can answer: print it.
    errors.dialogs_enabled = False

    empty = open_database(shoot.tmp / "empty.sqlite3")
    first = shoot.window(1100, 700, db=empty)
    pump(0.5)
    shoot.save(first, "welcome.png")
    first.close()
    # Let the closed window's background loads land and the window go before its file
    # closes: a load finishing later met a closed database and waited on an error dialog.
    first.deleteLater()
    pump(0.5)
    empty.close()
    shoot.db.close()
    here = Path(__file__).resolve().parent
    for script in FEATURE_SCRIPTS:
        module = runpy.run_path(str(here / script))
        module["main"]()
    every_screen()
    for message in errors.reported:
        print("reported:", message)
    return 0


def every_screen() -> None:
    """Every view and dialog, light and dark."""
    from PySide6.QtCore import QSettings
    from screen_catalogue import screens, use_palette

    from mentordesk.ui.app import build_context
    from mentordesk.ui.main_window import MainWindow

    shoot = start("catalogue", mentees=20)
    for scheme in ("light", "dark"):
        use_palette(shoot.app, scheme == "dark")
        folder = shoot.out / scheme
        folder.mkdir(parents=True, exist_ok=True)
        settings = QSettings(str(shoot.tmp / f"{scheme}.ini"), QSettings.Format.IniFormat)
        window = MainWindow(build_context(shoot.db, settings))
        for name, widget in screens(window, shoot.db):
            pump(0.2)
            target = folder / f"{name}.png"
            widget.grab().save(str(target))
            print(target)
        window.close()
        pump(0.2)
    shoot.db.close()


if __name__ == "__main__":
    raise SystemExit(main())
