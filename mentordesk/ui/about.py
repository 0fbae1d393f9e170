"""Help ▸ About: the version and where MentorDesk keeps its files, with buttons to open
each folder (what a mentor or a bug report needs first)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mentordesk import APP_NAME, version
from mentordesk.logging_setup import log_file
from mentordesk.paths import data_dir
from mentordesk.ui.resources import icon

UrlOpener = Callable[[QUrl], bool]


class AboutDialog(QDialog):
    def __init__(self, db_path: Path, parent: QWidget | None = None, *,
                 data_folder: Path | None = None, log_folder: Path | None = None,
                 open_url: UrlOpener = QDesktopServices.openUrl) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(f"About {APP_NAME}")
        self._open_url = open_url
        self.version = version()
        self.folders = {
            "database": db_path.parent,
            "data": data_folder if data_folder is not None else data_dir(),
            "log": log_folder if log_folder is not None else log_file().parent,
        }

        logo = QLabel()
        logo.setPixmap(icon("app").pixmap(QSize(64, 64)))
        title = QLabel(f"<h2>{APP_NAME} {self.version}</h2>"
                       "<p>A desktop workspace for mentors: mentees, goals, session notes and "
                       "Google Calendar sync, in one local file.</p>")
        title.setWordWrap(True)
        title.setObjectName("aboutTitle")
        head = QHBoxLayout()
        head.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(title, 1)

        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        self.values: dict[str, QLabel] = {}
        self.buttons: dict[str, QPushButton] = {}
        rows = (
            ("version", "Version", self.version, None),
            ("database", "Database", str(db_path), "Show in Folder"),
            ("data", "Data folder", str(self.folders["data"]), "Open"),
            ("log", "Log folder", str(self.folders["log"]), "Open"),
        )
        for row, (key, label, value, button_text) in enumerate(rows):
            name = QLabel(f"{label}:")
            shown = QLabel(value)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            shown.setWordWrap(True)
            shown.setMinimumWidth(360)
            name.setBuddy(shown)
            grid.addWidget(name, row, 0)
            grid.addWidget(shown, row, 1)
            self.values[key] = shown
            if button_text is not None:
                button = QPushButton(icon("folder"), button_text)
                button.setAccessibleName(f"{button_text}: {label}")
                button.setAutoDefault(False)
                folder = self.folders[key]
                button.clicked.connect(lambda _=False, f=folder: self.open_folder(f))
                # The log folder appears with the first log line; the others with the file.
                button.setEnabled(folder.is_dir())
                if not folder.is_dir():
                    button.setToolTip("This folder does not exist yet.")
                grid.addWidget(button, row, 2)
                self.buttons[key] = button

        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = box.addButton("Copy Details", QDialogButtonBox.ButtonRole.ActionRole)
        copy.setIcon(icon("copy"))
        copy.clicked.connect(self.copy_details)
        box.rejected.connect(self.reject)
        self.close_button = box.button(QDialogButtonBox.StandardButton.Close)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addSpacing(8)
        layout.addLayout(grid)
        layout.addSpacing(8)
        layout.addWidget(box)

    def open_folder(self, folder: Path) -> bool:
        return self._open_url(QUrl.fromLocalFile(str(folder)))

    def details(self) -> str:
        lines = [f"{APP_NAME} {self.version}"]
        lines += [f"{key}: {label.text()}" for key, label in self.values.items()
                  if key != "version"]
        return "\n".join(lines)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details())
