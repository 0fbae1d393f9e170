"""Find what a mentor would see as broken in a laid-out window: text that does not fit its
widget (measured with the widget's own QFontMetrics against its contents rect; text the
app elides on purpose, with the full text in the tooltip, is allowed), widgets of one
layout that overlap, and widgets a layout pushed past the edge of their parent."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QCheckBox,
    QLabel,
    QLayout,
    QPushButton,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QToolButton,
    QWidget,
)

SLACK = 1  # rounding at fractional scale factors


def describe(widget: QWidget) -> str:
    text = ""
    if isinstance(widget, QLabel | QAbstractButton):
        text = widget.text()
    name = text or widget.accessibleName() or widget.objectName()
    path: list[str] = []
    w: QWidget | None = widget.parentWidget()
    while w is not None and len(path) < 3:
        if w.objectName():
            path.append(w.objectName())
        w = w.parentWidget()
    where = f" in {'/'.join(reversed(path))}" if path else ""
    return f"{type(widget).__name__} {name[:50]!r}{where}"


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _might_be_rich(text: str) -> bool:
    from PySide6.QtGui import Qt as GuiQt

    return bool(GuiQt.mightBeRichText(text))


def _label_problem(label: QLabel) -> str | None:
    text = label.text()
    if not text or not label.pixmap().isNull():
        return None
    if "…" in text and label.toolTip():
        return None  # elided on purpose, the whole text in the tooltip
    rect = label.contentsRect()
    margin = label.margin()
    indent = max(label.indent(), 0)
    width = rect.width() - 2 * margin - indent
    height = rect.height() - 2 * margin
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and _might_be_rich(text))
    if rich:
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setDefaultFont(label.font())
        doc.setHtml(text)
        if label.wordWrap():
            doc.setTextWidth(max(width, 1))
            tall = doc.size().height()
            if tall > height + SLACK + 2:
                return f"needs {tall:.0f} px of height, has {height}"
            return None
        ideal = doc.idealWidth()
        if ideal > width + SLACK:
            return f"needs {ideal:.0f} px, has {width}"
        return None
    fm = label.fontMetrics()
    plain = _plain(text) if label.buddy() is not None else text
    if label.wordWrap():
        box = fm.boundingRect(QRect(0, 0, max(width, 1), 100_000),
                              int(Qt.TextFlag.TextWordWrap), plain)
        if box.height() > height + SLACK:
            return f"needs {box.height()} px of height, has {height}"
        # A single word longer than the width still overflows sideways.
        longest = max((fm.horizontalAdvance(word) for word in plain.split()), default=0)
        if longest > width + SLACK:
            return f"a word needs {longest} px, has {width}"
        return None
    need = max(fm.horizontalAdvance(line) for line in plain.split("\n"))
    if need > width + SLACK:
        return f"needs {need} px, has {width}"
    if fm.height() * (plain.count("\n") + 1) > height + SLACK + 2:
        return f"needs {fm.height()} px of height, has {height}"
    return None


def _button_problem(button: QAbstractButton) -> str | None:
    text = _plain(button.text())
    if not text:
        return None
    if isinstance(button, QToolButton):
        if button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly:
            return None
        hint = button.sizeHint()
        if hint.width() > button.width() + SLACK:
            return f"needs {hint.width()} px, has {button.width()}"
        return None
    style = button.style()
    option = QStyleOptionButton()
    option.initFrom(button)
    option.text = ""
    option.icon = button.icon()
    option.iconSize = button.iconSize()
    contents = {QPushButton: QStyle.ContentsType.CT_PushButton,
                QCheckBox: QStyle.ContentsType.CT_CheckBox,
                QRadioButton: QStyle.ContentsType.CT_RadioButton}
    kind = next((v for k, v in contents.items() if isinstance(button, k)), None)
    if kind is None:
        return None
    # The frame and indicator around a wide content (a wide one skips any minimum width).
    probe = 1000
    padding = style.sizeFromContents(kind, option, QSize(probe, 10), button).width() - probe
    icon = 0 if button.icon().isNull() else button.iconSize().width() + 4
    need = button.fontMetrics().horizontalAdvance(text) + icon + padding
    if need > button.width() + SLACK:
        return f"needs {need} px, has {button.width()}"
    return None


def _layout_widgets(layout: QLayout) -> list[QWidget]:
    found: list[QWidget] = []
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item is None:
            continue
        widget = item.widget()
        if widget is not None:
            found.append(widget)
        child = item.layout()
        if child is not None:
            found.extend(_layout_widgets(child))
    return found


def problems(root: QWidget) -> list[str]:
    found: list[str] = []
    for widget in (root, *root.findChildren(QWidget)):
        if not widget.isVisible() or widget.window() is not root.window():
            continue
        problem: str | None = None
        if isinstance(widget, QLabel):
            problem = _label_problem(widget)
        elif isinstance(widget, QAbstractButton):
            problem = _button_problem(widget)
        if problem:
            found.append(f"text cut off: {describe(widget)} {problem}")
        layout = widget.layout()
        if layout is None or isinstance(widget, QAbstractScrollArea):
            continue
        managed = [w for w in _layout_widgets(layout) if w.isVisible()]
        area = widget.rect()
        for i, a in enumerate(managed):
            ga = a.geometry()
            if not area.contains(ga) and ga.width() > 0 and ga.height() > 0:
                found.append(f"past the edge: {describe(a)} at {ga.getRect()} "
                             f"outside {describe(widget)} {area.getRect()}")
            for b in managed[i + 1:]:
                overlap = ga.intersected(b.geometry())
                if overlap.width() > 0 and overlap.height() > 0:
                    found.append(f"overlap: {describe(a)} and {describe(b)} "
                                 f"({overlap.width()}x{overlap.height()} px)")
    return found


__all__ = ["describe", "problems"]
