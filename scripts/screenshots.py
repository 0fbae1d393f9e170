"""Render every README screenshot offscreen from fresh demo databases.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [OUT_DIR]

The welcome state of an empty database is rendered here; the feature screens come from
mentee_screenshots.py, board_screenshots.py and screenshots_notes.py (each runnable alone).
"""

from __future__ import annotations

import runpy
from pathlib import Path

from shot_kit import pump, start

FEATURE_SCRIPTS = ("mentee_screenshots.py", "board_screenshots.py", "screenshots_notes.py")


def main() -> int:
    shoot = start("welcome", mentees=1)
    from mentordesk.storage.database import open_database

    empty = open_database(shoot.tmp / "empty.sqlite3")
    first = shoot.window(1100, 700, db=empty)
    pump(0.5)
    shoot.save(first, "welcome.png")
    first.close()
    empty.close()
    shoot.db.close()
    here = Path(__file__).resolve().parent
    for script in FEATURE_SCRIPTS:
        module = runpy.run_path(str(here / script))
        module["main"]()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
