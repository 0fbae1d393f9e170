"""The coordinator's Program view at 10,000 mentees: one filter keystroke (the proxy's pass
over every row, and the table's relayout) and a header sort, on generated data.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_program.py [--mentees N]

Target (issue 17): a keystroke within one frame (16 ms).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def facts(n: int, mentors: int) -> object:
    from mentordesk.storage.team_server import ProgramFacts

    rng = random.Random(7)
    now = datetime.now(UTC)
    syllables = ["an", "be", "ca", "do", "el", "fi", "go", "ha", "is", "jo", "ka", "li",
                 "mo", "no", "or", "pa", "qu", "ri", "so", "tu"]
    mentees, last, upcoming, series, goals = [], {}, {}, [], {}
    for i in range(n):
        uid = f"{i:032x}"
        name = "".join(rng.choice(syllables) for _ in range(3)).title() + " " + \
            "".join(rng.choice(syllables) for _ in range(4)).title()
        mentees.append((uid, name, f"mentor_{rng.randrange(mentors)}", rng.choice([1, 2]),
                        "weeks", None, None, False, None, now - timedelta(days=300)))
        if rng.random() < 0.9:
            last[uid] = now - timedelta(days=rng.randint(0, 60))
        if rng.random() < 0.3:
            series.append((f"s{i}", uid, now - timedelta(days=rng.randint(1, 200)),
                           "Europe/Berlin", "FREQ=WEEKLY;INTERVAL=2"))
        elif rng.random() < 0.6:
            upcoming[uid] = now + timedelta(days=rng.randint(0, 30))
        total = rng.randint(0, 6)
        goals[uid] = (total, rng.randint(0, total))
    return ProgramFacts(mentees, last, upcoming, series, {}, goals)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentees", type=int, default=10_000)
    parser.add_argument("--mentors", type=int, default=200)
    args = parser.parse_args()
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QHeaderView, QTableView

    from mentordesk.team.program import program_rows
    from mentordesk.ui.team.program import COL_NAME, ProgramModel, ProgramProxy

    app = QApplication([])
    began = time.perf_counter()
    rows = program_rows(facts(args.mentees, args.mentors), datetime.now(UTC))  # type: ignore[arg-type]
    assess_ms = (time.perf_counter() - began) * 1000
    model = ProgramModel()
    model.set_rows(rows)
    proxy = ProgramProxy()
    proxy.setSourceModel(model)
    table = QTableView()
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # as the view
    table.setModel(proxy)
    table.resize(1200, 800)
    table.show()
    app.processEvents()
    typed = "mentor_1 ka"
    keystrokes: list[float] = []
    for _round in range(5):
        for end in range(1, len(typed) + 1):
            began = time.perf_counter()
            proxy.set_filter_text(typed[:end])
            app.processEvents()
            keystrokes.append((time.perf_counter() - began) * 1000)
        for end in range(len(typed) - 1, -1, -1):
            began = time.perf_counter()
            proxy.set_filter_text(typed[:end])
            app.processEvents()
            keystrokes.append((time.perf_counter() - began) * 1000)
    sorts: list[float] = []
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder) * 3:
        began = time.perf_counter()
        proxy.sort(COL_NAME, order)
        app.processEvents()
        sorts.append((time.perf_counter() - began) * 1000)
    keystrokes.sort()
    print(f"Program view, {args.mentees} mentees of {args.mentors} mentors\n")
    print("| measure | median | p95 | worst | target |")
    print("|---|---|---|---|---|")
    p95 = keystrokes[int(0.95 * (len(keystrokes) - 1))]
    print(f"| filter keystroke ms | {statistics.median(keystrokes):.1f} | {p95:.1f} | "
          f"{keystrokes[-1]:.1f} | ≤ 16 |")
    print(f"| header sort ms | {statistics.median(sorts):.1f} | | {max(sorts):.1f} | |")
    print(f"| health + next occurrences for all rows (worker) ms | {assess_ms:.0f} | | | |")


if __name__ == "__main__":
    main()
