"""Check boxes, radio buttons and list check boxes that stand out from the window.

Fusion derives their edge from the palette's window colour (a little darker): about 1.9:1
against a light window and invisible against a dark one. These widgets get a window colour
of their own (a class palette, ``QApplication.setPalette(palette, "QCheckBox")``) from which
Fusion derives an edge with at least 3:1 contrast to the real window (WCAG 2.1, 1.4.11).

Set when the application is made, before any widget exists: set later, Qt walks every
widget to hand it the new palette (~4 ms a class with the window up). Nothing here makes
PySide load ``QStyle`` (~5 ms), which the first paint does without.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

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


# Fusion draws a check box's or radio button's edge from the palette's window colour (a
# little darker): these widgets get a window colour of their own (a class palette) from
# which Fusion derives an edge with at least 3:1 contrast to the real window. Not a Python
# drawPrimitive: that would take every primitive Qt draws through Python, and make PySide
# build a Python type for each style option class on the first paint (~10 ms).
# Item views draw the check boxes of checkable rows (action items) the same way.
_INDICATOR_SPARE = {"QCheckBox": 0.4, "QRadioButton": 1.5, "QAbstractItemView": 0.4}


def indicator_palettes(app: QApplication) -> None:
    """Give the indicator classes their window colour (Fusion only: other styles draw
    their own edges from other roles)."""
    base = app.palette()
    for class_name, spare in _INDICATOR_SPARE.items():
        # A copy by value; not QPalette(base): choosing among QPalette's constructors makes
        # PySide build the whole Qt namespace (~13 ms), which start-up keeps for later.
        palette = app.palette()
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            window = base.color(group, QPalette.ColorRole.Window)
            text = base.color(group, QPalette.ColorRole.WindowText)
            edge = control_edge(window.rgb(), text.rgb(), spare)
            palette.setColor(group, QPalette.ColorRole.Window, _fusion_window_for_outline(edge))
        # PySide's stub says bytes, but only a str is taken at run time.
        QApplication.setPalette(palette, class_name)  # type: ignore[arg-type]




def plain_palettes(app: QApplication) -> None:
    """Undo ``indicator_palettes`` (a platform style other than Fusion)."""
    for class_name in _INDICATOR_SPARE:
        QApplication.setPalette(app.palette(), class_name)  # type: ignore[arg-type]
