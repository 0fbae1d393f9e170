"""During the call: the running timer, and call mode (a small always-on-top window that
borrows the note editor while the meeting app has the screen)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QRect, QSettings, QTimer, Signal
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from mentordesk.services.sessions import SessionRecord
from mentordesk.ui.notes.call_window import CallWindow

# Where the mentor last left the call window (its frame, in screen coordinates).
GEOMETRY_KEY = "callWindow/geometry"
# A window manager frames a new window a moment after it is shown: place it again then.
REPLACE_AFTER_MS = 150


def format_timer(seconds: int) -> str:
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class CallMode(QObject):
    # The call window closed: the editor is back in the view.
    left = Signal()

    def __init__(self, view: QWidget, timer_label: QLabel, editor: QPlainTextEdit,
                 give_back_editor: Callable[[], None],
                 current: Callable[[], SessionRecord | None],
                 settings: QSettings | None = None) -> None:
        super().__init__(view)
        self.settings = settings
        self.view = view
        self.timer_label = timer_label
        self.editor = editor
        self._give_back_editor = give_back_editor
        self._current = current
        self.window: CallWindow | None = None
        self.tick = QTimer(self)
        self.tick.setInterval(1000)
        self.tick.timeout.connect(self.update_timer)

    def follow(self, rec: SessionRecord | None) -> None:
        """Tick while ``rec``'s call runs."""
        if rec is not None and rec.started_at is not None and rec.ended_at is None:
            self.tick.start()
        else:
            self.tick.stop()
        self.update_timer()

    def update_timer(self) -> None:
        rec = self._current()
        text = ""
        if rec is not None and rec.started_at is not None:
            end = rec.ended_at or datetime.now(UTC)
            prefix = "Lasted" if rec.ended_at is not None else "● On call"
            text = f"{prefix} {format_timer(int((end - rec.started_at).total_seconds()))}"
        self.timer_label.setText(text)
        if self.window is not None:
            self.window.timer.setText(text or "00:00")

    def enter(self, title: str, sheet: str, add_action: Callable[[str], object],
              end: Callable[[], object]) -> None:
        if self.window is not None:
            return
        window = CallWindow(title, sheet)
        window.add_action.connect(lambda text: add_action(text))
        window.end_requested.connect(end)
        window.closed.connect(self._closed)
        self.window = window
        window.hold(self.editor)
        self.update_timer()
        main = self.view.window()
        self._place(window, main)
        window.show()
        self._place(window, main)
        QTimer.singleShot(REPLACE_AFTER_MS, window, lambda: self._place(window, main))
        if main is not window:
            main.showMinimized()
        window.raise_()
        window.activateWindow()

    def _place(self, window: CallWindow, main: QWidget) -> None:
        """Inside the free area of the screen the main window is on (it opened partly
        below the screen where the window manager put it)."""
        screen = main.screen()
        if screen is None or window is not self.window:
            return
        window.place(screen.availableGeometry(), self._remembered())

    def _remembered(self) -> QRect | None:
        value = self.settings.value(GEOMETRY_KEY) if self.settings is not None else None
        return value if isinstance(value, QRect) and value.isValid() else None

    def leave(self) -> None:
        if self.window is not None:
            self.window.close()

    def _closed(self) -> None:
        window = self.window
        if window is None:
            return
        self.window = None
        if self.settings is not None:
            self.settings.setValue(GEOMETRY_KEY, window.frameGeometry())
        self._give_back_editor()
        main = self.view.window()
        if main.isMinimized():
            main.showNormal()
        main.raise_()
        main.activateWindow()
        self.editor.setFocus()
        window.deleteLater()
        self.left.emit()
