"""Dialogs that hold a form the user types into.

Two traps are closed here once for every form:

- Enter in a field never accepts the dialog. Qt's ``QDialog`` presses the default button on
  Enter when the focused widget does not use the key itself, so Enter that was meant for one
  field (adding a milestone, picking a time zone) saved and closed the whole form and the
  next keystrokes landed in the window behind it. Enter on a focused button still presses
  it, and Ctrl+Enter saves from anywhere.
- Escape, Cancel or the window's close button ask "Discard changes?" when something was
  typed, instead of throwing the form away.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QWidget,
)

from mentordesk.ui.resources import icon

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def discard_question(parent: QWidget, what: str = "changes") -> QMessageBox:
    """The "Discard changes?" question over ``parent`` (not shown yet). Keep editing is the
    default and the Escape answer."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Discard changes?")
    box.setText(f"Discard your {what}?")
    box.setInformativeText("What you typed in this form has not been saved.")
    discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("&Keep editing", QMessageBox.ButtonRole.RejectRole)
    discard.setObjectName("discard")
    # Buttons of our own get our icons, like the dialog's standard buttons (ui/style.py).
    discard.setIcon(icon("delete"))
    keep.setIcon(icon("edit"))
    discard.setAccessibleName("Discard changes")
    keep.setAccessibleName("Keep editing")
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.setAccessibleName("Discard changes?")
    return box


class FormDialog(QDialog):
    """A ``QDialog`` for forms: see the module docstring. Subclasses say what counts as a
    change (``has_changes``) and may name the work that would be lost (``discard_what``)."""

    discard_what = "changes"
    _question: QMessageBox | None = None

    def has_changes(self) -> bool:
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in ENTER_KEYS:
            focus = self.focusWidget()
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self._press_accept_button()
                event.accept()
                return
            if not isinstance(focus, QAbstractButton):
                event.accept()  # a field's Enter stays in the field
                return
        super().keyPressEvent(event)

    def _press_accept_button(self) -> None:
        for box in self.findChildren(QDialogButtonBox):
            for button in box.buttons():
                role = box.buttonRole(button)
                if role in (QDialogButtonBox.ButtonRole.AcceptRole,
                            QDialogButtonBox.ButtonRole.YesRole) \
                        and button.isEnabled() and button.isVisible():
                    button.click()
                    return

    def reject(self) -> None:
        """Close unless something typed would be lost; then ask first (window-modal, without
        a nested event loop: a program closing the window is never held up by it)."""
        if not self.isVisible() or not self.has_changes():
            super().reject()
            return
        if self._question is not None:
            self._question.raise_()
            return
        box = discard_question(self, self.discard_what)
        self._question = box

        def answered(_result: int) -> None:
            self._question = None
            box.deleteLater()
            clicked = box.clickedButton()
            if clicked is not None and clicked.objectName() == "discard":
                QDialog.reject(self)

        box.finished.connect(answered)
        box.open()


__all__ = ["FormDialog", "discard_question"]
