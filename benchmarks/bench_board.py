"""Goal board speed at benchmark scale (2,000 goals; 10,000 mentees, 100,000 sessions).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_board.py [--quick] [--db PATH]

Prints median / p95 / max per operation. A drag should finish (database write, model
update and repaint) well inside a 16 ms frame so the card never visibly lags.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def measure(fn: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def row(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (f"{name:<52} {len(times):>4} {statistics.median(times):>9.2f} {p95:>9.2f} "
            f"{max(times):>9.2f}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="1,000 mentees, 10,000 sessions")
    parser.add_argument("--db", type=Path, help="reuse a demo database made earlier")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-board-"))
    os.environ["MENTORDESK_DATA_DIR"] = str(tmp / "data")
    os.environ["MENTORDESK_LOG_DIR"] = str(tmp / "log")

    from PySide6.QtCore import QModelIndex, QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from mentordesk.services import goals
    from mentordesk.services.demo import generate_demo
    from mentordesk.storage.database import open_database
    from mentordesk.ui import errors
    from mentordesk.ui.app import build_context, create_application
    from mentordesk.ui.board.view import BoardView

    errors.dialogs_enabled = False
    app = create_application()
    path = args.db or tmp / "bench.sqlite3"
    db = open_database(path)
    if args.db is None:
        start = time.perf_counter()
        mentees, sessions = (1000, 10_000) if args.quick else (10_000, 100_000)
        generate_demo(db, mentees=mentees, sessions=sessions, goals=2000)
        print(f"demo data: {mentees} mentees, {sessions} sessions, 2000 goals in "
              f"{time.perf_counter() - start:.1f} s")
    results: list[str] = []

    results.append(row("load_board (service, 2,000 goals)",
                       measure(lambda: goals.load_board(db), 20)))
    results.append(row("filter_choices (mentees with goals, tags)",
                       measure(lambda: goals.filter_choices(db), 20)))

    view = BoardView(build_context(db, QSettings(str(tmp / "s.ini"),
                                                 QSettings.Format.IniFormat)))
    view.resize(1280, 800)
    view.show()
    deadline = time.time() + 30
    while view._loading and time.time() < deadline:
        app.processEvents()
        time.sleep(0.005)
    board = goals.load_board(db)
    print(f"board: {view.board.total()} cards in {len(view.column_widgets)} columns")

    def reload_models() -> None:
        view.board.load(board.columns, board.cards)
        app.processEvents()

    results.append(row("models reset with 2,000 cards (GUI thread)",
                       measure(reload_models, 10)))

    def paint() -> None:
        view.repaint()

    results.append(row("repaint the whole board", measure(paint, 20)))

    widgets = view.column_widgets
    first, second = widgets[0], widgets[1]

    def drop_across() -> None:
        source, target = (first, second) if first.proxy.rowCount() >= second.proxy.rowCount() \
            else (second, first)
        mime = source.proxy.mimeData([source.proxy.index(0, 0)])
        target.proxy.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
        view.repaint()

    results.append(row("drop a card on another column (DB+models+repaint)",
                       measure(drop_across, 60)))

    def drop_within() -> None:
        rows = first.proxy.rowCount()
        mime = first.proxy.mimeData([first.proxy.index(rows - 1, 0)])
        first.proxy.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
        view.repaint()

    results.append(row("drop a card at the top of its own column",
                       measure(drop_within, 60)))

    def reload_board() -> None:
        """Back to what the database says (the service-only moves bypassed the models)."""
        view.refresh()
        while getattr(view, "_loading", False):
            app.processEvents()
            time.sleep(0.005)

    # The two halves of a drop, apart: the database write, and the models + repaint.
    ping = {"flip": False}

    def service_move() -> None:
        card = first.proxy.card(0)
        target = second if not ping["flip"] else first
        source_card = card if not ping["flip"] else second.proxy.card(0)
        goals.move_goal(db, source_card.id, target.column.id, None)
        ping["flip"] = not ping["flip"]

    results.append(row("  of which: move_goal service (one transaction)",
                       measure(service_move, 60)))
    reload_board()

    def models_only() -> None:
        card = first.model.card(0)
        view.board.place(replace(card, column_id=second.column.id), None)
        view.board.place(replace(card, column_id=first.column.id),
                         first.model.card(0).id if first.model.rowCount() else None)
        view.repaint()

    results.append(row("  of which: models + repaint, there and back (no DB)",
                       measure(models_only, 30)))
    reload_board()

    view.reveal(first.proxy.card(0).id)
    state = {"step": 1}

    def keyboard_move() -> None:
        if not view.move_current(state["step"], 0):
            state["step"] = -state["step"]
            view.move_current(state["step"], 0)
        view.repaint()

    results.append(row("keyboard move left/right (Ctrl+Shift+arrow)",
                       measure(keyboard_move, 60)))

    stack = view.context.undo_stack

    def undo_redo() -> None:
        stack.undo()
        stack.redo()
        view.repaint()

    results.append(row("undo + redo of a move", measure(undo_redo, 30)))

    choices = goals.filter_choices(db)
    mentee_id = choices.mentees[len(choices.mentees) // 2][0]
    tag_id = choices.tags[0].id if choices.tags else 0

    def filter_cycle(kind: str, ident: int) -> Callable[[], None]:
        def run() -> None:
            view.show_filter(kind, ident)
            view.repaint()
        return run

    results.append(row("filter to one mentee", measure(filter_cycle("mentee", mentee_id), 20)))
    results.append(row("filter to a tag", measure(filter_cycle("tag", tag_id), 20)))
    results.append(row("show all again", measure(filter_cycle("all", 0), 20)))
    words = iter(["r", "re", "rea", "read", "read ", "read b", "read bo"] * 10)

    def type_filter() -> None:
        view.search_edit.setText(next(words))
        view.repaint()

    results.append(row("type-to-filter, one keystroke", measure(type_filter, 40)))
    goal_id = first.proxy.card(0).id
    results.append(row("goal story (editor timeline query)",
                       measure(lambda: goals.goal_story(db, goal_id), 20)))

    print(f"\n{'operation':<52} {'n':>4} {'median':>9} {'p95':>9} {'max':>9}   (ms)")
    for line in results:
        print(line)
    view.close()
    db.close()
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
