"""Buttons of one screen look alike: every push button with a label carries one of our line
icons, so a dialog never shows an iconed Close beside bare Open and Copy buttons."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from tests.usability.catalogue import walk_catalogue
from tests.usability.test_board_and_look import our_icons, which_icon


def test_every_labelled_button_of_every_screen_has_an_icon(qtbot: QtBot,
                                                           tmp_path: Path) -> None:
    ours = our_icons()
    bare: dict[str, list[str]] = {}
    for name, widget in walk_catalogue(qtbot, tmp_path):
        missing = [button.text() for button in widget.findChildren(QPushButton)
                   if button.isVisible() and button.text()
                   and not which_icon(button.icon(), ours)]
        if missing:
            bare[name] = missing
    assert bare == {}
