"""Exporting a mentee's progress report (PDF or Markdown) from the notes view.

The report service and the PDF renderer are imported on export: the Notes view can be the
first view at start-up, and neither is needed before a report is asked for.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from mentordesk.errors import KnownError
from mentordesk.storage.database import Database
from mentordesk.ui.errors import show_known_error


def ask_report_path(parent: QWidget, name: str) -> Path | None:
    path, _filter = QFileDialog.getSaveFileName(
        parent, f"Export progress report for {name}", str(Path.home() / f"{name}.pdf"),
        "PDF (*.pdf);;Markdown (*.md)")
    return Path(path) if path else None


def write_report(parent: QWidget, db: Database, name: str, path: Path) -> Path | None:
    """Write the report (``.pdf`` unless ``.md``); the file written, or None (shown)."""
    # The report service and its PDF renderer are needed only now.
    from mentordesk.services.reports import export_report
    from mentordesk.ui.pdf_export import render_markdown_pdf

    if path.suffix.lower() not in (".md", ".pdf"):
        path = path.with_suffix(".pdf")
    try:
        # PDF rendering uses Qt fonts: keep it on the GUI thread (it takes ~0.1 s).
        export_report(db, name, path, render_pdf=render_markdown_pdf)
    except KnownError as exc:
        show_known_error(parent, exc)
        return None
    return path
