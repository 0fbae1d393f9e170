"""Icons and stylesheets from ``resources/``.

The top-level ``resources/`` folder is installed as the package ``mentordesk.resources``
(setup.py maps it) and read with importlib.resources, so it is found in a wheel, an editable
install and the bundled app alike.

Icons are monochrome SVGs drawn with ``currentColor``; a custom icon engine renders them at
the exact device size requested (crisp at any DPI) in the palette's text colour, so they
follow light and dark themes.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QPoint, QRect, QSize
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtSvg import QSvgRenderer

from mentordesk.paths import resources_root

# Not Qt.GlobalColor.transparent: icons are drawn before the first paint (see qt_enums).
_TRANSPARENT = QColor(0, 0, 0, 0)


def resource_path(*parts: str) -> Path:
    """A file shipped in ``resources/``, wherever MentorDesk is installed."""
    return resources_root().joinpath(*parts)


@cache
def _svg_source(name: str) -> str:
    return resource_path("icons", f"{name}.svg").read_text(encoding="utf-8")


@cache
def _renderer(name: str, colour: str) -> QSvgRenderer:
    """The icon parsed once per colour: item delegates paint icons for every row."""
    svg = _svg_source(name).replace("currentColor", colour)
    return QSvgRenderer(QByteArray(svg.encode("utf-8")))


class _PaletteSvgEngine(QIconEngine):
    def __init__(self, name: str, on_accent: bool = False) -> None:
        super().__init__()
        self._name = name
        self._on_accent = on_accent

    def _colour(self, mode: QIcon.Mode) -> str:
        app = QGuiApplication.instance()
        palette = QGuiApplication.palette() if app is not None else QPalette()
        if mode == QIcon.Mode.Disabled:
            group = QPalette.ColorGroup.Disabled
        else:
            group = QPalette.ColorGroup.Active
        on_accent = self._on_accent or mode == QIcon.Mode.Selected
        role = QPalette.ColorRole.HighlightedText if on_accent else QPalette.ColorRole.WindowText
        return palette.color(group, role).name()

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        _renderer(self._name, self._colour(mode)).render(painter, rect)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State,
                     scale: float) -> QPixmap:
        """The SVG drawn at ``size`` × ``scale`` device pixels (crisp at 150 % and 200 %),
        never a smaller picture scaled up."""
        device = QSize(max(1, round(size.width() * scale)), max(1, round(size.height() * scale)))
        pixmap = QPixmap(device)
        pixmap.fill(_TRANSPARENT)
        painter = QPainter(pixmap)
        try:
            self.paint(painter, QRect(QPoint(0, 0), device), mode, state)
        finally:
            painter.end()
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def clone(self) -> QIconEngine:
        return _PaletteSvgEngine(self._name, self._on_accent)


def icon(name: str, *, on_accent: bool = False) -> QIcon:
    """A themed icon from ``resources/icons/<name>.svg``.

    ``on_accent`` draws it in the highlighted-text colour, for use on accent-coloured buttons.
    """
    if name == "app":
        return QIcon(str(resource_path("icons", "app.svg")))
    return QIcon(_PaletteSvgEngine(name, on_accent))


def stylesheet() -> str:
    return resource_path("styles", "app.qss").read_text(encoding="utf-8")
