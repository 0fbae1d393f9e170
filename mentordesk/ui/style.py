"""MentorDesk's Qt style: the platform's own style with two corrections.

- One icon family. Where a style would draw its own pictures on buttons (the floppy disk and
  red cross of dialog buttons, a line edit's clear button, a tool bar's overflow arrow) it
  gets the flat line icons of ``resources/icons`` instead, in the palette's colours. The
  style sheet turns dialog-button icons on everywhere (``dialogbuttonbox-buttons-have-icons``)
  so a dialog looks the same on every desktop.
- Visible check boxes and radio buttons. Fusion derives their outline from the window
  colour (a little darker): about 1.9:1 against a light window and invisible against a dark
  one. Here the outline is a blend of the palette's text colour into its window colour with
  at least 3:1 contrast to the window (WCAG's minimum for the edge of a control).

Only ``standardIcon`` and, under Fusion, ``drawPrimitive`` are overridden in Python: the
style's other questions (``styleHint`` above all, asked thousands of times a second) stay in
C++. The Python ``drawPrimitive`` costs about 1 ms on a full repaint of the Mentees view.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QColor, QIcon, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOption, QWidget

from mentordesk.ui.resources import icon

SP = QStyle.StandardPixmap
PE = QStyle.PrimitiveElement

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

# WCAG 2.1, 1.4.11: the edge of a control against what is next to it.
CONTROL_EDGE_CONTRAST = 3.0


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def luminance(colour: QColor) -> float:
    """WCAG relative luminance."""
    return (0.2126 * _linear(colour.redF()) + 0.7152 * _linear(colour.greenF())
            + 0.0722 * _linear(colour.blueF()))


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _blend(a: QColor, b: QColor, share_of_b: float) -> QColor:
    keep = 1.0 - share_of_b
    return QColor.fromRgbF(a.redF() * keep + b.redF() * share_of_b,
                           a.greenF() * keep + b.greenF() * share_of_b,
                           a.blueF() * keep + b.blueF() * share_of_b)


@cache
def control_edge(window_rgb: int, text_rgb: int, spare: float = 0.4) -> QColor:
    """The quietest blend of the text colour into the window colour that still stands out
    from the window by ``CONTROL_EDGE_CONTRAST`` plus ``spare``: an anti-aliased edge that
    falls between pixels (a radio button's circle) shows lighter than it is drawn."""
    window, text = QColor.fromRgb(window_rgb), QColor.fromRgb(text_rgb)
    share = 0.35
    edge = _blend(window, text, share)
    while contrast(edge, window) < CONTROL_EDGE_CONTRAST + spare and share < 1.0:
        share = min(1.0, share + 0.05)
        edge = _blend(window, text, share)
    return edge


def _fusion_window_for_outline(outline: QColor) -> QColor:
    """The window colour from which Fusion derives ``outline`` as a check box's edge
    (``window.darker(140).lighter(110)``: the HSV value times 1.1 / 1.4)."""
    value = min(255, round(outline.value() * 1.4 / 1.1))
    return QColor.fromHsv(max(outline.hue(), 0), outline.saturation(), value, outline.alpha())


class AppStyle(QProxyStyle):
    """The platform's style (``base``: a style name) with MentorDesk's icons."""

    def standardIcon(self, standard_icon: QStyle.StandardPixmap,
                     option: QStyleOption | None = None,
                     widget: QWidget | None = None) -> QIcon:
        name = STANDARD_ICONS.get(standard_icon)
        if name is not None:
            return icon(name)
        return super().standardIcon(standard_icon, option, widget)


class FusionAppStyle(AppStyle):
    """Fusion with MentorDesk's icons and check boxes and radio buttons that stand out from
    the window (a class of its own: every primitive drawn now passes through Python, which
    other platform styles, drawing their own visible indicators, are spared)."""

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption,
                      painter: QPainter, widget: QWidget | None = None) -> None:
        if element in _INDICATORS:
            palette = option.palette
            window = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Window)
            text = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText)
            edge = control_edge(window.rgb(), text.rgb(),
                                1.5 if element == PE.PE_IndicatorRadioButton else 0.4)
            adjusted = QPalette(palette)
            for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
                adjusted.setColor(group, QPalette.ColorRole.Window,
                                  _fusion_window_for_outline(edge))
            copy = type(option)(option)  # the same option (button, view item …), recoloured
            copy.palette = adjusted
            super().drawPrimitive(element, copy, painter, widget)
            return
        super().drawPrimitive(element, option, painter, widget)


_INDICATORS = frozenset({PE.PE_IndicatorCheckBox, PE.PE_IndicatorRadioButton})


_installed: list[AppStyle] = []
_INSTALLED = "mentordeskStyleInstalled"


def install_style(app: QApplication) -> None:
    """Put ``AppStyle`` around the application's current style, and keep the style sheet's
    ``palette()`` colours in step with the palette (once)."""
    # Asked again for every window a test opens; app.style() is the style sheet's wrapper
    # once a style sheet is set, so the application remembers it has ours.
    if app.property(_INSTALLED):
        return
    name = app.style().name()
    style = FusionAppStyle(name) if name.lower() == "fusion" else AppStyle(name)
    app.setStyle(style)
    # Qt owns the style from here on; the Python side (its overrides) must live as long.
    _installed.append(style)
    app.setProperty(_INSTALLED, True)
    # The style sheet reads palette() colours once: when the desktop switches between light
    # and dark while the app runs, the sidebar and cards would keep the old ones.
    app.paletteChanged.connect(lambda _palette: _reapply_style_sheet(app))


def _reapply_style_sheet(app: QApplication) -> None:
    if app.styleSheet():
        app.setStyleSheet(app.styleSheet())


__all__ = ["AppStyle", "FusionAppStyle", "contrast", "control_edge", "install_style",
           "luminance"]
