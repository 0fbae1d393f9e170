"""Opening, checking and migrating the MentorDesk SQLite file.

Order matters on open: refuse anything that is not ours or is damaged *before* writing a
single byte, back up before migrating, and only then hand out sessions.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentordesk.errors import (
    CorruptDatabase,
    DatabaseClosed,
    DatabaseLocked,
    DiskFull,
    NewerDatabaseVersion,
    NotAMentorDeskDatabase,
    NotWritable,
    ReadOnlyDatabase,
    ReadOnlyFile,
    ReadOnlyLocation,
    UnusableDatabasePath,
)
from mentordesk.paths import private_dir, read_only_uri
from mentordesk.storage import backup
from mentordesk.storage.migrations import HEAD, KNOWN_REVISIONS
from mentordesk.storage.raw_reader import BUSY_TIMEOUT_MS, read_transaction

# SQLAlchemy and the models are imported only when the first unit of work starts (~0.3 s
# here), Alembic only when a migration is due: opening an up-to-date file and reading the
# start-up list need only the sqlite3 module, so the window paints and the mentee list
# fills before those imports.
if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
# PRAGMA application_id marks the file as ours ("MDK1"), so a foreign SQLite file is refused.
APPLICATION_ID = 0x4D444B31


def _set_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA secure_delete=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    finally:
        cur.close()


def _set_read_only_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    """A file opened for looking only: nothing that would write (no journal mode change),
    and ``query_only`` so that no statement can write even by mistake."""
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA query_only=ON")
    finally:
        cur.close()


def _make_engine(path: Path, *, pooled: bool = True, uri: str | None = None) -> Engine:
    """The engine on ``path``; with ``uri`` (a read-only SQLite URI) one that only reads."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool, QueuePool

    kwargs: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        # Errors would otherwise quote the bound values (note text, emails) into the log.
        "hide_parameters": True,
    }
    if not pooled:
        kwargs["poolclass"] = NullPool
    if uri is not None:
        def connect() -> sqlite3.Connection:
            return sqlite3.connect(uri, uri=True, check_same_thread=False,
                                   timeout=BUSY_TIMEOUT_MS / 1000)

        kwargs.pop("connect_args")
        kwargs.setdefault("poolclass", QueuePool)
        engine = create_engine("sqlite://", creator=connect, **kwargs)
        event.listen(engine, "connect", _set_read_only_pragmas)
        return engine
    engine = create_engine(f"sqlite:///{path}", **kwargs)
    event.listen(engine, "connect", _set_pragmas)
    return engine


def _offer(path: Path, *, verified: bool = False) -> list[Path]:
    """Backups of ``path`` to offer the user, newest first; ``verified`` keeps only those
    that pass their own check (a damaged file's backups may be damaged too)."""
    return [b.path for b in backup.list_backups(path)
            if not verified or not backup.check_file(b.path)]


def _inspect_existing(path: Path, *, deep: bool = True, uri: str | None = None) -> str | None:
    """Validate an existing file without writing to it; return its schema revision.

    ``deep`` adds ``PRAGMA quick_check``, which reads the whole file (seconds when cold on a
    big file): the GUI skips it here and runs it after the first paint instead. ``uri``:
    how to open it read-only, when the usual ``mode=ro`` cannot (``_read_only_uri``).
    """
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise NotAMentorDeskDatabase(
            f"{path} is not a MentorDesk database (it is not an SQLite file).",
            path,
            hint="Choose another file, or restore one of the backups.",
            backups=_offer(path),
        )
    if deep:
        problems = backup.check_file(path, uri=uri)
        if problems:
            raise corrupt_error(path, problems[0])
    conn = sqlite3.connect(uri or f"file:{path}?mode=ro", uri=True)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        revision: str | None = None
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    except sqlite3.DatabaseError as exc:
        raise corrupt_error(path, str(exc)) from exc
    finally:
        conn.close()
    if tables and app_id != APPLICATION_ID:
        raise NotAMentorDeskDatabase(
            f"{path} is an SQLite database of another program, not MentorDesk's.",
            path,
            hint="MentorDesk did not touch it. Choose another file.",
            backups=_offer(path),
        )
    if revision is not None and revision not in KNOWN_REVISIONS:
        raise NewerDatabaseVersion(
            f"{path} was written by a newer MentorDesk (schema {revision}).",
            path,
            hint="Update MentorDesk to open it; this version left it untouched.",
            backups=_offer(path),
        )
    return revision


def inspect_file(path: Path) -> str | None:
    """Check ``path`` as a file to open is checked (without writing to it); its schema
    revision, None when it holds no MentorDesk schema. Raises ``DatabaseOpenError``."""
    return _inspect_existing(path, deep=True)


def corrupt_error(path: Path, problem: str) -> CorruptDatabase:
    # SQLite's complaint can span lines ("*** in database main ***\nPage 7: ..."): the
    # message is one line, as every message the command line prints.
    problem = " ".join(problem.split())
    return CorruptDatabase(
        f"{path} is damaged ({problem}).",
        path,
        hint="Nothing was changed. Restore the newest backup, or open another file.",
        backups=_offer(path, verified=True),
    )


def _protect(path: Path) -> None:
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(candidate, 0o600)


def run_migrations(path: Path, target: str = "head") -> None:
    """Upgrade ``path`` to ``target`` (the packaged head by default)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    # A dedicated unpooled engine: env.py switches foreign keys off on its connection and
    # that connection must not be handed out again afterwards.
    engine = _make_engine(path, pooled=False)
    try:
        with engine.connect() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, target)
            conn.commit()
            conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
            conn.commit()
    finally:
        engine.dispose()


class Database:
    """An open MentorDesk database: hands out units of work (one Session per user action).

    ``verified`` says the file passed ``PRAGMA quick_check`` when it was opened. When it did
    not run then (the app defers it until after the first paint), the first unit of work
    that writes runs it and waits for it: nothing is written to a file before it is known
    to be sound. A file found damaged is never written, and is closed without the
    checkpoint SQLite otherwise runs on close, so it stays byte for byte as it was.
    """

    def __init__(self, path: Path, engine: Engine | None = None, *,
                 verified: bool = True, read_only: str | None = None,
                 uri: str | None = None) -> None:
        self.path = path
        # Why the file is open for looking only (the end of a sentence "... because ..."),
        # or None; ``uri`` is then how SQLite opens it (``mode=ro`` or ``immutable=1``).
        self.read_only = read_only
        self._uri = uri
        self._engine = engine
        self._factory: sessionmaker[Session] | None = None
        self._lock = threading.Lock()
        self._check_lock = threading.Lock()
        # SQLite's complaints from the integrity check; None until it has run.
        self._problems: list[str] | None = [] if verified else None
        self._closed = False
        # Called with every statement ``raw_reader`` connections run (tests check what the
        # fast paths read).
        self.raw_trace: Callable[[str], object] | None = None

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, made (and SQLAlchemy imported) on first use."""
        self._session_factory()
        assert self._engine is not None
        return self._engine

    def _session_factory(self) -> sessionmaker[Session]:
        factory = self._factory
        if factory is not None:
            return factory
        with self._lock:
            if self._factory is None:
                from sqlalchemy.orm import sessionmaker

                if self._engine is None:
                    self._engine = _make_engine(
                        self.path, uri=self._uri if self.read_only else None)
                self._factory = sessionmaker(self._engine, expire_on_commit=False)
            return self._factory

    def _sessions(self) -> Session:
        return self._session_factory()()

    def warm_up(self) -> None:
        """Import SQLAlchemy and make the engine now (a worker calls this after start-up,
        so the first edit does not pay for the import)."""
        import mentordesk.storage.schema  # noqa: F401  (mapping the models is part of it)

        self._session_factory()

    @contextlib.contextmanager
    def raw_reader(self) -> Iterator[sqlite3.Connection]:
        """A read-only snapshot over a plain sqlite3 connection, for the few hot reads
        that must not wait for SQLAlchemy's import (the start-up mentee list)."""
        try:
            with read_transaction(self._uri or read_only_uri(self.path),
                                  self.raw_trace) as conn:
                yield conn
        except sqlite3.OperationalError as exc:
            raise translate_sqlite_error(exc, self.path) from exc

    def _check_open(self, *, reading: bool = False) -> None:
        if self._closed:
            if reading:
                raise DatabaseClosed(f"{self.path.name} was closed (it was restored or "
                                     "reopened).", reading=True)
            raise DatabaseClosed(f"{self.path.name} was closed (it was restored or reopened).",
                                 hint="Your edit was not saved there; it is kept in the "
                                      "editor.")

    def verify(self) -> list[str]:
        """Run the integrity check unless it ran already; its complaints (empty: sound)."""
        with self._check_lock:
            if self._problems is None:
                self._problems = backup.check_file(self.path, uri=self._uri)
                if self._problems:
                    log.error("integrity check failed: the file will not be written")
            return list(self._problems)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def damaged(self) -> bool:
        return bool(self._problems)

    def _check_writable(self) -> None:
        self._check_open()
        if self.read_only is not None:
            raise ReadOnlyDatabase(
                f"{self.path.name} is open read-only because {self.read_only}: "
                "nothing can be changed.",
                hint="To work in it, copy it to a folder you may write to and open the copy.")
        problems = self._problems if self._problems is not None else self.verify()
        if problems:
            raise corrupt_error(self.path, problems[0])

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work: commits when the block succeeds, rolls back when it raises."""
        from sqlalchemy.exc import OperationalError

        self._check_writable()
        session = self._sessions()
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            raise translate_operational_error(exc, self.path) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextlib.contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only unit of work (rolled back at the end, never commits)."""
        from sqlalchemy.exc import OperationalError

        self._check_open(reading=True)
        session = self._sessions()
        try:
            yield session
        except OperationalError as exc:
            raise translate_operational_error(exc, self.path) from exc
        finally:
            session.rollback()
            session.close()

    @contextlib.contextmanager
    def own_connection(self) -> Iterator[Connection]:
        """A connection for one long job alone (a big import), in autocommit mode: the job
        writes ``BEGIN IMMEDIATE`` ... ``COMMIT`` itself, so it holds the write lock only
        for its short final transaction. Closed at the end instead of going back to the
        pool, so TEMP tables the job keeps on it vanish with it (a crash included)."""
        from sqlalchemy.exc import OperationalError

        self._check_writable()
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            yield conn
        except OperationalError as exc:
            raise translate_operational_error(exc, self.path) from exc
        finally:
            conn.invalidate()
            conn.close()

    def quick_check(self) -> list[str]:
        """SQLite's complaints about the open file (empty when sound), checked now; a file
        found damaged is not written from then on."""
        problems = backup.check_file(self.path, uri=self._uri)
        with self._check_lock:
            if problems or self._problems is None:
                self._problems = problems
        return problems

    def backup(self, reason: str = "manual") -> Path:
        path = backup.create_backup(self.path, reason=reason)
        return path

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._problems:
                self._close_without_checkpoint()
                return
            if self._engine is not None:
                self._engine.dispose()

    def _close_without_checkpoint(self) -> None:
        """Close a damaged file as it is: SQLite checkpoints the WAL into the file when its
        last connection closes, and a read-only connection cannot. So a read-only one is
        opened first and closed last."""
        try:
            keeper: sqlite3.Connection | None = sqlite3.connect(
                self._uri or read_only_uri(self.path), uri=True)
        except sqlite3.Error:
            keeper = None
        if keeper is not None:
            with contextlib.suppress(sqlite3.Error):
                # Reading opens the WAL, which is what the other connections' close checks.
                keeper.execute("SELECT count(*) FROM sqlite_master").fetchall()
        try:
            if self._engine is not None:
                self._engine.dispose()
        finally:
            if keeper is not None:
                keeper.close()


def translate_operational_error(exc: OperationalError, path: Path) -> Exception:
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    return _translate(text, path, exc)


def translate_sqlite_error(exc: sqlite3.OperationalError, path: Path) -> Exception:
    return _translate(str(exc).lower(), path, exc)


def _translate(text: str, path: Path, exc: Exception) -> Exception:
    if "locked" in text or "busy" in text:
        return DatabaseLocked(
            f"{path.name} is in use by another program.",
            hint="Close the other MentorDesk window and try again; your edit is kept.",
        )
    if "disk is full" in text or "database or disk is full" in text:
        return DiskFull(
            f"There is no room left to save to {path.name}.",
            hint="Free some disk space; your edit is kept and will be saved on the next try.",
        )
    if "readonly" in text or "read-only" in text:
        return DatabaseLocked(
            f"{path.name} cannot be written (the file or its folder is read-only).",
            hint="Check the folder's permissions; your edit is kept.",
        )
    return exc


def open_database(path: Path, *, check: bool = True,
                  read_only_ok: bool = False) -> Database:
    """Open (creating or migrating as needed) the database at ``path``.

    Raises a ``DatabaseOpenError`` subclass, with a message for the user, when the file is
    not ours, is newer than this version, or is damaged. The file is never modified then.
    With ``read_only_ok`` (the app), a sound file MentorDesk may not write (a read-only disk
    or folder, a file made read-only) is opened for looking only: ``Database.read_only``
    says why, and every unit of work that writes is refused (``ReadOnlyDatabase``).
    """
    path = path.expanduser().resolve()
    try:
        check_usable(path)
    except NotWritable as exc:
        if not read_only_ok or not path.is_file() or path.stat().st_size == 0:
            raise
        return _open_read_only(path, exc, check=check)
    if not path.parent.exists():
        private_dir(path.parent)
    created = not path.exists()
    if not created and path.stat().st_size > 0:
        revision = _inspect_existing(path, deep=check)
    else:
        if created:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
        revision = None
    if revision == HEAD and _in_wal_mode(path):
        # Nothing to set up. (A read-write connection here would be the file's last one on
        # close and checkpoint its WAL into it before the deferred check has looked at it.)
        return Database(path, verified=check)
    if revision is not None and not check:
        # What follows writes to an existing file: the check cannot be deferred past it.
        problems = backup.check_file(path)
        if problems:
            raise corrupt_error(path, problems[0])
    if revision != HEAD:
        if revision is not None:
            log.info("backing up %s before migrating from %s to %s", path, revision, HEAD)
            backup.create_backup(path, reason="pre-migration")
        run_migrations(path)
    # Touch the file once so WAL mode is on and the sidecars exist with our modes. Plain
    # sqlite3 with the engine's pragmas: the engine itself is made on first use.
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        _set_pragmas(conn, None)
        conn.execute("SELECT 1").fetchall()
    except sqlite3.OperationalError as exc:
        raise translate_sqlite_error(exc, path) from exc
    finally:
        conn.close()
    if created:
        # Only files MentorDesk made get their mode set (never what --db points at).
        _protect(path)
    return Database(path)


def _open_read_only(path: Path, why: NotWritable, *, check: bool) -> Database:
    """``path``, which MentorDesk may not write, opened for looking only (the same checks
    as any file it opens, without a byte written). A file that would need a migration, or
    whose last changes SQLite cannot read here, is refused as ``why`` says."""
    uri = _read_only_uri(path, why)
    revision = _inspect_existing(path, deep=check, uri=uri)
    if revision != HEAD:
        raise NotWritable(
            f"{path} was written by an older MentorDesk: opening it means upgrading it, "
            f"which needs writing to it ({why.message})", path, reason=why.reason,
            hint=why.hint)
    log.info("opened read-only: %s", why.reason)
    return Database(path, verified=check, read_only=why.reason, uri=uri)


def _read_only_uri(path: Path, why: NotWritable) -> str:
    """How SQLite can read ``path`` without writing: ``mode=ro`` when it can use (or make)
    the ``-shm`` beside it; else ``immutable=1``, which reads the file alone, without
    locks, ``-wal`` or ``-shm`` (on a read-only disk nobody can change it meanwhile). A
    ``-wal`` that holds changes is then unreadable, and the file is refused: shown
    without them, it would look as if they were lost."""
    base = path.absolute().as_uri()
    try:
        probe = sqlite3.connect(f"{base}?mode=ro", uri=True)
        try:
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            probe.close()
        return f"{base}?mode=ro"
    except sqlite3.Error:
        pass
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise NotWritable(
            f"{path} cannot be opened here, not even to look: its last changes are in "
            f"{wal.name}, which SQLite can only read by writing a working file beside it "
            f"({why.reason}).", path, reason=why.reason,
            hint="Copy the file together with its -wal file to a folder you may write to, "
                 "and open the copy.")
    return f"{base}?immutable=1"


def _read_only_location(path: Path) -> str | None:
    """Why SQLite could not make or update the ``-wal``/``-shm`` files beside ``path`` (a
    read-only mount, a folder without write permission), or None when it could."""
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return "it is on a read-only disk"
    except (AttributeError, OSError):
        pass
    if not os.access(path.parent, os.W_OK):
        return "MentorDesk may not write in its folder, where SQLite keeps its working files"
    if any(side.exists() and not os.access(side, os.W_OK)
           for side in (Path(f"{path}-wal"), Path(f"{path}-shm"))):
        return "SQLite's working files beside it (-wal, -shm) may not be written"
    return None


def check_usable(path: Path) -> None:
    """Refuse, before touching it, what cannot be a database file for us: a folder, a
    device, a FIFO or socket, or a file its owner made read-only (``path`` resolved)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise UnusableDatabasePath(f"{path} cannot be opened: {exc.strerror or exc}.", path,
                                   hint="Choose another file.") from exc
    kind = ("a folder" if stat.S_ISDIR(info.st_mode) else
            "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else
            "a pipe (FIFO)" if stat.S_ISFIFO(info.st_mode) else
            "a socket" if stat.S_ISSOCK(info.st_mode) else None)
    if kind is not None:
        raise UnusableDatabasePath(f"{path} is {kind}, not a database file.", path,
                                   hint="MentorDesk left it as it is. Choose a file.")
    if not stat.S_ISREG(info.st_mode):
        raise UnusableDatabasePath(f"{path} is not a regular file.", path,
                                   hint="MentorDesk left it as it is. Choose a file.")
    location = _read_only_location(path)
    if location is not None:
        raise ReadOnlyLocation(
            f"{path} is on a read-only disk or in a folder MentorDesk cannot write to "
            "(SQLite keeps two working files beside it).", path, reason=location,
            hint="The file itself is fine and was not changed: copy it to a folder you may "
                 "write to, and open the copy.")
    if not info.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise ReadOnlyFile(
            f"{path} is read-only (its permissions say so).", path,
            reason="its permissions make it read-only",
            hint="MentorDesk left it as it is: make it writable to work in it, or open a copy.")


def _in_wal_mode(path: Path) -> bool:
    """Whether the file's header says WAL (bytes 18 and 19 are 2), read without SQLite."""
    with path.open("rb") as fh:
        header = fh.read(20)
    return len(header) == 20 and header[18] == 2 and header[19] == 2
