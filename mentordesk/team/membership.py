"""Setting a team up and taking part: init, invite, join codes, the secret in the keyring,
sync, status, leave. Plain Python used by ``mentordesk team …`` (and later by the app).

Secrets live only in the OS keyring (the ``keyring`` library): the database file keeps the
server's address and this desk's role name, never a password, and nothing here logs one.
keyring (~40 ms) is imported when a secret is read or written: every app start imports this
module on the GUI thread, to ask whether the desk is in a team.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import URL, Engine, text

from mentordesk.plurals import counted
from mentordesk.storage import team_local as local
from mentordesk.storage import team_server as server
from mentordesk.storage.database import Database
from mentordesk.team.errors import (
    KEPT,
    BadJoinCode,
    NotInTeam,
    SecretStorageMissing,
    TeamError,
    TeamOffline,
)
from mentordesk.team.replicator import (
    INITIAL_CURSOR,
    PARKED_PREFIX,
    STATE_CURSOR,
    STATE_LAST_SYNC,
    STATE_MEMBER,
    STATE_REFUSED,
    Progress,
    Replicator,
    RoundSummary,
    translate,
)

log = logging.getLogger(__name__)

KEYRING_SERVICE = "MentorDesk team"
CODE_PREFIX = "MDT1"
STATE_SERVER = "server"
STATE_KIND = "kind"
STATE_ADMIN = "admin"
ADMIN_PASSWORD_ENV = "PGPASSWORD"
_NO_KEYRING_HINT = ("Install and unlock a system keyring (GNOME Keyring, KWallet, macOS "
                    "Keychain or Windows Credential Manager), then try again.")


# -- where the server is ---------------------------------------------------------------------

@dataclass(frozen=True)
class ServerAddress:
    host: str
    port: int
    database: str
    sslmode: str = "prefer"

    def url(self, user: str, password: str | None) -> URL:
        return server.server_url(URL.create(
            "postgresql+psycopg", username=user, password=password, host=self.host,
            port=self.port, database=self.database, query={"sslmode": self.sslmode}))

    def label(self) -> str:
        return f"{self.host}:{self.port}/{self.database}"

    def to_json(self) -> str:
        return json.dumps({"host": self.host, "port": self.port, "database": self.database,
                           "sslmode": self.sslmode}, sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> ServerAddress:
        data = json.loads(raw)
        return cls(str(data["host"]), int(data["port"]), str(data["database"]),
                   str(data.get("sslmode") or "prefer"))

    @classmethod
    def from_url(cls, url: URL) -> ServerAddress:
        if not url.host or not url.database:
            raise TeamError("The server URL needs a host and a database name, like "
                            "postgresql://admin@db.example.org:5432/mentoring.")
        sslmode = url.query.get("sslmode") or "prefer"
        return cls(url.host, url.port or 5432, url.database,
                   sslmode if isinstance(sslmode, str) else sslmode[0])


# -- join codes ------------------------------------------------------------------------------

@dataclass(frozen=True)
class JoinCode:
    address: ServerAddress
    member: str
    secret: str

    def encode(self) -> str:
        body = json.dumps({"h": self.address.host, "p": self.address.port,
                           "d": self.address.database, "m": self.address.sslmode,
                           "u": self.member, "s": self.secret},
                          separators=(",", ":"), sort_keys=True).encode()
        packed = base64.urlsafe_b64encode(body).decode().rstrip("=")
        return f"{CODE_PREFIX}.{packed}.{zlib.crc32(body):08x}"

    @classmethod
    def decode(cls, code: str) -> JoinCode:
        bad = BadJoinCode("That join code is not valid (cut short or mistyped?); nothing was "
                          "changed.", hint="Copy the whole line again, or ask for a new code.")
        parts = code.strip().split(".")
        if len(parts) != 3 or parts[0] != CODE_PREFIX:
            raise bad
        try:
            body = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
            if f"{zlib.crc32(body):08x}" != parts[2]:
                raise bad
            data = json.loads(body)
            return cls(ServerAddress(str(data["h"]), int(data["p"]), str(data["d"]),
                                     str(data.get("m") or "prefer")),
                       str(data["u"]), str(data["s"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise bad from exc


# -- the keyring -----------------------------------------------------------------------------

def _keyring_user(address: ServerAddress, member: str) -> str:
    return f"{member}@{address.label()}"


def _keyring_call(action: Callable[[Any], Any]) -> Any:
    import keyring
    from keyring import errors
    from keyring.backends import chainer, fail, null

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring | null.Keyring) or (
            isinstance(backend, chainer.ChainerBackend) and not backend.backends):
        raise SecretStorageMissing("No secure password storage is available for the team "
                                   f"secret; nothing was changed. {KEPT}", hint=_NO_KEYRING_HINT)
    try:
        return action(backend)
    except errors.KeyringLocked as exc:
        raise SecretStorageMissing("Your keyring is locked.",
                                   hint="Unlock it and try again; nothing was lost.") from exc
    except errors.NoKeyringError as exc:
        raise SecretStorageMissing("No secure password storage is available.",
                                   hint=_NO_KEYRING_HINT) from exc
    except errors.PasswordDeleteError:
        return None
    except errors.KeyringError as exc:
        raise SecretStorageMissing(f"The system keyring failed ({type(exc).__name__}).",
                                   hint="Check that it is running and unlocked.") from exc


def store_secret(address: ServerAddress, member: str, secret: str) -> None:
    _keyring_call(lambda kr: kr.set_password(KEYRING_SERVICE,
                                             _keyring_user(address, member), secret))


def load_secret(address: ServerAddress, member: str) -> str | None:
    found = _keyring_call(lambda kr: kr.get_password(KEYRING_SERVICE,
                                                     _keyring_user(address, member)))
    return str(found) if found else None


def delete_secret(address: ServerAddress, member: str) -> None:
    _keyring_call(lambda kr: kr.delete_password(KEYRING_SERVICE,
                                                _keyring_user(address, member)))


# -- the admin's commands --------------------------------------------------------------------

def _admin_engine(url: URL) -> Engine:
    return server.make_engine(url, pooled=False)


def init_team(db: Database, url_text: str) -> str:
    """Create or upgrade the team schema, roles and policies on the server (as the admin
    the URL names). Idempotent. The address is remembered for ``invite``; the admin's
    password (from the URL, else $PGPASSWORD) goes to the keyring."""
    try:
        url = server.server_url(url_text)
    except Exception as exc:
        raise TeamError(f"That is not a PostgreSQL URL ({type(exc).__name__}).",
                        hint="Use postgresql://ADMIN@HOST:PORT/DATABASE") from exc
    address = ServerAddress.from_url(url)
    admin = url.username or os.environ.get("PGUSER") or ""
    if not admin:
        raise TeamError("The URL names no admin user (postgresql://ADMIN@HOST/DATABASE).")
    password = url.password if url.password is not None else os.environ.get(ADMIN_PASSWORD_ENV)
    engine = _admin_engine(address.url(admin, str(password) if password else None))
    try:
        with _known_errors():
            server.migrate(engine)
            with engine.connect() as conn:
                revision = server.schema_revision(conn)
    finally:
        engine.dispose()
    if password:
        store_secret(address, f"admin:{admin}", str(password))
    with db.transaction() as s:
        local.set_state(s, STATE_ADMIN, json.dumps({"server": address.to_json(), "user": admin}))
    return (f"Team ready on {address.label()} (schema {revision}). Invite people with "
            "`mentordesk team invite NAME`.")


def _admin(db: Database) -> tuple[ServerAddress, str, str | None]:
    with db.reader() as s:
        raw = local.get_state(s, STATE_ADMIN)
    if raw is None:
        raise NotInTeam("This file has not set up a team: run `mentordesk team init URL` "
                        "first (as the server's admin).")
    data = json.loads(raw)
    address = ServerAddress.from_json(data["server"])
    user = str(data["user"])
    password = load_secret(address, f"admin:{user}") or os.environ.get(ADMIN_PASSWORD_ENV)
    return address, user, password


def invite(db: Database, name: str, *, coordinator: bool = False) -> str:
    """A login role for ``name`` with a fresh secret; returns the one-line join code."""
    address, user, password = _admin(db)
    engine = _admin_engine(address.url(user, password))
    try:
        with _known_errors(), engine.begin() as conn:
            secret = server.create_member(conn, name, coordinator=coordinator)
    except ValueError as exc:
        raise TeamError(f"Cannot invite “{name}”: {exc}.") from exc
    finally:
        engine.dispose()
    return JoinCode(address, name, secret).encode()


@contextlib.contextmanager
def _known_errors() -> Iterator[None]:
    try:
        yield
    except TeamError:
        raise
    except Exception as exc:
        known = translate(exc)
        if known is not None:
            raise known from exc
        raise


# -- a member's desk -------------------------------------------------------------------------

@dataclass(frozen=True)
class Membership:
    address: ServerAddress
    member: str
    kind: str


def membership(db: Database) -> Membership | None:
    with db.reader() as s:
        raw = local.get_state(s, STATE_SERVER)
        member = local.get_state(s, STATE_MEMBER)
        kind = local.get_state(s, STATE_KIND)
    if raw is None or member is None:
        return None
    return Membership(ServerAddress.from_json(raw), member, kind or "mentor")


def _require(db: Database) -> Membership:
    found = membership(db)
    if found is None:
        raise NotInTeam("This desk is not in a team: join one with `mentordesk team join "
                        "CODE`.")
    return found


def member_engine(m: Membership, secret: str) -> Engine:
    return server.make_engine(m.address.url(m.member, secret))


def replicator_for(db: Database) -> tuple[Replicator, Membership]:
    m = _require(db)
    secret = load_secret(m.address, m.member)
    if secret is None:
        raise SecretStorageMissing(
            f"Team: the secret for {m.member} is not in this computer's keyring. {KEPT}",
            hint="Ask for a new invitation and run `mentordesk team join CODE` again.")
    return Replicator(db, member_engine(m, secret), member=m.member), m


def join(db: Database, code: str, progress: Progress | None = None) -> str:
    """Join with a code: check the server and the sign-in first, then the secret to the
    keyring, then the first full sync. A bad code, an unreachable server or a refused
    sign-in change nothing on this desk."""
    parsed = JoinCode.decode(code)
    if membership(db) is not None:
        raise TeamError("This desk is already in a team.",
                        hint="Run `mentordesk team leave` first to join another.")
    m = Membership(parsed.address, parsed.member, "mentor")
    engine = member_engine(m, parsed.secret)
    probe = Replicator(db, engine, member=parsed.member)
    try:
        with _known_errors(), engine.connect() as conn:
            kind = probe.check_server(conn)
    except TeamOffline as exc:
        engine.dispose()
        raise TeamOffline(f"Team: cannot reach {parsed.address.label()}; nothing was "
                          "changed.",
                          hint="Check the network and try the same code again.") from exc
    except BaseException:
        engine.dispose()
        raise
    try:
        store_secret(parsed.address, parsed.member, parsed.secret)
        with db.transaction() as s:
            local.set_state(s, STATE_SERVER, parsed.address.to_json())
            local.set_state(s, STATE_MEMBER, parsed.member)
            local.set_state(s, STATE_KIND, kind)
            local.set_state(s, STATE_CURSOR, INITIAL_CURSOR)
            if kind == "mentor":
                queued = local.queue_everything(s)
                local.start_capture(s)
                log.info("joined the team as a mentor; %d local rows queued", queued)
        if kind == "coordinator":
            return f"Joined {parsed.address.label()} as {parsed.member} (coordinator). " + \
                _program_line(engine)
        summary = probe.sync(progress)
        return (f"Joined {parsed.address.label()} as {parsed.member} (mentor); first sync: "
                f"{summary.line()}.")
    finally:
        engine.dispose()


def _program_line(engine: Engine) -> str:
    with _known_errors(), engine.connect() as conn:
        row = conn.execute(text("SELECT count(*), count(DISTINCT mentor) FROM team.program")
                           ).one()
    return f"The program has {row[0]} mentees with {row[1]} mentors."


def sync_once(db: Database, progress: Progress | None = None) -> str:
    replicator, m = replicator_for(db)
    try:
        if m.kind == "coordinator":
            return _program_line(replicator.engine)
        summary: RoundSummary = replicator.sync(progress)
        return f"Team sync: {summary.line()}."
    finally:
        replicator.engine.dispose()


def status(db: Database, *, check_server: bool = True) -> str:
    m = membership(db)
    if m is None:
        return "Team: not in a team."
    with db.reader() as s:
        waiting = local.pending_count(s)
        last = local.get_state(s, STATE_LAST_SYNC)
        refused = int(local.get_state(s, STATE_REFUSED) or 0)
        parked = local.count_state(s, PARKED_PREFIX)
    lines = [f"Team: {m.member} ({m.kind}) on {m.address.label()}"]
    state = "online"
    if check_server:
        try:
            replicator, _m = replicator_for(db)
            try:
                with replicator._connect():
                    pass
            finally:
                replicator.engine.dispose()
        except TeamOffline:
            state = "offline"
        except TeamError as exc:
            state = str(exc)
    if state == "offline":
        lines.append(counted(waiting, "Team: offline, {n} change waiting",
                             "Team: offline, {n} changes waiting"))
    elif state == "online":
        lines.append(counted(waiting, "Team: online, {n} change waiting",
                             "Team: online, {n} changes waiting"))
    else:
        lines.append(state)
    lines.append(f"Last sync: {last or 'never'}")
    if refused:
        lines.append(counted(refused, "{n} change was refused by the server (kept in this file)",
                             "{n} changes were refused by the server (kept in this file)"))
    if parked:
        lines.append(counted(parked, "{n} unsent change of a mentee moved to another mentor is "
                             "kept aside in this file", "{n} unsent changes of mentees moved "
                             "to other mentors are kept aside in this file"))
    return "\n".join(lines)


def leave(db: Database) -> str:
    """Stop replicating: the secret leaves the keyring, the team facts leave the file; every
    mentee, note and session stays on this desk."""
    m = _require(db)
    with contextlib.suppress(SecretStorageMissing):
        delete_secret(m.address, m.member)
    with db.transaction() as s:
        admin = local.get_state(s, STATE_ADMIN)
        local.forget_team(s)
        if admin is not None:
            local.set_state(s, STATE_ADMIN, admin)
    return f"Left the team on {m.address.label()}; everything on this desk is kept."
