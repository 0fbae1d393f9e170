"""The dialog for a database that cannot be opened: say which file and why, offer backups."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from mentordesk.errors import DatabaseOpenError
from mentordesk.storage.backup import BackupError, check_file, restore_backup
from mentordesk.ui.resources import icon


class DatabaseProblemDialog(QDialog):
    def __init__(self, error: DatabaseOpenError, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = error
        self.setWindowTitle("MentorDesk cannot open this database")
        layout = QVBoxLayout(self)
        message = QLabel(f"<b>{error.message}</b><br>{error.hint}")
        message.setWordWrap(True)
        message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(message)
        self.backups = QListWidget()
        self.backups.setAccessibleName("Backups")
        for path in error.backups:
            item = QListWidgetItem(path.name)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            self.backups.addItem(item)
        if error.backups:
            layout.addWidget(QLabel("Backups of this file, newest first:"))
            layout.addWidget(self.backups)
            self.backups.setCurrentRow(0)
        else:
            layout.addWidget(QLabel("There are no backups of this file."))
        buttons = QDialogButtonBox()
        self.restore_button = buttons.addButton(
            "Restore Selected Backup", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setIcon(icon("undo"))
        self.restore_button.setEnabled(bool(error.backups))
        quit_button = buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        quit_button.setIcon(icon("close"))
        buttons.accepted.connect(self._restore)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _restore(self) -> None:
        item: QListWidgetItem | None = self.backups.currentItem()
        if item is None:
            return
        backup = Path(item.data(Qt.ItemDataRole.UserRole))
        if check_file(backup):
            QMessageBox.warning(self, "Backup damaged",
                                f"{backup.name} is damaged as well. Pick an older one.")
            return
        try:
            moved = restore_backup(backup, self.error.path)
        except (BackupError, OSError) as exc:
            QMessageBox.warning(self, "Restore failed", str(exc))
            return
        QMessageBox.information(
            self, "Backup restored",
            f"Restored {backup.name}.\nThe damaged file was kept as {moved}." if moved
            else f"Restored {backup.name}.")
        self.accept()

    @classmethod
    def ask(cls, error: DatabaseOpenError) -> bool:
        """True when a backup was restored and opening should be tried again."""
        return cls(error).exec() == QDialog.DialogCode.Accepted
