"""The typist for the kill -9 test: the real main window on offscreen Qt, typing into the
notes editor with real key events, reporting how much it typed (and when) on stdout.

    python -m tests.notes.kill9_child DB SESSION_ID RUN SETTINGS_INI
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

KEY_INTERVAL_MS = 15


def run_text(run: int) -> str:
    """What run ``run`` types: unique, so every prefix can be told apart."""
    return "".join(f"r{run}w{i:04d} " for i in range(3000))


def main() -> int:
    db_path, session_id, run, ini = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), \
        sys.argv[4]
    from PySide6.QtCore import QSettings, Qt, QTimer
    from PySide6.QtTest import QTest

    from mentordesk.services.sessions import SessionRef
    from mentordesk.storage.database import open_database
    from mentordesk.ui.app import build_context, create_application
    from mentordesk.ui.main_window import MainWindow
    from mentordesk.ui.notes.view import NotesView

    app = create_application()
    db = open_database(db_path)
    window = MainWindow(build_context(db, QSettings(ini, QSettings.Format.IniFormat)))
    window.show()
    window.show_view("notes")
    view = window.current_view()
    assert isinstance(view, NotesView)
    view.open_ref(SessionRef(session_id))
    editor = view.editor
    editor.setFocus()
    cursor = editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    text = run_text(run)
    state = {"i": 0}
    out = sys.stdout

    def type_one() -> None:
        i = state["i"]
        if i >= len(text):
            return
        char = text[i]
        if char == " ":
            QTest.keyClick(editor, Qt.Key.Key_Space)
        else:
            QTest.keyClicks(editor, char)
        state["i"] = i + 1
        out.write(f"T {i + 1} {time.monotonic():.6f}\n")
        out.flush()

    timer = QTimer()
    timer.setInterval(KEY_INTERVAL_MS)
    timer.timeout.connect(type_one)
    timer.start()
    out.write("READY\n")
    out.flush()
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
