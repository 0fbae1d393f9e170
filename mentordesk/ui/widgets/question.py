"""A question with two answers in words, the safe one the default."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_act_or_keep(parent: QWidget | None, title: str, text: str, detail: str,
                    act: str, keep: str) -> bool:
    """True when the mentor chose ``act``. ``keep`` (leave things as they are) is the
    default and what Escape answers, so a stray Enter or Escape changes nothing. Button
    texts carry their mnemonic (``&``); their accessible names are the words without it."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setAccessibleName(title)
    box.setText(text)
    box.setInformativeText(detail)
    act_button = box.addButton(act, QMessageBox.ButtonRole.AcceptRole)
    keep_button = box.addButton(keep, QMessageBox.ButtonRole.RejectRole)
    act_button.setAccessibleName(act.replace("&", ""))
    keep_button.setAccessibleName(keep.replace("&", ""))
    box.setDefaultButton(keep_button)
    box.setEscapeButton(keep_button)
    box.exec()
    return box.clickedButton() is act_button
