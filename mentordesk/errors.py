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


class UnusableDatabasePath(DatabaseOpenError):
    """A folder, device, FIFO, or a file made read-only: refused before anything touches it."""


class NotWritable(UnusableDatabasePath):
    """A file MentorDesk may not write (``reason`` says why, as the end of a sentence "...
    because ..."): the command line refuses it; the app opens it read-only if it is sound
    (``Database.read_only``). Not damage, so no backups are offered."""

    def __init__(self, message: str, path: Path, *, reason: str, hint: str = "") -> None:
        super().__init__(message, path, hint=hint)
        self.reason = reason


class ReadOnlyLocation(NotWritable):
    """A sound file where SQLite cannot keep its working files (read-only disk or folder)."""


class ReadOnlyFile(NotWritable):
    """A file its owner made read-only (its permissions say so)."""


class ReadOnlyDatabase(KnownError):
    """An edit in a file the app has open read-only: refused, nothing was changed."""


class NewerDatabaseVersion(DatabaseOpenError):
    pass


class CorruptDatabase(DatabaseOpenError):
    pass


class DatabaseLocked(KnownError):
    pass


class DiskFull(KnownError):
    pass


class EditConflict(KnownError):
    """A save went through, but another writer had changed the text since it was loaded:
    nothing was overwritten, both versions are in the saved text, and ``kept`` is the part
    that holds the other writer's version (with its markers)."""

    def __init__(self, message: str, *, kept: str, saved: str, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.kept = kept
        self.saved = saved


class ValidationError(KnownError):
    """Bad input from the user, with the field it concerns."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class DatabaseClosed(KnownError):
    """The file was closed (the app quit, or the file was restored and reopened) while work
    for it was still on its way. ``reading``: only a read met it, so nothing was lost and
    nobody needs telling (the window that asked is gone or showing the reopened file)."""

    def __init__(self, message: str, *, hint: str = "", reading: bool = False) -> None:
        super().__init__(message, hint=hint)
        self.reading = reading
