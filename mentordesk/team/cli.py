"""``mentordesk team …``: init, invite, join, sync, status, leave.

Each command imports the database and the team code (SQLAlchemy, ~0.3 s) when it runs: the
top-level command line builds its parser, this module's included, on every start before
it spawns the start-up helper. Every expected failure is a ``KnownError`` (one line on
stderr, local data kept).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from mentordesk.paths import db_path_from


def add_parser(sub: Any) -> None:
    """Add the ``team`` command and its subcommands to the top-level subparsers."""
    team = sub.add_parser("team", help="team mode: many desks, one shared PostgreSQL")
    actions = team.add_subparsers(dest="team_command", metavar="ACTION", required=True)

    init = actions.add_parser("init", help="set up (or upgrade) a team on a PostgreSQL "
                                           "server, as its admin")
    init.add_argument("url", help="postgresql://ADMIN[:PASSWORD]@HOST[:PORT]/DATABASE "
                                  "(or the password in $PGPASSWORD)")
    init.set_defaults(run=_run(_init))

    invite = actions.add_parser("invite", help="create a person's sign-in; prints a "
                                               "one-line join code")
    invite.add_argument("name", help="the person's role name (lowercase letters, digits, _)")
    invite.add_argument("--coordinator", action="store_true",
                        help="a coordinator: reads every mentee's overview, never note text")
    invite.set_defaults(run=_run(_invite))

    join = actions.add_parser("join", help="join a team with a join code, then sync")
    join.add_argument("code")
    join.set_defaults(run=_run(_join))

    sync = actions.add_parser("sync", help="one replication round (for cron)")
    sync.set_defaults(run=_run(_sync))

    status = actions.add_parser("status", help="where this desk stands with its team")
    status.set_defaults(run=_run(_status))

    leave = actions.add_parser("leave", help="stop replicating; everything here is kept")
    leave.set_defaults(run=_run(_leave))


def _run(action: Callable[[Any, argparse.Namespace, TextIO], str]
         ) -> Callable[[argparse.Namespace, TextIO], int]:
    def run(args: argparse.Namespace, out: TextIO) -> int:
        from mentordesk.storage.database import open_database

        db = open_database(Path(db_path_from(args)))
        try:
            out.write(action(db, args, out) + "\n")
        finally:
            db.close()
        return 0

    return run


def _progress(out: TextIO) -> Callable[[str, int, int], None]:
    def report(phase: str, done: int, total: int) -> None:
        if total:
            out.write(f"  {phase}: {done}/{total}\n")
            out.flush()

    return report


def _init(db: Any, args: argparse.Namespace, out: TextIO) -> str:
    from mentordesk.team.membership import init_team

    return init_team(db, args.url)


def _invite(db: Any, args: argparse.Namespace, out: TextIO) -> str:
    from mentordesk.team.membership import invite

    return invite(db, args.name, coordinator=args.coordinator)


def _join(db: Any, args: argparse.Namespace, out: TextIO) -> str:
    from mentordesk.team.membership import join

    return join(db, args.code, _progress(out))


def _sync(db: Any, args: argparse.Namespace, out: TextIO) -> str:
    from mentordesk.team.membership import sync_once

    return sync_once(db, _progress(out))


def _status(db: Any, args: argparse.Namespace, out: TextIO) -> str:
    from mentordesk.team.membership import status

    return status(db)


def _leave(db: Any, args: argparse.Namespace, out: TextIO) -> str:
    from mentordesk.team.membership import leave

    return leave(db)
