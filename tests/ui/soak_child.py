"""The soak run (tests/ui/test_main_window_soak.py) in its own interpreter, so a native abort
fails the test instead of killing pytest.

    python -m tests.ui.soak_child DB SETTINGS_INI UPDATES SAVES

Builds the real main window on a demo database and opens a session in the Notes view, next
to the mentee table model and a board column model, each behind its real proxy and a
shown view. Then makes UPDATES model updates (``MenteeTableModel.upsert`` and
``ColumnModel.replace_card``, each one ``dataChanged`` through the proxy into the view, with
the event loop running in between) and SAVES autosaves through the Notes view's own
``EditorAutosave``/``SaveWorker`` (every one a separate commit). A tenth of both is a warm-up;
RSS is measured after it and at the end. Prints ``ok <rss warm> <rss end> <objects warm>
<objects end> <saves>``.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PUMP_EVERY = 500


def main() -> int:
    db_path, ini = Path(sys.argv[1]), sys.argv[2]
    updates, saves = int(sys.argv[3]), int(sys.argv[4])
    import psutil  # type: ignore[import-untyped]
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QListView, QTableView

    from mentordesk.services.goals import GoalService
    from mentordesk.services.mentees import MenteeService
    from mentordesk.services.sessions import SessionDraft, SessionRef, SessionService
    from mentordesk.storage.database import open_database
    from mentordesk.ui.app import build_context, create_application
    from mentordesk.ui.board.models import CardFilterProxy, ColumnModel
    from mentordesk.ui.main_window import MainWindow
    from mentordesk.ui.mentees.model import MenteeFilterProxy, MenteeTableModel
    from mentordesk.ui.notes.view import NotesView

    create_application()
    db = open_database(db_path)
    rows = MenteeService(db).list_rows()
    board = GoalService(db).load_board()
    column = next(c for c in board.columns if board.cards_in(c.id))
    cards = board.cards_in(column.id)
    session = SessionService(db).schedule(SessionDraft(
        rows[0].id, datetime.now(UTC) + timedelta(days=1), title="Soak"))

    window = MainWindow(build_context(db, QSettings(ini, QSettings.Format.IniFormat)))
    window.show()
    window.show_view("notes")
    view = window.current_view()
    assert isinstance(view, NotesView)
    view.open_ref(SessionRef(session.ref.session_id))
    saved: list[int] = []
    view.saver.saved.connect(lambda _key, generation, _s: saved.append(generation))
    failed: list[str] = []
    view.saver.failed.connect(lambda _key, _generation, message: failed.append(message))

    mentee_model = MenteeTableModel()
    mentee_proxy = MenteeFilterProxy()
    mentee_proxy.setSourceModel(mentee_model)
    table = QTableView()
    table.setModel(mentee_proxy)
    mentee_model.set_rows(rows)
    mentee_model.fetch_all()
    table.resize(900, 600)
    table.show()
    column_model = ColumnModel(column, lambda *_args: None)
    column_model.reset(cards)
    card_proxy = CardFilterProxy()
    card_proxy.setSourceModel(column_model)
    cards_view = QListView()
    cards_view.setModel(card_proxy)
    cards_view.resize(300, 600)
    cards_view.show()
    QApplication.processEvents()

    base = datetime(2026, 1, 1, tzinfo=UTC)
    paragraph = "Talked about the portfolio, the *talk* next month and [links](https://x.org). "

    def update(i: int) -> None:
        if i % 2:
            row = rows[i % len(rows)]
            mentee_model.upsert(row._replace(last_held=base + timedelta(minutes=i)))
        else:
            card = cards[i % len(cards)]
            column_model.replace_card(replace(card, title=f"{card.title} {i % 97}"))
        if i % PUMP_EVERY == 0:
            QApplication.processEvents()

    def autosave(j: int) -> None:
        # A fresh text every time (a few hundred bytes to ~2 KB), as typing would give.
        view.editor.setPlainText(paragraph * (1 + j % 25) + f"#{j}")
        view.note_autosave.save_now()
        assert view.saver.flush(), f"autosave {j} did not commit: {view.saver.last_error}"
        if j % 50 == 0:
            QApplication.processEvents()

    def run(first_update: int, last_update: int, first_save: int, last_save: int) -> None:
        n_updates = last_update - first_update
        n_saves = last_save - first_save
        per_save = max(1, n_updates // max(1, n_saves))
        u, s = first_update, first_save
        while u < last_update or s < last_save:
            for i in range(u, min(u + per_save, last_update)):
                update(i)
            u = min(u + per_save, last_update)
            if s < last_save:
                autosave(s)
                s += 1

    process = psutil.Process()
    warm_updates, warm_saves = updates // 10, saves // 10
    run(0, warm_updates, 0, warm_saves)
    QApplication.processEvents()
    gc.collect()
    rss_warm = process.memory_info().rss
    objects_warm = len(gc.get_objects())
    run(warm_updates, updates, warm_saves, saves)
    # The writer thread signals each commit just after flush() returned: let the last arrive.
    deadline = time.monotonic() + 10
    while len(saved) < saves and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)
    gc.collect()
    rss_end = process.memory_info().rss
    objects_end = len(gc.get_objects())
    assert not failed, failed[:3]
    assert view.notes.find_note(session.ref.session_id) is not None
    body = view.notes.find_note(session.ref.session_id)
    assert body is not None and body.body.endswith(f"#{saves - 1}")
    window.close()
    print("ok", rss_warm, rss_end, objects_warm, objects_end, len(saved), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
