"""Render the Goal board README screenshots offscreen from a fresh demo database:
the board, the goal editor, and a goal's story.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/board_screenshots.py [OUT_DIR]
"""

from __future__ import annotations

from shot_kit import pump, start


def main() -> int:
    shoot = start("board")
    from sqlalchemy import func, select

    from mentordesk.storage.schema import SessionGoal
    from mentordesk.ui.board.view import BoardView

    db = shoot.db
    window = shoot.window()
    window.show_view("board")
    board = window.current_view()
    assert isinstance(board, BoardView)
    pump(1.0)
    shoot.save(window, "board.png")

    # The goal with the richest story, opened in the editor.
    with db.reader() as s:
        goal_id = s.execute(
            select(SessionGoal.goal_id).group_by(SessionGoal.goal_id)
            .order_by(func.count().desc()).limit(1)).scalar_one()
    board.reveal(goal_id)
    editor = board.edit_goal(goal_id)
    assert editor is not None
    pump(0.5)
    shoot.save(editor, "goal-editor.png")
    editor.tabs.setCurrentIndex(editor.tabs.count() - 1)
    pump(0.3)
    shoot.save(editor, "goal-story.png")
    editor.reject()
    window.close()
    db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
