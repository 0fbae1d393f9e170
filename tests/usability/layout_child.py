"""Opens every view and dialog (scripts/screen_catalogue.py) in this process and prints,
as JSON, what tests/usability/layout_check.py finds in each. Run by test_layouts.py with
QT_SCALE_FACTOR and a light or dark palette:

    python -m tests.usability.layout_child light|dark
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    dark = sys.argv[1] == "dark"
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="mentordesk-layout-"))
    os.environ["MENTORDESK_DATA_DIR"] = str(tmp / "data")
    os.environ["MENTORDESK_LOG_DIR"] = str(tmp / "log")
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")
    sys.path.insert(0, str(ROOT / "scripts"))
    from PySide6.QtCore import QSettings
    from screen_catalogue import screens, use_palette  # type: ignore[import-not-found]

    from mentordesk.services.demo import generate_demo
    from mentordesk.storage.database import open_database
    from mentordesk.ui.app import build_context, create_application
    from mentordesk.ui.main_window import MainWindow
    from tests.usability.layout_check import problems

    app = create_application()
    use_palette(app, dark)
    db = open_database(tmp / "demo.sqlite3")
    generate_demo(db, mentees=20, seed=7)
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(build_context(db, settings))
    report: dict[str, object] = {}
    for name, widget in screens(window, db):
        report[name] = problems(widget)
    report["_scale"] = window.devicePixelRatioF()
    window.close()
    db.close()
    print("LAYOUT-REPORT " + json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
