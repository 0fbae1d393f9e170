"""The team server's side: PostgreSQL through SQLAlchemy and psycopg 3.

Schema (Alembic, ``team_migrations``), members (login roles), the pull (one statement: the
``team.changes`` function) and the push (optimistic writes keyed by uid and the server's
change number of the version the desk last saw). Row-level security decides what each
desk's role may read and write; nothing here checks access itself.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, make_url, text
from sqlalchemy.pool import NullPool

from mentordesk.storage.team_local import Payload, extra_keys, payload_keys
from mentordesk.storage.team_migrations import SCHEMA, VERSION_TABLE
from mentordesk.storage.team_tables import (
    BOOL,
    DATE,
    FLOAT,
    INSTANT,
    INT,
    SET,
    TEXT,
    TableSpec,
)

# Alembic (~0.1 s) is imported by ``migrate`` alone, which only ``mentordesk team init`` runs:
# every app start loads this module (the Team button asks whether the desk is in a team).

MENTOR_GROUP = "mentordesk_mentor"
COORDINATOR_GROUP = "mentordesk_coordinator"
NOTIFY_CHANNEL = "mentordesk_team"
CONNECT_TIMEOUT_S = 5
MEMBER_NAME = re.compile(r"[a-z][a-z0-9_]{0,40}")

_SQL_TYPE = {TEXT: "text", INT: "integer", FLOAT: "double precision", BOOL: "boolean",
             DATE: "date", INSTANT: "timestamptz", SET: "jsonb"}


def server_url(url: str | URL, *, username: str | None = None,
               password: str | None = None) -> URL:
    """The SQLAlchemy URL for psycopg 3, TLS when the server offers it (``sslmode=prefer``
    unless the URL says otherwise)."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.drivername in ("postgres", "postgresql", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername != "postgresql+psycopg":
        raise ValueError(f"not a PostgreSQL URL ({parsed.drivername})")
    if "sslmode" not in parsed.query:
        parsed = parsed.update_query_dict({"sslmode": "prefer"})
    if username is not None:
        parsed = parsed.set(username=username)
    if password is not None:
        parsed = parsed.set(password=password)
    return parsed


def make_engine(url: URL, *, pooled: bool = True) -> Engine:
    kwargs: dict[str, Any] = {
        # Errors would otherwise quote the bound values (note text) into the log.
        "hide_parameters": True,
        "connect_args": {"connect_timeout": CONNECT_TIMEOUT_S,
                         "application_name": "MentorDesk",
                         "options": "-c TimeZone=UTC"},
    }
    if not pooled:
        kwargs["poolclass"] = NullPool
    else:
        kwargs["pool_pre_ping"] = True
        kwargs["pool_size"] = 2
    return create_engine(url, **kwargs)


# -- schema ----------------------------------------------------------------------------------

def migrate(engine: Engine, target: str = "head") -> None:
    """Create or upgrade the team schema (as the admin). Running it again changes nothing."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("team_migrations")))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
        conn.commit()


def schema_revision(conn: Connection) -> str | None:
    """The server schema's Alembic revision (None: no team schema in this database)."""
    exists = conn.scalar(text("SELECT to_regclass(:name)"),
                         {"name": f"{SCHEMA}.{VERSION_TABLE}"})
    if exists is None:
        return None
    found = conn.scalar(text(f"SELECT version_num FROM {SCHEMA}.{VERSION_TABLE}"))
    return str(found) if found is not None else None


# -- members ---------------------------------------------------------------------------------

def new_secret() -> str:
    return secrets.token_urlsafe(24)


def create_member(conn: Connection, name: str, *, coordinator: bool) -> str:
    """A login role for one person (a mentor, or a coordinator); returns its new secret.
    Inviting an existing member again gives them a new secret (the old one stops working)."""
    if not MEMBER_NAME.fullmatch(name):
        raise ValueError("a member name is lowercase letters, digits and _, starting with a "
                         "letter (at most 41 characters)")
    secret = new_secret()
    group = COORDINATOR_GROUP if coordinator else MENTOR_GROUP
    other = MENTOR_GROUP if coordinator else COORDINATOR_GROUP
    quoted = conn.dialect.identifier_preparer.quote(name)
    literal = conn.scalar(text("SELECT quote_literal(:s)"), {"s": secret})
    exists = conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name})
    verb = "ALTER" if exists else "CREATE"
    conn.exec_driver_sql(f"{verb} ROLE {quoted} LOGIN PASSWORD {literal}"
                         .replace("%", "%%"))
    conn.exec_driver_sql(f"GRANT {group} TO {quoted}")
    if exists:
        conn.exec_driver_sql(f"REVOKE {other} FROM {quoted}")
    return secret


def member_kind(conn: Connection) -> str | None:
    """'mentor', 'coordinator', or None for a role that is neither (any more)."""
    row = conn.execute(text(
        "SELECT pg_has_role(current_user, :m, 'MEMBER'), "
        "pg_has_role(current_user, :c, 'MEMBER')"),
        {"m": MENTOR_GROUP, "c": COORDINATOR_GROUP}).one()
    if row[1]:
        return "coordinator"
    if row[0]:
        return "mentor"
    return None


# -- pull ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    table_name: str
    rev: int
    body: dict[str, Any]


def pull(conn: Connection, since: str) -> tuple[str, list[Change]]:
    """Everything this role may see that changed in transactions from ``since`` up to the
    horizon (every transaction below it has finished); returns the horizon, the next
    ``since``. One statement, one round trip; rows in change order."""
    rows = conn.execute(text("SELECT horizon::text, tbl, rev, body "
                             "FROM team.changes(CAST(:since AS xid8)) ORDER BY rev NULLS FIRST"),
                        {"since": since}).all()
    horizon = str(rows[0][0])
    changes = [Change(str(t), int(r), b if isinstance(b, dict) else json.loads(b))
               for _h, t, r, b in rows[1:]]
    return horizon, changes


# -- push ------------------------------------------------------------------------------------

def _column_types(spec: TableSpec) -> dict[str, str]:
    types = {f.name: _SQL_TYPE[f.kind] for f in spec.fields}
    for ref in spec.refs:
        types[ref.server] = "uuid"
    for key in extra_keys(spec):
        types[key] = "uuid"
    return types


def _params(spec: TableSpec, uid: str, payload: Payload) -> dict[str, Any]:
    params: dict[str, Any] = {"uid": uid}
    types = _column_types(spec)
    for key in payload_keys(spec):
        value = payload.get(key)
        params[key] = json.dumps(value) if types[key] == "jsonb" else value
    return params


_statements: dict[tuple[str, str], str] = {}


def _statement(spec: TableSpec, kind: str) -> str:
    key = (spec.name, kind)
    if key in _statements:
        return _statements[key]
    types = _column_types(spec)
    cols = list(payload_keys(spec))
    target = f"{SCHEMA}.{spec.name}"
    if kind == "insert":
        names = ", ".join(["uid", *cols])
        values = ", ".join(["CAST(:uid AS uuid)", *(f"CAST(:{c} AS {types[c]})" for c in cols)])
        sql = (f"INSERT INTO {target} ({names}) VALUES ({values}) "
               "ON CONFLICT DO NOTHING RETURNING rev")
    elif kind == "update":
        sets = ", ".join([*(f"{c} = CAST(:{c} AS {types[c]})" for c in cols), "deleted = false"])
        sql = (f"UPDATE {target} SET {sets} WHERE uid = CAST(:uid AS uuid) AND rev = :rev "
               "RETURNING rev")
    else:
        sql = (f"UPDATE {target} SET deleted = true WHERE uid = CAST(:uid AS uuid) "
               "AND rev = :rev RETURNING rev")
    if spec.name == "board_columns":
        sql = sql.replace("WHERE uid", "WHERE owner = current_user AND uid")
    _statements[key] = sql
    return sql


def insert_row(conn: Connection, spec: TableSpec, uid: str, payload: Payload) -> int | None:
    """Insert a row new to the server: its change number, or None if the uid exists."""
    found = conn.scalar(text(_statement(spec, "insert")), _params(spec, uid, payload))
    return int(found) if found is not None else None


def insert_rows(conn: Connection, spec: TableSpec,
                rows: list[tuple[str, Payload]]) -> dict[str, int]:
    """Insert rows new to the server in one statement: uid -> change number for those
    inserted (a uid already on the server is left out: pull and merge it)."""
    if not rows:
        return {}
    types = _column_types(spec)
    cols = list(payload_keys(spec))
    names = ", ".join(["uid", *cols])
    params: dict[str, Any] = {}
    groups = []
    for i, (uid, payload) in enumerate(rows):
        row_params = _params(spec, uid, payload)
        params.update({f"{k}_{i}": v for k, v in row_params.items()})
        groups.append("(" + ", ".join([f"CAST(:uid_{i} AS uuid)",
                                       *(f"CAST(:{c}_{i} AS {types[c]})" for c in cols)]) + ")")
    sql = (f"INSERT INTO {SCHEMA}.{spec.name} ({names}) VALUES {', '.join(groups)} "
           "ON CONFLICT DO NOTHING RETURNING uid, rev")
    return {uid.hex: int(rev) for uid, rev in conn.execute(text(sql), params)}


def update_row(conn: Connection, spec: TableSpec, uid: str, payload: Payload,
               rev: int) -> int | None:
    """Write ``payload`` over the version ``rev``: the new change number, or None when the
    server's row is no longer that version (someone else changed it: pull and merge)."""
    params = _params(spec, uid, payload)
    params["rev"] = rev
    found = conn.scalar(text(_statement(spec, "update")), params)
    return int(found) if found is not None else None


def delete_row(conn: Connection, spec: TableSpec, uid: str, rev: int) -> int | None:
    found = conn.scalar(text(_statement(spec, "delete")), {"uid": uid, "rev": rev})
    return int(found) if found is not None else None


# -- notifications ---------------------------------------------------------------------------

@contextmanager
def listening(engine: Engine) -> Iterator[Any]:
    """A dedicated connection LISTENing to the team channel; yields psycopg's connection,
    whose ``notifies(timeout=...)`` wakes on each committed change."""
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None
        driver.autocommit = True
        driver.execute(f"LISTEN {NOTIFY_CHANNEL}")
        yield driver
    finally:
        raw.invalidate()  # never hand a LISTENing connection back to the pool


def redact(url: URL | str) -> str:
    """A URL fit for messages and logs: never the password."""
    parsed = make_url(url) if isinstance(url, str) else url
    return parsed.render_as_string(hide_password=True)


def query_without(url: URL, *keys: str) -> Mapping[str, Any]:
    return {k: v for k, v in url.query.items() if k not in keys}


# -- the coordinator's program overview -----------------------------------------------------

@dataclass(frozen=True)
class ProgramFacts:
    """What the program view needs, read in one transaction through the caller's role (a
    coordinator's column privileges allow exactly these columns)."""

    mentees: list[tuple[Any, ...]]  # uid, name, mentor, interval, unit, target, max,
    #                                  archived, snoozed_until, created_at
    last_held: dict[str, Any]
    next_single: dict[str, Any]
    series: list[tuple[Any, ...]]  # uid, mentee_uid, start_utc, timezone, rrule
    exceptions: dict[str, list[Any]]  # series uid -> original starts
    goals: dict[str, tuple[int, int]]  # mentee uid -> (all, done)


def program_facts(conn: Connection) -> ProgramFacts:
    conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
    mentees = [tuple(r) for r in conn.execute(text(
        "SELECT uid::text, name, mentor, cadence_interval, cadence_unit, target_gap_days, "
        "max_gap_days, archived, snoozed_until, created_at FROM team.mentees "
        "WHERE NOT deleted"))]
    last_held = {str(u): t for u, t in conn.execute(text(
        "SELECT mentee_uid::text, max(start_utc) FROM team.sessions "
        "WHERE NOT deleted AND status = 'held' GROUP BY mentee_uid"))}
    next_single = {str(u): t for u, t in conn.execute(text(
        "SELECT mentee_uid::text, min(start_utc) FROM team.sessions "
        "WHERE NOT deleted AND status = 'scheduled' AND rrule IS NULL "
        "AND start_utc >= now() GROUP BY mentee_uid"))}
    series = [tuple(r) for r in conn.execute(text(
        "SELECT uid::text, mentee_uid::text, start_utc, timezone, rrule FROM team.sessions "
        "WHERE NOT deleted AND status = 'scheduled' AND rrule IS NOT NULL "
        "AND series_uid IS NULL"))]
    exceptions: dict[str, list[Any]] = {}
    for series_uid, original in conn.execute(text(
            "SELECT series_uid::text, original_start_utc FROM team.sessions "
            "WHERE NOT deleted AND series_uid IS NOT NULL "
            "AND original_start_utc IS NOT NULL")):
        exceptions.setdefault(str(series_uid), []).append(original)
    goals = {str(u): (int(n), int(d)) for u, n, d in conn.execute(text(
        "SELECT mentee_uid::text, count(*), count(completed_at) FROM team.goals "
        "WHERE NOT deleted GROUP BY mentee_uid"))}
    return ProgramFacts(mentees, last_held, next_single, series, exceptions, goals)
