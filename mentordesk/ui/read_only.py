"""A window on a file opened read-only (``Database.read_only``: a read-only disk or folder,
a file made read-only).

Everything can be looked at; nothing can be changed. A banner across the top of the window
says so and why, from the first paint on. Text editors (notes, agenda) take no typing, so
nothing is typed that could never be saved. Any other edit (a button, a menu, a drag) goes
through a service, which refuses it with ``ReadOnlyDatabase``: the usual error message, the
file untouched. Sync and team replication are not started: both write to the file.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)


def banner_text(file_name: str, reason: str) -> str:
    return (f"<b>Read-only:</b> {file_name} is open for looking only, because {reason}. "
            "Nothing can be changed here. To work in it, copy it to a folder you may write "
            "to and open the copy.")


def show_read_only(window: QMainWindow, file_name: str, reason: str) -> QLabel:
    """Put the read-only banner above the window's content and stop its text editors (and
    those of views built later, given to ``stop_typing``) from taking typing."""
    body = window.takeCentralWidget()
    outer = QWidget()
    outer.setObjectName("readOnlyFrame")
    column = QVBoxLayout(outer)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    frame = QFrame()
    frame.setObjectName("readOnlyBanner")
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    frame.setStyleSheet("#readOnlyBanner { background: palette(tooltip-base); }")
    label = QLabel(banner_text(file_name, reason))
    label.setObjectName("readOnlyText")
    label.setWordWrap(True)
    label.setAccessibleName("Read-only")
    inner = QVBoxLayout(frame)
    inner.setContentsMargins(12, 8, 12, 8)
    inner.addWidget(label)
    column.addWidget(frame)
    if body is not None:
        column.addWidget(body, 1)
    window.setCentralWidget(outer)
    window.setWindowTitle(f"{window.windowTitle()} (read-only)")
    stop_typing(window)
    return label


def stop_typing(widget: QWidget) -> None:
    """Make every multi-line text editor under ``widget`` read-only (filters and search
    fields, which change nothing, stay as they are)."""
    for editor in widget.findChildren(QPlainTextEdit):
        editor.setReadOnly(True)
    for rich in widget.findChildren(QTextEdit):
        rich.setReadOnly(True)
