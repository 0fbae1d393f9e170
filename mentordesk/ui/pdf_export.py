"""Markdown to PDF with Qt's own text engine (QTextDocument + QPdfWriter)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from mentordesk.services.atomic_file import write_atomically

_app: QGuiApplication | None = None


def _ensure_gui_application() -> None:
    """Fonts need a QGuiApplication; the CLI has none, so make an offscreen one."""
    global _app
    if QGuiApplication.instance() is not None:
        return
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication(["mentordesk"])


def write_markdown_pdf(markdown: str, path: Path, *, title: str = "") -> None:
    """Render and write the PDF atomically (a failure leaves the previous file)."""
    write_atomically(path, render_markdown_pdf(markdown, title=title))


def render_markdown_pdf(markdown: str, *, title: str = "") -> bytes:
    """The PDF as bytes: rendered in memory, so nothing is written before it is whole
    (QPdfWriter reports no write errors: on a full disk it left a truncated file)."""
    _ensure_gui_application()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title)
    writer.setCreator("MentorDesk")
    writer.setResolution(300)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait,
                                     QMarginsF(18, 18, 18, 18), QPageLayout.Unit.Millimeter))
    doc = QTextDocument()
    doc.setDocumentMargin(0)
    doc.setDefaultStyleSheet("h1 { font-size: 20pt; } h2 { font-size: 15pt; }")
    doc.setMarkdown(markdown)
    doc.print_(writer)
    del writer  # ends the PDF: its trailer is written when the writer goes
    data = bytes(buffer.data().data())
    buffer.close()
    if not data.startswith(b"%PDF") or b"%%EOF" not in data[-64:]:
        raise OSError("Qt did not produce a complete PDF")
    return data
