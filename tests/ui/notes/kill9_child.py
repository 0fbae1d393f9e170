"""The typist for the kill -9 test: the real main window on offscreen Qt, typing into the
notes editor with real key events, reporting how much it typed (and when) on stdout.

    python -m tests.ui.notes.kill9_child DB SESSION_ID RUN SETTINGS_INI

``start_typist`` is shared with the crash loop (tests/ui/crash_loop_child.py).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

if TYPE_CHECKING:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QPlainTextEdit

KEY_INTERVAL_MS = 15


def run_text(run: int) -> str:
    """What run ``run`` types: unique, so every prefix can be told apart."""
    return "".join(f"r{run}w{i:04d} " for i in range(3000))


def start_typist(editor: QPlainTextEdit, text: str, out: TextIO, *,
                 interval_ms: int = KEY_INTERVAL_MS) -> QTimer:
    """Type ``text`` at the end of ``editor`` with real key events, one character per tick;
    after each one write ``T <characters typed> <monotonic time>`` to ``out``."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest

    editor.setFocus()
    cursor = editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    state = {"i": 0}

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

    timer = QTimer(editor)
    timer.setInterval(interval_ms)
    timer.timeout.connect(type_one)
    timer.start()
    return timer


def main() -> int:
    db_path, session_id, run, ini = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), \
        sys.argv[4]
    from PySide6.QtCore import QSettings

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
    out = sys.stdout
    _timer = start_typist(view.editor, run_text(run), out)
    out.write("READY\n")
    out.flush()
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
