"""Errors the user can act on, as opposed to bugs.

A ``KnownError`` carries a message written for the user; the UI shows it in a dialog and the
CLI prints it on one line. Anything else is a bug: logged with its traceback and reported.
"""

from __future__ import annotations

from pathlib import Path


class KnownError(Exception):
    """An expected failure with a message that tells the user what to do."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class DatabaseOpenError(KnownError):
    """The database file cannot be used; ``path`` names it and ``backups`` are offered."""

    def __init__(self, message: str, path: Path, *, hint: str = "",
                 backups: list[Path] | None = None) -> None:
        super().__init__(message, hint=hint)
        self.path = path
        self.backups = backups or []


class NotAMentorDeskDatabase(DatabaseOpenError):
    pass


class NewerDatabaseVersion(DatabaseOpenError):
    pass


class CorruptDatabase(DatabaseOpenError):
    pass


class DatabaseLocked(KnownError):
    pass


class DiskFull(KnownError):
    pass


class ValidationError(KnownError):
    """Bad input from the user, with the field it concerns."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field
