"""MentorDesk's Qt style: the platform's own style with two corrections.

- One icon family. Where a style would draw its own pictures on buttons (the floppy disk and
  red cross of dialog buttons, a line edit's clear button, a tool bar's overflow arrow) it
  gets the flat line icons of ``resources/icons`` instead, in the palette's colours. The
  style sheet turns dialog-button icons on everywhere (``dialogbuttonbox-buttons-have-icons``)
  so a dialog looks the same on every desktop.
- Visible check boxes and radio buttons. Fusion derives their outline from the window
  colour (a little darker): about 1.9:1 against a light window and invisible against a dark
  one. Here the outline is a blend of the palette's text colour into its window colour with
  at least 3:1 contrast to the window (WCAG's minimum for the edge of a control), given to
  Fusion as those widgets' own window colour (``ui/control_edges.py``).

Only ``standardIcon`` is overridden in Python (asked when a button gets its icon): the
style's other questions (``styleHint`` above all, asked thousands of times a second) and all
drawing stay in C++; the outlines come from a class palette for check boxes and radio
buttons. The app installs this style after its first paint (``ui/app.py``): making QStyle
known to Python costs ~5 ms the window's first paint does not need.
"""

from __future__ import annotations

import os

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOption, QWidget

from mentordesk.ui.control_edges import (
    contrast,
    control_edge,
    indicator_palettes,
    luminance,
    plain_palettes,
)
from mentordesk.ui.resources import icon

SP = QStyle.StandardPixmap

# The style's own pictures and the icons that replace them.
STANDARD_ICONS: dict[QStyle.StandardPixmap, str] = {
    SP.SP_DialogOkButton: "check",
    SP.SP_DialogSaveButton: "check",
    SP.SP_DialogApplyButton: "check",
    SP.SP_DialogYesButton: "check",
    SP.SP_DialogCancelButton: "close",
    SP.SP_DialogCloseButton: "close",
    SP.SP_DialogNoButton: "close",
    SP.SP_DialogAbortButton: "close",
    SP.SP_DialogDiscardButton: "delete",
    SP.SP_DialogResetButton: "undo",
    SP.SP_RestoreDefaultsButton: "undo",
    SP.SP_DialogRetryButton: "sync",
    SP.SP_DialogIgnoreButton: "forward",
    SP.SP_DialogHelpButton: "info",
    SP.SP_DialogOpenButton: "import",
    SP.SP_LineEditClearButton: "close",
    SP.SP_ToolBarHorizontalExtensionButton: "more",
    SP.SP_ToolBarVerticalExtensionButton: "more",
    SP.SP_ArrowLeft: "back",
    SP.SP_ArrowBack: "back",
    SP.SP_ArrowRight: "forward",
    SP.SP_ArrowForward: "forward",
    SP.SP_ArrowUp: "arrow-up",
    SP.SP_ArrowDown: "arrow-down",
    SP.SP_FileDialogBack: "back",
    SP.SP_FileDialogToParent: "arrow-up",
    SP.SP_FileDialogNewFolder: "add",
}

class AppStyle(QProxyStyle):
    """The platform's style (``base``: a style name) with MentorDesk's icons."""

    def standardIcon(self, standard_icon: QStyle.StandardPixmap,
                     option: QStyleOption | None = None,
                     widget: QWidget | None = None) -> QIcon:
        name = STANDARD_ICONS.get(standard_icon)
        if name is not None:
            return icon(name)
        return super().standardIcon(standard_icon, option, widget)


_installed: list[AppStyle] = []
_INSTALLED = "mentordeskStyleInstalled"


def install_style(app: QApplication) -> None:
    """Put ``AppStyle`` around the application's current style, and keep the style sheet's
    ``palette()`` colours in step with the palette (once)."""
    # Asked again for every window a test opens; app.style() is the style sheet's wrapper
    # once a style sheet is set, so the application remembers it has ours.
    if app.property(_INSTALLED):
        return
    # Behind a style sheet app.style() is the sheet's wrapper, nameless (the app installs
    # this after its first paint, its sheet set before): then the proxy takes Qt's default
    # style for this desktop, as QApplication does, or the one QT_STYLE_OVERRIDE names.
    if app.styleSheet():
        style = AppStyle(os.environ.get("QT_STYLE_OVERRIDE") or None)
    else:
        style = AppStyle(app.style().name())
    app.setStyle(style)
    base = style.baseStyle()
    fusion = base is not None and base.name().lower() == "fusion"
    # create_application gave the indicators Fusion's colours before any widget existed.
    if not fusion:
        plain_palettes(app)
    # Qt owns the style from here on; the Python side (its overrides) must live as long.
    _installed.append(style)
    app.setProperty(_INSTALLED, True)
    # The style sheet reads palette() colours once: when the desktop switches between light
    # and dark while the app runs, the sidebar and cards would keep the old ones.
    app.paletteChanged.connect(lambda _palette: _follow_palette(app, fusion))


def _follow_palette(app: QApplication, fusion: bool) -> None:
    if fusion:
        indicator_palettes(app)
    else:
        plain_palettes(app)
    if app.styleSheet():
        app.setStyleSheet(app.styleSheet())


__all__ = ["AppStyle", "contrast", "control_edge", "install_style",
           "luminance"]
