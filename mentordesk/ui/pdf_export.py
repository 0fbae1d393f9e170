"""Markdown to PDF with Qt's own text engine (QTextDocument + QPdfWriter)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument

_app: QGuiApplication | None = None


def _ensure_gui_application() -> None:
    """Fonts need a QGuiApplication; the CLI has none, so make an offscreen one."""
    global _app
    if QGuiApplication.instance() is not None:
        return
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication(["mentordesk"])


def write_markdown_pdf(markdown: str, path: Path, *, title: str = "") -> None:
    _ensure_gui_application()
    writer = QPdfWriter(str(path))
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
    if not path.exists() or path.stat().st_size == 0:
        raise OSError(f"Qt wrote nothing to {path}")
