"""A fork server for the crash loop: imports the whole app once, then forks one real app
process per run on request, so a hundred kills do not pay a hundred interpreter starts.

    python -m tests.ui.crash_loop_child DB SESSION_ID GOAL_ID COLUMN_IDS

COLUMN_IDS is comma-separated. Protocol on stdin/stdout, one line each:

* the server prints ``Z ready`` once everything is imported;
* ``RUN <n>`` on stdin: it forks; the child starts the app exactly as ``mentordesk`` does
  (``Launcher``: open, main window, quick_check and daily backup after the first paint),
  opens the session in the Notes view, types with real key events (``T <chars> <time>``),
  and every ``OTHER_MS`` alternately adds an action item (``A <k> <time>``, printed only
  after the commit returned) or moves the goal to another column (``G <k> <column>
  <time>``); the server prints ``P <n> <pid>`` at once and ``D <n> <wait status>`` when the
  child is gone (the test kills it with SIGKILL).

Forking is safe here because nothing has started a thread or created a QApplication yet;
the server checks that before every fork.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from pathlib import Path
from types import TracebackType

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

OTHER_MS = 150


def goal_column(run: int, move: int, columns: list[int]) -> int:
    """Where move number ``move`` of run ``run`` takes the goal (the test predicts it)."""
    return columns[(run + move) % len(columns)]


def item_text(run: int, k: int) -> str:
    return f"crash r{run} a{k}"


def child(run: int, db_path: Path, session_id: int, goal_id: int, columns: list[int]) -> int:
    from PySide6.QtCore import QTimer

    from mentordesk.services import goals
    from mentordesk.services.notes import NoteService
    from mentordesk.services.sessions import SessionRef
    from mentordesk.ui.app import Launcher, create_application
    from mentordesk.ui.notes.view import NotesView
    from tests.ui.notes.kill9_child import run_text, start_typist

    app = create_application()
    out = sys.stdout

    def report_bug(kind: type[BaseException], exc: BaseException,
                   tb: TracebackType | None) -> None:
        # A bug in the child must fail the test, not hide behind a dialog.
        traceback.print_exception(kind, exc, tb)
        out.write(f"E {kind.__name__}\n")
        out.flush()

    sys.excepthook = report_bug
    launcher = Launcher(db_path)
    if not launcher.start():
        return 3
    window = launcher.window
    assert window is not None
    window.show_view("notes")
    view = window.current_view()
    assert isinstance(view, NotesView)
    view.open_ref(SessionRef(session_id))
    _typist = start_typist(view.editor, run_text(run), out)
    db = window.context.db
    notes = NoteService(db)
    state = {"k": 0}

    def other_write() -> None:
        k = state["k"] = state["k"] + 1
        if k % 2:
            notes.add_action_item(session_id, item_text(run, k))
            out.write(f"A {k} {time.monotonic():.6f}\n")
        else:
            column = goal_column(run, k // 2, columns)
            goals.move_goal(db, goal_id, column, None)
            out.write(f"G {k} {column} {time.monotonic():.6f}\n")
        out.flush()

    other = QTimer()
    other.setInterval(OTHER_MS)
    other.timeout.connect(other_write)
    other.start()
    return app.exec()


def serve(db_path: Path, session_id: int, goal_id: int, columns: list[int]) -> int:
    # Everything the child needs, imported (and the ORM configured) before any fork.
    import PySide6.QtSvg
    import PySide6.QtTest
    import PySide6.QtWidgets  # noqa: F401
    from sqlalchemy.orm import configure_mappers

    import mentordesk.services.goals
    import mentordesk.services.notes
    import mentordesk.ui.app
    import mentordesk.ui.board.view
    import mentordesk.ui.database_problem
    import mentordesk.ui.mentees.view
    import mentordesk.ui.notes.view
    import mentordesk.ui.startup.probe
    import mentordesk.ui.sync
    import mentordesk.ui.sync.controller
    import mentordesk.ui.sync.widgets  # noqa: F401
    import tests.ui.notes.kill9_child  # noqa: F401

    configure_mappers()
    out = sys.stdout
    out.write("Z ready\n")
    out.flush()
    for line in sys.stdin:
        word, _, arg = line.strip().partition(" ")
        if word != "RUN":
            continue
        run = int(arg)
        if threading.active_count() != 1:
            out.write("Z error threads before fork\n")
            out.flush()
            return 2
        out.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 70
            try:
                sys.stdin.close()
                code = child(run, db_path, session_id, goal_id, columns)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        out.write(f"P {run} {pid}\n")
        out.flush()
        _, status = os.waitpid(pid, 0)
        out.write(f"D {run} {status}\n")
        out.flush()
    return 0


def main() -> int:
    db_path, session_id, goal_id = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    columns = [int(c) for c in sys.argv[4].split(",")]
    return serve(db_path, session_id, goal_id, columns)


if __name__ == "__main__":
    raise SystemExit(main())
