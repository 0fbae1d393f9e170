"""The real Notes view of a window on a file, and typing into its editor at a steady pace,
as the autosave and big-note benchmarks do: how long each keystroke takes, how long until
it is durable (the autosave's commit returned), and how long the GUI thread stalls
meanwhile."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

HEARTBEAT_MS = 2


@dataclass(frozen=True)
class Typing:
    key_ms: list[float]  # each keystroke on the GUI thread (the key event and what it sets off)
    latencies: list[float]  # each keystroke, from its press to the commit that holds it
    gaps: list[float]  # between heartbeats (HEARTBEAT_MS apart when nothing stalls)
    commits: int

    @property
    def stalls(self) -> list[float]:
        """How long the GUI thread was held beyond the heartbeat (the first few beats are
        the timers starting up)."""
        return [g - HEARTBEAT_MS for g in self.gaps[5:]]


def open_notes_view(db: Any, settings_dir: Path, *,
                    wait_seconds: float = 30) -> tuple[Any, Any, Any]:
    """(app, window, its Notes view): a shown window on ``db`` (keep the window referenced:
    the view goes with it), its session list loaded (series
    expansion runs in the background: the benchmarks are about typing, not opening)."""
    from PySide6.QtCore import QSettings

    from mentordesk.ui.app import build_context, create_application
    from mentordesk.ui.main_window import MainWindow
    from mentordesk.ui.notes.view import NotesView

    app = create_application()
    window = MainWindow(build_context(db, QSettings(str(settings_dir / "s.ini"),
                                                    QSettings.Format.IniFormat)))
    window.show()
    window.show_view("notes")
    view = window.current_view()
    assert isinstance(view, NotesView)
    deadline = time.perf_counter() + wait_seconds
    while view.session_model.total() == 0 and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.01)
    return app, window, view


def type_into(app: Any, editor: Any, text: str, *, seconds: float, key_interval_ms: int,
              settle_seconds: float) -> Typing:
    """Type ``text`` (over again if it runs out) into ``editor`` for ``seconds``, one key
    every ``key_interval_ms``, then let the autosave settle for ``settle_seconds``."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest

    from mentordesk.services.notes import NoteService

    # When each length of text became durable (the commit returned, in the writer).
    durable: list[tuple[float, int]] = []
    real_save = NoteService.save_note_body

    def recording_save(self: NoteService, note_id: int, body: str, *,
                       expected: str | None = None) -> datetime:
        result = real_save(self, note_id, body, expected=expected)
        durable.append((time.perf_counter(), len(body)))
        return result

    keys: list[tuple[float, int]] = []  # when each key was pressed, the text's length after
    key_ms: list[float] = []
    gaps: list[float] = []
    last_beat = [time.perf_counter()]
    typed = [0]

    def beat() -> None:
        now = time.perf_counter()
        gaps.append((now - last_beat[0]) * 1000)
        last_beat[0] = now

    def type_one() -> None:
        char = text[typed[0] % len(text)]
        began = time.perf_counter()
        if char == " ":
            QTest.keyClick(editor, Qt.Key.Key_Space)
        else:
            QTest.keyClicks(editor, char)
        key_ms.append((time.perf_counter() - began) * 1000)
        typed[0] += 1
        # The document's own count (less its closing paragraph mark) is the plain text's
        # length without copying a megabyte-long note out on every key.
        keys.append((began, editor.document().characterCount() - 1))

    NoteService.save_note_body = recording_save  # type: ignore[method-assign]
    try:
        heartbeat = QTimer()
        heartbeat.setInterval(HEARTBEAT_MS)
        heartbeat.timeout.connect(beat)
        typist = QTimer()
        typist.setInterval(key_interval_ms)
        typist.timeout.connect(type_one)
        heartbeat.start()
        typist.start()
        _spin(app, seconds, 0.0005)
        typist.stop()
        _spin(app, settle_seconds, 0.001)
        heartbeat.stop()
    finally:
        NoteService.save_note_body = real_save  # type: ignore[method-assign]
    latencies = []
    for at, length in keys:
        done = next((t for t, n in durable if n >= length and t >= at), None)
        if done is not None:
            latencies.append((done - at) * 1000)
    return Typing(key_ms, latencies, gaps, len(durable))


def _spin(app: Any, seconds: float, nap: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(nap)
