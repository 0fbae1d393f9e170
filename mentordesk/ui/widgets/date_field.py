"""Date and time fields that take what is typed into them.

A plain ``QDateTimeEdit`` drops typing in three common ways:

- a click puts the cursor inside a section without selecting it, so the next digit makes
  "1|4" into "124", an invalid day, and the keystroke is refused (and so is the next);
- typing the separator, as people do ("2027-03-04"), after a section that filled up and
  moved on by itself moves on a second time: the month's digits land in the day;
- a day-name section ("Thu") cannot take digits at all.

``typeable`` closes the first two: a click selects the section it lands in, so typing
replaces it, and a separator typed at the very start of a section (just arrived there) is
dropped. Formats for typing stay numeric (no day names), which closes the third.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDateTimeEdit, QLineEdit

SEPARATORS = frozenset("-/.: ")


class _Typing(QObject):
    """The event filter behind ``typeable``; ``edited`` fires on any key or click in the
    field, even one that has not changed its value yet (a half-typed year)."""

    edited = Signal()

    def __init__(self, edit: QDateTimeEdit) -> None:
        super().__init__(edit)
        self._edit = edit
        line = edit.findChild(QLineEdit)
        assert line is not None, "a QDateTimeEdit always has its line edit"
        self._line = line
        edit.installEventFilter(self)
        line.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self._line and kind == QEvent.Type.MouseButtonRelease:
            self.edited.emit()
            # After Qt has placed the cursor; a drag that selected text is left alone.
            QTimer.singleShot(0, self._select_section)
        elif kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            self.edited.emit()
            if self._arrived_after(event.text()):
                return True
        return False

    def _select_section(self) -> None:
        if not self._line.hasSelectedText():
            self._edit.setSelectedSection(self._edit.currentSection())

    def _arrived_after(self, typed: str) -> bool:
        """Whether ``typed`` is the separator the cursor has just passed: the section it
        stands at the start of follows exactly that character."""
        if len(typed) != 1 or typed not in SEPARATORS:
            return False
        line = self._line
        start = line.selectionStart() if line.hasSelectedText() else line.cursorPosition()
        return start > 0 and line.text()[start - 1] == typed


def typeable(edit: QDateTimeEdit) -> _Typing:
    """Make ``edit`` take typed dates (see the module docstring); the returned helper's
    ``edited`` signal tells when the user typed or clicked in it."""
    return _Typing(edit)
