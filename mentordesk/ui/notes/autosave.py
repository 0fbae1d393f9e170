"""Autosave that never loses a keystroke and never stutters.

Two parts:

* ``SaveWorker`` owns one background thread that writes texts to the database in the order
  they were handed over, latest text per key wins. A commit (WAL, synchronous=FULL) costs
  ~0.1–4 ms and a locked database can wait seconds, so the GUI thread never runs it; SQLite
  releases the GIL while it writes, so typing stays smooth. A failed write keeps the text and
  is retried until it succeeds or newer text replaces it. Until then ``pending_text()``
  and ``unsaved()`` give the newest text handed over for each key: a view that shows a key
  again shows that text, never the older one in the database.
* ``EditorAutosave`` watches one text editor: a short debounce after the last keystroke, a
  forced save during continuous typing, and an immediate save on focus loss. ``flush(wait=
  True)`` (session switch, view switch, quit) hands the text over and waits until it is
  committed.

The forced interval is below one second so that a crash (kill -9) loses at most the last
second of continuous typing, not the last two.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QPlainTextEdit

from mentordesk.errors import EditConflict, KnownError

log = logging.getLogger(__name__)

DEBOUNCE_MS = 400
FORCED_MS = 800
RETRY_SECONDS = 2.0
FLUSH_TIMEOUT_SECONDS = 6.0

Writer = Callable[[str], object]


@dataclass
class _Job:
    generation: int
    text: str
    writer: Writer


class SaveWorker(QObject):
    """One writer thread; saves are strictly ordered, newest text per key wins."""

    # key, generation, seconds the commit took
    saved = Signal(object, int, float)
    # key, generation, message for the user
    failed = Signal(object, int, str)
    # key, generation, message, text kept from the other writer: the save went through,
    # but someone else had changed the text meanwhile and both versions were kept.
    conflicted = Signal(object, int, str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cond = threading.Condition()
        self._pending: dict[Hashable, _Job] = {}
        self._busy = False
        self._current: tuple[Hashable, _Job] | None = None
        self._stop = False
        self._retry_at = 0.0
        self._generation = 0
        self.last_error: KnownError | None = None
        self._thread = threading.Thread(target=self._run, name="mentordesk-autosave",
                                        daemon=True)
        self._thread.start()

    def submit(self, key: Hashable, text: str, writer: Writer) -> int:
        with self._cond:
            self._generation += 1
            # Re-inserting moves the key to the end: keys are written in hand-over order.
            self._pending.pop(key, None)
            self._pending[key] = _Job(self._generation, text, writer)
            self._retry_at = 0.0
            self._cond.notify_all()
            return self._generation

    def pending(self) -> bool:
        with self._cond:
            return bool(self._pending) or self._busy

    def pending_text(self, key: Hashable) -> str | None:
        """The newest text handed over for ``key`` and not committed yet (None: all saved)."""
        with self._cond:
            job = self._pending.get(key)
            if job is None and self._current is not None and self._current[0] == key:
                job = self._current[1]
            return job.text if job is not None else None

    def unsaved(self) -> dict[Hashable, str]:
        """Every key's newest text that is not committed yet."""
        with self._cond:
            found = {key: job.text for key, job in self._pending.items()}
            if self._current is not None and self._current[0] not in found:
                found[self._current[0]] = self._current[1].text
            return found

    def flush(self, timeout: float = FLUSH_TIMEOUT_SECONDS) -> bool:
        """Wait until everything handed over is committed; False if it could not be.

        A write that is waiting to be retried is tried once more at once.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            self._retry_at = 0.0
            self._cond.notify_all()
            retried = self.last_error is not None
            while self._pending or self._busy:
                waiting_retry = (not self._busy and self.last_error is not None
                                 and self._retry_at > time.monotonic())
                if waiting_retry:
                    if retried:
                        return False
                    retried = True
                    self._retry_at = 0.0
                    self._cond.notify_all()
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
            return True

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._thread.join(timeout=FLUSH_TIMEOUT_SECONDS)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stop and (not self._pending
                                          or time.monotonic() < self._retry_at):
                    wait = None if not self._pending else self._retry_at - time.monotonic()
                    self._cond.wait(wait)
                if self._stop and not self._pending:
                    return
                key = next(iter(self._pending))
                job = self._pending.pop(key)
                self._busy = True
                self._current = (key, job)
            started = time.perf_counter()
            error: KnownError | None = None
            conflict: EditConflict | None = None
            try:
                job.writer(job.text)
            except EditConflict as exc:
                conflict = exc  # saved, with both versions kept
            except KnownError as exc:
                error = exc
            except Exception as exc:  # a bug: keep the text, log, and tell the user
                log.exception("autosave failed")
                error = KnownError(f"Saving failed ({type(exc).__name__}).",
                                   hint="Your text is kept in the editor; details are in the "
                                        "log.")
            elapsed = time.perf_counter() - started
            with self._cond:
                self._busy = False
                self._current = None
                if error is None:
                    self.last_error = None
                else:
                    self.last_error = error
                    # Keep the text unless newer text for the same key arrived meanwhile.
                    if key not in self._pending:
                        self._pending[key] = job
                    self._retry_at = time.monotonic() + RETRY_SECONDS
                    if self._stop:
                        self._pending.clear()
                self._cond.notify_all()
            if conflict is not None:
                self.conflicted.emit(key, job.generation, str(conflict), conflict.kept)
            if error is None:
                self.saved.emit(key, job.generation, elapsed)
            else:
                self.failed.emit(key, job.generation, str(error))


class EditorAutosave(QObject):
    """Saves one editor's text through a ``SaveWorker``."""

    submitted = Signal()

    def __init__(self, editor: QPlainTextEdit, worker: SaveWorker,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.worker = worker
        self.key: Hashable | None = None
        self._writer: Writer | None = None
        self._dirty = False
        # Called on the first edit of an unbound editor (e.g. materialise an occurrence).
        self.bind_on_edit: Callable[[], None] | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.save_now)
        self._forced = QTimer(self)
        self._forced.setSingleShot(True)
        self._forced.setInterval(FORCED_MS)
        self._forced.timeout.connect(self.save_now)
        editor.textChanged.connect(self._changed)
        editor.installEventFilter(self)

    @property
    def dirty(self) -> bool:
        return self._dirty

    def bind(self, key: Hashable | None, writer: Writer | None, text: str) -> None:
        """Show ``text`` and save future edits under ``key`` (None: nothing bound yet)."""
        self.editor.blockSignals(True)
        try:
            self.editor.setPlainText(text)
        finally:
            self.editor.blockSignals(False)
        self.key, self._writer = key, writer
        self._dirty = False
        self._debounce.stop()
        self._forced.stop()

    def rebind(self, key: Hashable, writer: Writer) -> None:
        """Attach a key to the text already in the editor (after a lazy create)."""
        self.key, self._writer = key, writer

    def _changed(self) -> None:
        if self.key is None and self.bind_on_edit is not None:
            self.bind_on_edit()
        if self.key is None:
            return
        self._dirty = True
        self._debounce.start()
        if not self._forced.isActive():
            self._forced.start()

    def save_now(self) -> None:
        """Hand the text to the writer thread (returns at once)."""
        self._debounce.stop()
        self._forced.stop()
        if not self._dirty or self.key is None or self._writer is None:
            return
        self._dirty = False
        self.worker.submit(self.key, self.editor.toPlainText(), self._writer)
        self.submitted.emit()

    def flush(self, *, wait: bool = True) -> None:
        """Save now; with ``wait``, return only once committed (raise if it cannot be)."""
        self.save_now()
        if wait and not self.worker.flush():
            error = self.worker.last_error
            raise error if error is not None else KnownError(
                "Saving is taking unusually long.", hint="Your text is kept in the editor.")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.editor and event.type() == QEvent.Type.FocusOut:
            self.save_now()
        return False
