"""What every screenshot script needs: isolated user folders, a QApplication, a fresh demo
database and a main window on it, and a way to let background loads finish.

Screenshots are taken offscreen with ``QWidget.grab()``; run the scripts with
``QT_QPA_PLATFORM=offscreen`` (set here by default).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from mentordesk.storage.database import Database
    from mentordesk.ui.main_window import MainWindow


def pump(seconds: float) -> None:
    """Run the event loop for a while so background loads land before a grab."""
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)


@dataclass
class Shoot:
    app: QApplication
    db: Database
    tmp: Path
    out: Path

    def window(self, width: int = 1280, height: int = 800,
               db: Database | None = None) -> MainWindow:
        from PySide6.QtCore import QSettings

        from mentordesk.ui.app import build_context
        from mentordesk.ui.main_window import MainWindow

        settings = QSettings(str(self.tmp / f"settings-{time.monotonic_ns()}.ini"),
                             QSettings.Format.IniFormat)
        window = MainWindow(build_context(db or self.db, settings))
        window.resize(width, height)
        window.show()
        return window

    def save(self, widget_or_pixmap: object, name: str) -> None:
        target = self.out / name
        grab = getattr(widget_or_pixmap, "grab", None)
        pixmap = grab() if callable(grab) else widget_or_pixmap
        pixmap.save(str(target))  # type: ignore[attr-defined]
        print(target)


def start(prefix: str, *, mentees: int = 24) -> Shoot:
    """Isolated folders, the app, and a demo database; OUT_DIR from argv[1]."""
    main = sys.modules.get("__main__")
    parser = argparse.ArgumentParser(description=((main.__doc__ if main else None)
                                                  or "").split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?", type=Path, default=ROOT / "docs" / "screenshots",
                        help="where the PNGs go (default docs/screenshots)")
    out: Path = parser.parse_args(sys.argv[1:2]).out_dir
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"mentordesk-{prefix}-shots-"))
    os.environ["MENTORDESK_DATA_DIR"] = str(tmp / "data")
    os.environ["MENTORDESK_LOG_DIR"] = str(tmp / "log")
    os.environ.setdefault("TZ", "Europe/Berlin")
    from mentordesk.services.demo import generate_demo
    from mentordesk.storage.database import open_database
    from mentordesk.ui.app import create_application

    app = create_application()
    app.setApplicationDisplayName("MentorDesk")
    db = open_database(tmp / "demo.sqlite3")
    generate_demo(db, mentees=mentees)
    return Shoot(app, db, tmp, out)
