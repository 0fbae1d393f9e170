"""Nothing heavy before the first paint: no Google client, no PDF exporter, and Alembic only
when a migration is actually due."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from mentordesk.storage.database import open_database

SCRIPT = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from mentordesk.ui.app import build_context, create_application
    from mentordesk.storage.database import open_database
    from mentordesk.ui.main_window import MainWindow
    from PySide6.QtCore import QSettings

    app = create_application()
    db = open_database(Path(sys.argv[1]), check=False)
    window = MainWindow(build_context(db, QSettings(sys.argv[2], QSettings.Format.IniFormat)))
    from mentordesk.ui.app import install_sync_everywhere
    install_sync_everywhere(window)
    window.show()
    app.processEvents()
    window.repaint()
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in
                   ("googleapiclient", "google_auth_oauthlib", "httplib2", "alembic",
                    "icalendar", "keyring")
                   or m in ("mentordesk.ui.pdf_export", "mentordesk.services.reports",
                            "PySide6.QtPrintSupport"))
    print(json.dumps(heavy))
    db.close()
""")


def test_first_paint_imports_nothing_heavy(tmp_path: Path) -> None:
    path = tmp_path / "ready.sqlite3"
    from mentordesk.services.demo import generate_demo

    db = open_database(path)
    generate_demo(db, mentees=10)
    db.close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(path), str(tmp_path / "s.ini")],
                            capture_output=True, text=True, env=env, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    heavy = json.loads(result.stdout.strip().splitlines()[-1])
    assert heavy == []


def test_migration_due_imports_alembic(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    code = ("import sys; from pathlib import Path; from mentordesk.storage.database import "
            "open_database; open_database(Path(sys.argv[1])).close(); "
            "print('alembic' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "True"
