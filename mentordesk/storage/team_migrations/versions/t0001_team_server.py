"""team server: replicated tables, change stamps, roles, row-level security, notifications

Revision ID: t0001
Revises:
Create Date: 2026-11-26 09:30:00

Rows are keyed by their global id (uuid). Every insert or update is stamped by a trigger with
``rev`` (a sequence: the order of changes) and ``xid`` (the writing transaction's id, xid8).
Desks pull by ``xid``, never past the oldest transaction still running (the snapshot's xmin):
sequence values are handed out at write time, not at commit, so "everything after rev N" can
skip a row whose transaction commits late; "every transaction below the horizon" cannot.
Deletes are tombstones (``deleted``) so they travel the same way.

Access is PostgreSQL's: desks log in as their own roles, members of ``mentordesk_mentor`` or
``mentordesk_coordinator``. Row-level security lets a mentor see and write only their own
mentees and the rows under them (the policy looks the mentee's mentor up, so reassigning a
mentee moves access with it); column privileges let a coordinator read names, mentors,
cadence, goals, progress and session dates, and refuse note text, agendas, private notes,
descriptions and links outright ("permission denied"). The admin who runs the migration owns
the tables and is never a desk's login.
"""

import re
from collections.abc import Sequence

from alembic import op

revision: str = "t0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MENTOR = "mentordesk_mentor"
COORDINATOR = "mentordesk_coordinator"

_STAMP = "rev bigint NOT NULL, xid xid8 NOT NULL, changed_by name NOT NULL DEFAULT current_user"

# table -> (data columns DDL, the columns a coordinator may read)
_TABLES: dict[str, tuple[str, str]] = {
    "mentees": (
        "uid uuid PRIMARY KEY, mentor name NOT NULL DEFAULT current_user, "
        "name text, email text, timezone text, cadence_interval integer, cadence_unit text, "
        "target_gap_days integer, max_gap_days integer, meeting_link text, background text, "
        "archived boolean, snoozed_until timestamptz, created_at timestamptz, "
        "tags jsonb NOT NULL DEFAULT '[]'",
        "uid, mentor, name, timezone, cadence_interval, cadence_unit, target_gap_days, "
        "max_gap_days, archived, snoozed_until, created_at, tags",
    ),
    "board_columns": (
        "owner name NOT NULL DEFAULT current_user, uid uuid NOT NULL, "
        "name text, position integer, status_key text, "
        "PRIMARY KEY (owner, uid)",
        "owner, uid, name, position, status_key",
    ),
    "goals": (
        "uid uuid PRIMARY KEY, mentee_uid uuid NOT NULL REFERENCES team.mentees(uid), "
        "column_uid uuid, position integer, title text, description text, "
        "target_value double precision, target_unit text, current_value double precision, "
        "progress_mode text, manual_progress integer, due_date date, "
        "completed_at timestamptz, created_at timestamptz",
        "uid, mentee_uid, column_uid, position, title, target_value, target_unit, "
        "current_value, progress_mode, manual_progress, due_date, completed_at, created_at",
    ),
    "milestones": (
        "uid uuid PRIMARY KEY, mentee_uid uuid NOT NULL REFERENCES team.mentees(uid), "
        "goal_uid uuid, title text, done boolean, done_at timestamptz, position integer, "
        "created_at timestamptz",
        "uid, mentee_uid, goal_uid, title, done, done_at, position",
    ),
    "sessions": (
        "uid uuid PRIMARY KEY, owner name NOT NULL DEFAULT current_user, "
        "mentee_uid uuid REFERENCES team.mentees(uid), series_uid uuid, title text, "
        "start_utc timestamptz, timezone text, duration_minutes integer, rrule text, "
        "original_start_utc timestamptz, status text, agenda text, meeting_link text, "
        "want_meet boolean, started_at timestamptz, ended_at timestamptz, "
        "google_event_id text, created_at timestamptz, goal_uids jsonb NOT NULL DEFAULT '[]'",
        "uid, mentee_uid, series_uid, start_utc, timezone, duration_minutes, rrule, "
        "original_start_utc, status",
    ),
    "notes": (
        "uid uuid PRIMARY KEY, mentee_uid uuid NOT NULL REFERENCES team.mentees(uid), "
        "session_uid uuid, body text, private boolean, created_at timestamptz",
        "",
    ),
    "action_items": (
        "uid uuid PRIMARY KEY, mentee_uid uuid NOT NULL REFERENCES team.mentees(uid), "
        "session_uid uuid, goal_uid uuid, text text, kind text, done boolean, "
        "done_at timestamptz, due_date date, position integer, created_at timestamptz",
        "",
    ),
    "resource_links": (
        "uid uuid PRIMARY KEY, mentee_uid uuid NOT NULL REFERENCES team.mentees(uid), "
        "goal_uid uuid, title text, url text, position integer, created_at timestamptz",
        "",
    ),
}
_CHILDREN = ("goals", "milestones", "sessions", "notes", "action_items", "resource_links")
_MY_MENTEE = ("EXISTS (SELECT 1 FROM team.mentees m WHERE m.uid = mentee_uid "
              "AND m.mentor = current_user)")


def _columns(ddl: str) -> list[str]:
    names = (part.split()[0] for part in ddl.split(", "))
    return [n for n in names if re.fullmatch(r"[a-z_]+", n)]


def _writable(table: str) -> str:
    """Columns a mentor's desk may write: never the stamps, the mentor or the owner."""
    cols = [c for c in _columns(_TABLES[table][0])
            if c not in ("mentor", "owner", "rev", "xid", "changed_by")]
    return ", ".join([*cols, "deleted"])


def upgrade() -> None:
    op.execute(f"""
        DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{MENTOR}') THEN
            CREATE ROLE {MENTOR} NOLOGIN;
          END IF;
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{COORDINATOR}') THEN
            CREATE ROLE {COORDINATOR} NOLOGIN;
          END IF;
          EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC',
                         current_database());
          EXECUTE format('GRANT CONNECT ON DATABASE %I TO {MENTOR}, {COORDINATOR}',
                         current_database());
        END $$""")
    op.execute("REVOKE ALL ON SCHEMA team FROM PUBLIC")
    op.execute(f"GRANT USAGE ON SCHEMA team TO {MENTOR}, {COORDINATOR}")
    op.execute(f"GRANT SELECT ON team.alembic_version TO {MENTOR}, {COORDINATOR}")
    op.execute("CREATE SEQUENCE team.change_seq")
    op.execute(f"GRANT USAGE ON SEQUENCE team.change_seq TO {MENTOR}, {COORDINATOR}")
    op.execute("""
        CREATE FUNCTION team.stamp() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          NEW.rev := nextval('team.change_seq');
          NEW.xid := pg_current_xact_id();
          NEW.changed_by := current_user;
          RETURN NEW;
        END $$""")
    # One notification per committed transaction that changed anything (identical payloads
    # within a transaction are folded); it wakes every listening desk.
    op.execute("""
        CREATE FUNCTION team.notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('mentordesk_team', '');
          RETURN NULL;
        END $$""")

    for table, (ddl, _coordinator) in _TABLES.items():
        op.execute(f"CREATE TABLE team.{table} ({ddl}, "
                   f"deleted boolean NOT NULL DEFAULT false, {_STAMP})")
        op.execute(f"CREATE INDEX {table}_xid ON team.{table} (xid)")
        op.execute(f"CREATE TRIGGER {table}_stamp BEFORE INSERT OR UPDATE ON team.{table} "
                   "FOR EACH ROW EXECUTE FUNCTION team.stamp()")
        op.execute(f"CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE ON team.{table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION team.notify()")
        op.execute(f"ALTER TABLE team.{table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"GRANT SELECT, INSERT ({_writable(table)}), UPDATE ({_writable(table)}) "
                   f"ON team.{table} TO {MENTOR}")
    for table in _CHILDREN:
        op.execute(f"CREATE INDEX {table}_mentee ON team.{table} (mentee_uid)")
    op.execute("CREATE INDEX mentees_mentor ON team.mentees (mentor)")

    # Mentors: their own mentees, and every row under them.
    op.execute(f"CREATE POLICY mentor_rows ON team.mentees FOR ALL TO {MENTOR} "
               "USING (mentor = current_user) WITH CHECK (mentor = current_user)")
    op.execute(f"CREATE POLICY mentor_rows ON team.board_columns FOR ALL TO {MENTOR} "
               "USING (owner = current_user) WITH CHECK (owner = current_user)")
    for table in _CHILDREN:
        rule = _MY_MENTEE
        if table == "sessions":  # a calendar event with no mentee belongs to its writer
            rule = f"(CASE WHEN mentee_uid IS NULL THEN owner = current_user ELSE {_MY_MENTEE} END)"
        op.execute(f"CREATE POLICY mentor_rows ON team.{table} FOR ALL TO {MENTOR} "
                   f"USING ({rule}) WITH CHECK ({rule})")

    # Coordinators: every mentee's overview columns, nothing written by the mentor as text.
    for table, (_ddl, readable) in _TABLES.items():
        if not readable:
            continue
        op.execute(f"GRANT SELECT ({readable}, deleted, rev) ON team.{table} TO {COORDINATOR}")
        op.execute(f"CREATE POLICY coordinator_reads ON team.{table} FOR SELECT "
                   f"TO {COORDINATOR} USING (true)")
    op.execute(f"GRANT UPDATE (mentor) ON team.mentees TO {COORDINATOR}")
    op.execute(f"CREATE POLICY coordinator_reassigns ON team.mentees FOR UPDATE "
               f"TO {COORDINATOR} USING (true) "
               f"WITH CHECK (pg_has_role(mentor, '{MENTOR}', 'MEMBER'))")

    # Reassignment: the new mentor's desks must receive the mentee's rows (their stamps are
    # renewed) and the old mentor's desks must learn to drop them (a move they can read).
    op.execute("""
        CREATE TABLE team.mentee_moves (
          id bigserial PRIMARY KEY, mentee_uid uuid NOT NULL,
          from_mentor name NOT NULL, to_mentor name NOT NULL,
          rev bigint NOT NULL DEFAULT nextval('team.change_seq'),
          xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
          moved_at timestamptz NOT NULL DEFAULT now())""")
    op.execute("CREATE INDEX mentee_moves_xid ON team.mentee_moves (xid)")
    op.execute("ALTER TABLE team.mentee_moves ENABLE ROW LEVEL SECURITY")
    op.execute(f"GRANT SELECT ON team.mentee_moves TO {MENTOR}, {COORDINATOR}")
    op.execute(f"CREATE POLICY own_moves ON team.mentee_moves FOR SELECT TO {MENTOR} "
               "USING (from_mentor = current_user OR to_mentor = current_user)")
    op.execute(f"CREATE POLICY all_moves ON team.mentee_moves FOR SELECT TO {COORDINATOR} "
               "USING (true)")
    restamp = "\n".join(f"UPDATE team.{t} SET deleted = deleted WHERE mentee_uid = NEW.uid;"
                        for t in _CHILDREN)
    op.execute(f"""
        CREATE FUNCTION team.on_reassign() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, team AS $$
        BEGIN
          INSERT INTO team.mentee_moves (mentee_uid, from_mentor, to_mentor)
            VALUES (NEW.uid, OLD.mentor, NEW.mentor);
          {restamp}
          RETURN NULL;
        END $$""")
    op.execute("REVOKE ALL ON FUNCTION team.on_reassign() FROM PUBLIC")
    op.execute("CREATE TRIGGER mentees_reassign AFTER UPDATE OF mentor ON team.mentees "
               "FOR EACH ROW WHEN (OLD.mentor IS DISTINCT FROM NEW.mentor) "
               "EXECUTE FUNCTION team.on_reassign()")

    # The pull: one statement, one round trip. Row-level security filters it for the caller
    # (SECURITY INVOKER); the horizon is this statement's snapshot xmin, so every transaction
    # below it has finished and is visible here.
    branches = "\n".join(
        f"UNION ALL SELECT h.h, '{t}', t.rev, to_jsonb(t) - 'xid' "
        f"FROM team.{t} t, h WHERE t.xid >= since AND t.xid < h.h"
        for t in (*_TABLES, "mentee_moves")
    )
    op.execute(f"""
        CREATE FUNCTION team.changes(since xid8)
        RETURNS TABLE (horizon xid8, tbl text, rev bigint, body jsonb)
        LANGUAGE sql STABLE AS $$
          WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS h)
          SELECT h.h, NULL::text, NULL::bigint, NULL::jsonb FROM h
          {branches}
        $$""")
    op.execute(f"GRANT EXECUTE ON FUNCTION team.changes(xid8) TO {MENTOR}")
    op.execute("REVOKE EXECUTE ON FUNCTION team.changes(xid8) FROM PUBLIC")

    # The coordinator's program overview: one row per mentee, read with the caller's rights.
    op.execute("""
        CREATE VIEW team.program WITH (security_invoker = true) AS
        SELECT m.uid, m.name, m.mentor, m.cadence_interval, m.cadence_unit, m.archived,
          (SELECT max(s.start_utc) FROM team.sessions s WHERE s.mentee_uid = m.uid
             AND NOT s.deleted AND s.status = 'held') AS last_held,
          (SELECT min(s.start_utc) FROM team.sessions s WHERE s.mentee_uid = m.uid
             AND NOT s.deleted AND s.status = 'scheduled' AND s.start_utc > now())
             AS next_session,
          (SELECT count(*) FROM team.goals g WHERE g.mentee_uid = m.uid AND NOT g.deleted)
             AS goals,
          (SELECT count(*) FROM team.goals g WHERE g.mentee_uid = m.uid AND NOT g.deleted
             AND g.completed_at IS NOT NULL) AS goals_done
        FROM team.mentees m WHERE NOT m.deleted""")
    op.execute(f"GRANT SELECT ON team.program TO {COORDINATOR}, {MENTOR}")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS team.program")
    op.execute("DROP FUNCTION IF EXISTS team.changes(xid8)")
    op.execute("DROP TABLE IF EXISTS team.mentee_moves")
    for table in reversed(list(_TABLES)):
        op.execute(f"DROP TABLE IF EXISTS team.{table}")
    op.execute("DROP FUNCTION IF EXISTS team.on_reassign()")
    op.execute("DROP FUNCTION IF EXISTS team.notify()")
    op.execute("DROP FUNCTION IF EXISTS team.stamp()")
    op.execute("DROP SEQUENCE IF EXISTS team.change_seq")
