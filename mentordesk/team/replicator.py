"""The replication worker: push the desk's outbox, pull the team's changes, merge.

Local-first: the app reads and writes only the SQLite file; edits queue themselves in the
same transaction (triggers, migration 0004). A round pulls first (everything the server
committed since the desk's cursor, merged into local rows), then pushes what is queued, each
write conditional on the server still holding the version this desk last saw. A write that
finds a newer version is pulled, merged and pushed again. Every server write is keyed by the
row's uid, so a push repeated after a crash or a lost reply changes nothing twice.

Plain Python for a worker thread or ``mentordesk team sync``; the GUI is not involved.
psycopg (~90 ms) is imported when a server error is translated: every app start imports
this module on the GUI thread (through ``membership``), in a team or not.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session as OrmSession

from mentordesk.plurals import counted
from mentordesk.storage import team_local as local
from mentordesk.storage import team_server as server
from mentordesk.storage.database import Database
from mentordesk.storage.team_migrations import KNOWN_REVISIONS
from mentordesk.storage.team_tables import BY_NAME, ORDER, canonical_uid
from mentordesk.team.errors import (
    KEPT,
    AccessRevoked,
    NoTeamSchema,
    ServerSchemaNewer,
    TeamError,
    TeamOffline,
)
from mentordesk.team.merge import merge_row

log = logging.getLogger(__name__)

PUSH_BATCH = 500
MAX_ROUNDS = 6
STATE_CURSOR = "cursor"
STATE_MEMBER = "member"
STATE_LAST_SYNC = "last_sync"
STATE_REFUSED = "refused"
PARKED_PREFIX = "parked:"
INITIAL_CURSOR = "0"


@dataclass
class RoundSummary:
    pulled: int = 0
    pushed: int = 0
    conflicts: int = 0
    refused: int = 0
    removed: int = 0
    pending: int = 0
    rounds: int = 0
    messages: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = f"pulled {self.pulled}, pushed {self.pushed}, conflicts {self.conflicts}"
        if self.removed:
            text += counted(self.removed, ", {n} mentee moved to another mentor",
                            ", {n} mentees moved to other mentors")
        if self.refused:
            text += f", {self.refused} refused by the server"
        if self.pending:
            text += f", {self.pending} still waiting"
        return text


Progress = Callable[[str, int, int], None]


def translate(exc: BaseException) -> TeamError | None:
    """A server failure as something to tell the person, or None for a bug."""
    if isinstance(exc, TeamError):
        return exc
    import psycopg

    text = str(getattr(exc, "orig", None) or exc).lower()
    # psycopg's own errors reach here unwrapped from raw connections (LISTEN).
    if isinstance(exc, DBAPIError | OSError | psycopg.Error):
        if ("password authentication failed" in text or "not permitted to log in" in text
                or "permission denied for database" in text
                or ("role" in text and "does not exist" in text)):
            return AccessRevoked(
                "Team: the server no longer accepts this desk's sign-in (access revoked "
                f"or the invitation replaced). {KEPT}",
                hint="Ask your program's admin for a new invitation, then run "
                     "`mentordesk team join CODE`.")
        if isinstance(exc, OperationalError | InterfaceError | OSError
                      | psycopg.OperationalError | psycopg.InterfaceError) or (
                "connection" in text and ("closed" in text or "lost" in text)):
            return TeamOffline("Team: the server cannot be reached.")
    return None


class Replicator:
    """One desk's replication against one team server."""

    def __init__(self, db: Database, engine: Engine, *, member: str) -> None:
        self.db = db
        self.engine = engine
        self.member = member
        self._checked = False

    # -- checks ----------------------------------------------------------------------------

    def check_server(self, conn: Connection) -> str:
        """Refuse a database without the team schema, or with a newer one than this desk
        knows; return this role's kind ('mentor' or 'coordinator')."""
        revision = server.schema_revision(conn)
        if revision is None:
            raise NoTeamSchema("Team: this database has no MentorDesk team (run `mentordesk "
                               "team init URL` as the admin first).")
        if revision not in KNOWN_REVISIONS:
            raise ServerSchemaNewer(
                f"Team: the server's schema ({revision}) is newer than this MentorDesk "
                f"knows ({KNOWN_REVISIONS[-1]}); nothing was sent or changed. {KEPT}",
                hint="Update MentorDesk on this computer, then sync again.")
        kind = server.member_kind(conn)
        if kind is None:
            raise AccessRevoked(f"Team: this desk's role is no longer a member of the team. "
                                f"{KEPT}", hint="Ask your program's admin for a new invitation.")
        return kind

    def _connect(self) -> Connection:
        try:
            conn = self.engine.connect()
        except Exception as exc:
            known = translate(exc)
            if known is not None:
                raise known from exc
            raise
        if not self._checked:
            try:
                self.check_server(conn)
                conn.rollback()
            except BaseException:
                conn.close()
                raise
            self._checked = True
        return conn

    # -- a round ---------------------------------------------------------------------------

    def sync(self, progress: Progress | None = None) -> RoundSummary:
        """Pull, then push until nothing is stale (bounded); raise a TeamError on failure."""
        summary = RoundSummary()
        try:
            self.pull(summary, progress)
            for _ in range(MAX_ROUNDS):
                summary.rounds += 1
                stale = self.push(summary, progress)
                if not stale:
                    break
                self.pull(summary, progress)
        except Exception as exc:
            known = translate(exc)
            if known is not None:
                self._remember_error(str(known))
                raise known from exc
            raise
        with self.db.transaction() as s:
            summary.pending = local.pending_count(s)
            local.set_state(s, STATE_LAST_SYNC, datetime.now(UTC).isoformat())
            local.set_state(s, "last_error", None)
        return summary

    def _remember_error(self, message: str) -> None:
        try:
            with self.db.transaction() as s:
                local.set_state(s, "last_error", message)
        except Exception:  # the file itself may be what failed; the error is raised anyway
            log.debug("could not record the team error", exc_info=True)

    # -- pull ------------------------------------------------------------------------------

    def pull(self, summary: RoundSummary | None = None, progress: Progress | None = None) -> int:
        summary = summary or RoundSummary()
        with self.db.reader() as s:
            cursor = local.get_state(s, STATE_CURSOR) or INITIAL_CURSOR
        with self._connect() as conn:
            horizon, changes = server.pull(conn, cursor)
            conn.rollback()
        if not changes and horizon == cursor:
            return 0
        if progress:
            progress("pull", 0, len(changes))
        with self.db.transaction() as s:
            local.capture_off(s)
            applied = self._apply(s, changes, summary)
            local.set_state(s, STATE_CURSOR, horizon)
            local.capture_on(s)
        if progress:
            progress("pull", len(changes), len(changes))
        summary.pulled += applied
        return applied

    def _apply(self, s: OrmSession, changes: list[server.Change],
               summary: RoundSummary) -> int:
        moves = [c for c in changes if c.table_name == "mentee_moves"]
        rows = [c for c in changes if c.table_name != "mentee_moves"]
        gone: set[str] = set()
        last_move: dict[str, dict[str, Any]] = {}
        for change in moves:  # in change order: the last one says where the mentee is now
            last_move[canonical_uid(change.body["mentee_uid"])] = change.body
        for mentee_uid, move in last_move.items():
            if move["to_mentor"] != self.member:
                self._remove_mentee(s, mentee_uid)
                gone.add(mentee_uid)
                summary.removed += 1

        def order(c: server.Change) -> tuple[int, int, int]:
            heads_first = 1 if c.body.get("series_uid") else 0
            return ORDER[c.table_name], heads_first, c.rev

        upserts = sorted((c for c in rows if not c.body.get("deleted")), key=order)
        deletes = sorted((c for c in rows if c.body.get("deleted")), key=order, reverse=True)
        # What this desk already has of these rows, read once per table: the echo of its
        # own pushes (most of a pull after a big push) is skipped without touching a row.
        bases: dict[str, dict[str, local.BaseVersion]] = {}
        pendings: dict[str, dict[str, local.Pending]] = {}
        for name in {c.table_name for c in rows}:
            uids = [canonical_uid(c.body["uid"]) for c in rows if c.table_name == name]
            bases[name] = local.get_bases(s, name, uids)
            pendings[name] = local.pending_among(s, name, uids)
        applied = 0
        for change in (*upserts, *deletes):
            uid = canonical_uid(change.body["uid"])
            base = bases[change.table_name].get(uid)
            if base is not None and base.rev >= change.rev:
                continue  # this desk's own write coming back, or older than what it has
            mentee = change.body.get("uid" if change.table_name == "mentees" else "mentee_uid")
            if mentee and canonical_uid(mentee) in gone:
                continue
            try:
                with s.begin_nested():
                    if self._apply_one(s, change, summary, base,
                                       pendings[change.table_name].get(uid)):
                        applied += 1
            except IntegrityError as exc:
                # A server row this desk cannot hold (written by hand, or by a newer
                # MentorDesk): skipped, so it never blocks the rest.
                log.warning("skipped %s %s from the team server: %s", change.table_name,
                            change.body.get("uid"), type(exc.orig).__name__)
        return applied

    def _apply_one(self, s: OrmSession, change: server.Change, summary: RoundSummary,
                   base: local.BaseVersion | None, pending: local.Pending | None) -> bool:
        spec = BY_NAME[change.table_name]
        uid = canonical_uid(change.body["uid"])
        theirs = None if change.body.get("deleted") else local.from_server(spec, change.body)
        if pending is None:
            if theirs is None:
                local.apply_delete(s, spec, uid)
            elif not local.apply_upsert(s, spec, uid, theirs):
                return False  # its parent is gone here; the parent's delete is on its way
            local.set_base(s, spec.name, uid, change.rev, theirs)
            return True
        if theirs is None:
            # Deleted on another desk while changed here: the delete wins.
            local.apply_delete(s, spec, uid)
            local.clear_pending(s, [pending])
            local.set_base(s, spec.name, uid, change.rev, None)
            return True
        if pending.op == "delete":
            local.set_base(s, spec.name, uid, change.rev, theirs)  # our delete goes over it
            return True
        mine = local.read_payloads(s, spec, [uid]).get(uid)
        if mine is None:
            local.set_base(s, spec.name, uid, change.rev, theirs)
            return True
        merged = merge_row(spec, base.data if base is not None else None, mine, theirs)
        if merged.conflicts:
            summary.conflicts += 1
            log.info("merged %s %s: both desks changed %s", spec.name, uid,
                     ", ".join(merged.conflicts))
        if merged.payload != mine:
            local.apply_upsert(s, spec, uid, merged.payload)
        local.set_base(s, spec.name, uid, change.rev, theirs)
        if merged.payload == theirs:
            local.clear_pending(s, [pending])
        return True

    def _remove_mentee(self, s: OrmSession, mentee_uid: str) -> None:
        """The mentee now belongs to another mentor: its rows leave this desk. Changes made
        here and not yet pushed are kept aside in the file (``parked:`` team state)."""
        for table_name, uid in local.rows_of_mentee(s, mentee_uid):
            pending = local.pending_for(s, table_name, uid)
            if pending is None:
                continue
            if pending.op == "upsert":
                data = local.read_payloads(s, BY_NAME[table_name], [uid]).get(uid)
                if data is not None:
                    local.set_state(s, f"{PARKED_PREFIX}{table_name}:{uid}",
                                    json.dumps(data, sort_keys=True))
            local.clear_pending(s, [pending])
        local.delete_mentee_locally(s, mentee_uid)

    # -- push ------------------------------------------------------------------------------

    def push(self, summary: RoundSummary | None = None,
             progress: Progress | None = None) -> list[local.Pending]:
        """Send what is queued, in batches; return the entries the server had a newer
        version of (pull and merge them, then push again)."""
        summary = summary or RoundSummary()
        with self.db.reader() as s:
            entries = local.pending(s)
        if not entries:
            return []
        upserts = sorted((e for e in entries if e.op == "upsert"),
                         key=lambda e: (ORDER[e.table_name], e.seq))
        deletes = sorted((e for e in entries if e.op == "delete"),
                         key=lambda e: (-ORDER[e.table_name], e.seq))
        ordered = [*upserts, *deletes]
        stale: list[local.Pending] = []
        done = 0
        with self._connect() as conn:
            for start in range(0, len(ordered), PUSH_BATCH):
                batch = ordered[start:start + PUSH_BATCH]
                stale += self._push_batch(conn, batch, summary)
                done += len(batch)
                if progress:
                    progress("push", done, len(ordered))
        return stale

    def _push_batch(self, conn: Connection, batch: list[local.Pending],
                    summary: RoundSummary) -> list[local.Pending]:
        with self.db.reader() as s:
            payloads: dict[str, dict[str, local.Payload]] = {}
            bases: dict[str, dict[str, local.BaseVersion]] = {}
            for name in {e.table_name for e in batch}:
                uids = [e.uid for e in batch if e.table_name == name]
                payloads[name] = local.read_payloads(s, BY_NAME[name], uids)
                bases[name] = local.get_bases(s, name, uids)
        try:
            with conn.begin():
                results, stale = self._write(conn, batch, payloads, bases, isolate=False)
        except DBAPIError as exc:
            if translate(exc) is not None:
                raise
            # Something in the batch was refused (row-level security, a missing parent):
            # find it row by row, each in its own savepoint, and send the rest.
            log.warning("team push refused a row (%s); isolating", type(exc.orig).__name__)
            with conn.begin():
                results, stale = self._write(conn, batch, payloads, bases, isolate=True)
        refused = [e for e, rev, _p in results if rev == -1]
        summary.refused += len(refused)
        with self.db.transaction() as s:
            for entry, rev, payload in results:
                if rev is not None and rev >= 0:
                    local.set_base(s, entry.table_name, entry.uid, rev, payload)
            local.clear_pending(s, [e for e, _rev, _p in results])
            if refused:
                count = int(local.get_state(s, STATE_REFUSED) or 0) + len(refused)
                local.set_state(s, STATE_REFUSED, str(count))
        summary.pushed += sum(1 for _e, rev, _p in results if rev is not None and rev >= 0)
        return stale

    def _write(self, conn: Connection, batch: Iterable[local.Pending],
               payloads: dict[str, dict[str, local.Payload]],
               bases: dict[str, dict[str, local.BaseVersion]], *, isolate: bool,
               ) -> tuple[list[tuple[local.Pending, int | None, local.Payload | None]],
                          list[local.Pending]]:
        """Results as (entry, new rev or None when nothing needed sending or -1 when
        refused, the payload now on the server)."""
        results: list[tuple[local.Pending, int | None, local.Payload | None]] = []
        stale: list[local.Pending] = []
        batch = list(batch)
        if not isolate:
            # Rows new to the server go in one statement per table (parents' tables first).
            fresh = [e for e in batch if e.op == "upsert" and e.uid not in bases[e.table_name]
                     and payloads[e.table_name].get(e.uid) is not None]
            for name in sorted({e.table_name for e in fresh}, key=ORDER.__getitem__):
                group = [e for e in fresh if e.table_name == name]
                for start in range(0, len(group), 100):
                    chunk = group[start:start + 100]
                    revs = server.insert_rows(conn, BY_NAME[name], [
                        (e.uid, payloads[name][e.uid]) for e in chunk])
                    for e in chunk:
                        rev = revs.get(e.uid)
                        if rev is None:
                            stale.append(e)
                        else:
                            results.append((e, rev, payloads[name][e.uid]))
            done = {id(e) for e in fresh}
            batch = [e for e in batch if id(e) not in done]
        for e in batch:
            spec = BY_NAME[e.table_name]
            base = bases[e.table_name].get(e.uid)
            payload = payloads[e.table_name].get(e.uid)
            if e.op == "upsert" and payload is None:
                results.append((e, None, None))  # gone again since; its delete is queued
                continue
            if e.op == "delete" and (base is None or base.data is None):
                results.append((e, None, None))  # not on the server (or deleted there)
                continue
            if e.op == "upsert" and base is not None and base.data == payload:
                results.append((e, None, None))  # nothing the team does not have
                continue

            def send(e: local.Pending = e, base: local.BaseVersion | None = base,
                     payload: local.Payload | None = payload) -> int | None:
                spec = BY_NAME[e.table_name]
                if e.op == "delete":
                    assert base is not None
                    return server.delete_row(conn, spec, e.uid, base.rev)
                assert payload is not None
                if base is None:
                    return server.insert_row(conn, spec, e.uid, payload)
                return server.update_row(conn, spec, e.uid, payload, base.rev)

            if isolate:
                try:
                    with conn.begin_nested():
                        rev = send()
                except DBAPIError as exc:
                    if translate(exc) is not None:
                        raise
                    log.warning("team server refused %s %s: %s", spec.name, e.uid,
                                type(exc.orig).__name__)
                    results.append((e, -1, None))
                    continue
            else:
                rev = send()
            if rev is None:
                stale.append(e)
            else:
                results.append((e, rev, None if e.op == "delete" else payload))
        return results, stale

    # -- the worker loop -------------------------------------------------------------------

    def run(self, stop: threading.Event, *, wake: threading.Event | None = None,
            poll: float = 0.5, retry: float = 5.0,
            on_round: Callable[[RoundSummary | TeamError], None] | None = None) -> None:
        """Sync now, then whenever the server notifies a change, this desk queues one
        (checked every ``poll`` seconds, or at once when ``wake`` is set), until ``stop``.
        Offline: retry every ``retry`` seconds; the desk works on meanwhile."""
        while not stop.is_set():
            try:
                with server.listening(self.engine) as listener:
                    self._report(self.sync(), on_round)
                    while not stop.is_set():
                        notified = False
                        for _n in listener.notifies(timeout=poll, stop_after=1):
                            notified = True
                        woken = wake is not None and wake.is_set()
                        if wake is not None:
                            wake.clear()
                        if notified or woken or self._has_pending():
                            self._report(self.sync(), on_round)
            except Exception as exc:
                known = translate(exc)
                if known is None:
                    raise
                self._checked = False
                self._report(known, on_round)
                stop.wait(retry)

    def _has_pending(self) -> bool:
        with self.db.reader() as s:
            return local.pending_count(s) > 0

    @staticmethod
    def _report(result: RoundSummary | TeamError,
                on_round: Callable[[RoundSummary | TeamError], None] | None) -> None:
        if on_round is not None:
            on_round(result)

