"""File ▸ Restore from Backup…: pick one of the file's backups to replace it with."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mentordesk.storage.backup import list_backups
from mentordesk.ui.resources import icon


class RestoreDialog(QDialog):
    def __init__(self, db_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore from Backup")
        layout = QVBoxLayout(self)
        found = list_backups(db_path)
        text = QLabel(
            "MentorDesk saves your work, closes the file, puts the backup in its place and "
            "opens it again. The current file is kept next to it, never deleted."
            if found else "There are no backups of this file yet (File ▸ Back Up Now).")
        text.setWordWrap(True)
        layout.addWidget(text)
        self.backups = QListWidget()
        self.backups.setAccessibleName("Backups")
        for info in found:
            item = QListWidgetItem(f"{info.taken_at.astimezone():%Y-%m-%d %H:%M:%S}  "
                                   f"{info.reason}")
            item.setData(Qt.ItemDataRole.UserRole, str(info.path))
            self.backups.addItem(item)
        if found:
            self.backups.setCurrentRow(0)
            layout.addWidget(self.backups)
        buttons = QDialogButtonBox()
        self.restore_button = buttons.addButton("Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setIcon(icon("undo"))
        self.restore_button.setEnabled(bool(found))
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> Path | None:
        item = self.backups.currentItem()
        return Path(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    @classmethod
    def ask(cls, db_path: Path, parent: QWidget | None = None) -> Path | None:
        """The backup to restore, or None (tests replace this)."""
        dialog = cls(db_path, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.chosen()
