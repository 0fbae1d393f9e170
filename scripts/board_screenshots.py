"""Render the Goal board README screenshots offscreen from a fresh demo database:
the board, the goal editor, and a goal's story.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/board_screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def settle(seconds: float) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.02)


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="mentordesk-board-shots-"))
    os.environ["MENTORDESK_DATA_DIR"] = str(tmp / "data")
    os.environ["MENTORDESK_LOG_DIR"] = str(tmp / "log")
    from PySide6.QtCore import QSettings
    from sqlalchemy import func, select

    from mentordesk.services.demo import generate_demo
    from mentordesk.storage.database import open_database
    from mentordesk.storage.schema import SessionGoal
    from mentordesk.ui.app import build_context, create_application
    from mentordesk.ui.board.view import BoardView
    from mentordesk.ui.main_window import MainWindow

    create_application()
    db = open_database(tmp / "demo.sqlite3")
    generate_demo(db, mentees=24)
    window = MainWindow(build_context(db, QSettings(str(tmp / "s.ini"),
                                                    QSettings.Format.IniFormat)))
    window.resize(1280, 800)
    window.show()
    window.show_view("board")
    board = window.current_view()
    assert isinstance(board, BoardView)
    settle(1.0)
    window.grab().save(str(out / "board.png"))
    print(out / "board.png")

    # The goal with the richest story, opened in the editor.
    with db.reader() as s:
        goal_id = s.execute(
            select(SessionGoal.goal_id).group_by(SessionGoal.goal_id)
            .order_by(func.count().desc()).limit(1)).scalar_one()
    board.reveal(goal_id)
    editor = board.edit_goal(goal_id)
    assert editor is not None
    settle(0.5)
    editor.grab().save(str(out / "goal-editor.png"))
    print(out / "goal-editor.png")
    editor.tabs.setCurrentIndex(editor.tabs.count() - 1)
    settle(0.3)
    editor.grab().save(str(out / "goal-story.png"))
    print(out / "goal-story.png")
    editor.reject()
    window.close()
    db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
