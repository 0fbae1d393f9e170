"""The ``mentordesk`` command line: the GUI by default, headless subcommands on the same file.

Every failure ends in one line on stderr and a non-zero status, never a traceback; bugs are
logged with their traceback to the log file named in that line.

Commands import what they run when they run: every start pays for this module's imports
before it spawns the start-up helper, and ``mentordesk --version`` and the app's start-up
must not pay for SQLAlchemy, Qt, the Google client or the logging set-up they do not use.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from mentordesk import APP_NAME, version
from mentordesk.errors import KnownError
from mentordesk.paths import db_path_from
from mentordesk.plurals import counted
from mentordesk.startup.helper import SnapshotHelper
from mentordesk.team.cli import add_parser as add_team_parser

if TYPE_CHECKING:
    from mentordesk.storage.database import Database

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BUG = 70

DEMO_MENTEES = 24


class _Parser(argparse.ArgumentParser):
    """argparse that exits with our usage status and a single-line message."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see --help)\n")


class _VersionAction(argparse.Action):
    """--version from the installed package's metadata, looked up only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=default,
                         help=help or "show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        sys.stdout.write(f"{APP_NAME} {version()}\n")
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mentordesk",
        description=f"{APP_NAME}: mentees, goals, session notes and calendar sync.",
        epilog="Without a command, the desktop app starts.",
    )
    parser.add_argument("--version", action=_VersionAction)
    desktop = parser.add_mutually_exclusive_group()
    desktop.add_argument("--install-desktop-entry", action="store_true",
                         help="add MentorDesk to your desktop's app launcher (Linux)")
    desktop.add_argument("--uninstall-desktop-entry", action="store_true",
                         help="remove it from the app launcher again")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db", type=Path, metavar="PATH",
                       help="database file (default: $MENTORDESK_DB or the user data folder)")
    where.add_argument("--demo", action="store_true",
                       help="use a separate demo database, filled with sample data on first use")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = sub.add_parser("demo", help="fill the database with realistic demo data")
    demo.add_argument("--mentees", type=int, default=DEMO_MENTEES, metavar="N")
    demo.add_argument("--sessions", type=int, default=None, metavar="M",
                      help="held sessions with notes (default: 6 per mentee)")
    demo.add_argument("--goals", type=int, default=None, metavar="G",
                      help="goals (default: 3 per mentee)")
    demo.add_argument("--seed", type=int, default=7)
    demo.set_defaults(run=_cmd_demo)

    backup = sub.add_parser("backup", help="make a verified backup of the database now")
    backup.set_defaults(run=_cmd_backup)

    backups = sub.add_parser("backups", help="list the backups of the database")
    backups.set_defaults(run=_cmd_list_backups)

    restore = sub.add_parser("restore", help="replace the database with a backup")
    restore.add_argument("backup", type=Path, help="backup file (see `mentordesk backups`)")
    restore.set_defaults(run=_cmd_restore)

    imp = sub.add_parser("import", help="import mentees from a CSV file (all or nothing)")
    imp.add_argument("file", type=Path, help="CSV with a header row; `name` is required")
    imp.add_argument("--skip-invalid", action="store_true",
                     help="import the valid rows and report the others")
    imp.set_defaults(run=_cmd_import)

    exp = sub.add_parser(
        "export", help="export by extension: .csv mentees, .ics sessions, .md/.pdf report",
    )
    exp.add_argument("file", type=Path)
    exp.add_argument("--mentee", metavar="NAME",
                     help="with .md or .pdf: the mentee whose progress report to write")
    exp.set_defaults(run=_cmd_export)

    sync = sub.add_parser("sync", help="sync sessions with Google Calendar (for cron)")
    which = sync.add_mutually_exclusive_group()
    which.add_argument("--create-calendar", action="store_true",
                       help="no MentorDesk calendar exists yet: create one")
    which.add_argument("--calendar-id", metavar="ID",
                       help="use this existing MentorDesk calendar (Google Calendar ▸ "
                            "Settings ▸ the calendar ▸ Integrate calendar ▸ Calendar ID)")
    sync.set_defaults(run=_cmd_sync)

    add_team_parser(sub)
    return parser


def _cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from mentordesk.services.demo import generate_demo
    from mentordesk.storage.database import open_database

    if args.mentees < 1 or (args.sessions is not None and args.sessions < 0):
        raise KnownError("--mentees must be at least 1 and --sessions not negative.")
    db = open_database(db_path_from(args))
    try:
        summary = generate_demo(db, mentees=args.mentees, sessions=args.sessions,
                                goals=args.goals, seed=args.seed)
    finally:
        db.close()
    out.write(
        f"Added {counted(summary.mentees, '{n} mentee', '{n} mentees')}, "
        f"{counted(summary.goals, '{n} goal', '{n} goals')}, "
        f"{counted(summary.sessions, '{n} session', '{n} sessions')}, "
        f"{counted(summary.notes, '{n} note', '{n} notes')} and "
        f"{counted(summary.action_items, '{n} action item', '{n} action items')} "
        f"to {db.path}\n"
    )
    return EXIT_OK


def _cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    from mentordesk.storage.database import open_database

    path = db_path_from(args)
    if not path.exists():
        raise KnownError(f"There is no database at {path} to back up.")
    db = open_database(path)
    try:
        made = db.backup("manual")
    finally:
        db.close()
    out.write(f"Backup written and verified: {made}\n")
    return EXIT_OK


def _cmd_list_backups(args: argparse.Namespace, out: TextIO) -> int:
    from mentordesk.storage.backup import list_backups

    found = list_backups(db_path_from(args))
    if not found:
        out.write("No backups yet.\n")
    for info in found:
        out.write(f"{info.taken_at:%Y-%m-%d %H:%M:%S} UTC  {info.reason:<14} {info.path}\n")
    return EXIT_OK


def _cmd_restore(args: argparse.Namespace, out: TextIO) -> int:
    from mentordesk.storage.backup import BackupError, restore_backup
    from mentordesk.storage.locks import exclusive_use

    target = db_path_from(args).expanduser().resolve()
    # Refused while the app has the file open (its later edits would go to the file set
    # aside); held meanwhile, so the app cannot open the file half-restored.
    with exclusive_use(target):
        try:
            moved = restore_backup(Path(args.backup).expanduser(), target)
        except (BackupError, OSError) as exc:
            raise KnownError(f"Could not restore: {exc}") from exc
    out.write(f"Restored {args.backup} into {target}\n")
    if moved is not None:
        out.write(f"The previous file was kept as {moved}\n")
    return EXIT_OK


def _open_existing(args: argparse.Namespace, *, create: bool = False) -> Database:
    """The database ``--db`` names; commands that only read never create one (a mistyped
    path used to leave an empty database behind)."""
    from mentordesk.storage.database import open_database

    path = db_path_from(args)
    if not create and not path.exists():
        raise KnownError(f"There is no database at {path}.",
                         hint="Check the path (mentordesk --db PATH ...).")
    return open_database(path)


def _cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    from mentordesk.services.csv_io import import_mentees_csv
    from mentordesk.terminal_progress import TerminalProgress

    db = _open_existing(args, create=True)
    # On a terminal, the step and how far it got, on one line of stderr.
    progress = TerminalProgress(getattr(args, "err", sys.stderr))
    try:
        report = import_mentees_csv(db, Path(args.file).expanduser(),
                                    skip_invalid=args.skip_invalid, progress=progress)
    finally:
        progress.clear()
        db.close()
    out.write(report.summary() + "\n")
    return EXIT_OK if report.ok else EXIT_FAILED


def _cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    target = Path(args.file).expanduser()
    suffix = target.suffix.lower()
    if args.mentee and suffix not in (".md", ".pdf"):
        raise KnownError("--mentee goes with a .md or .pdf report file.")
    if suffix in (".md", ".pdf") and not args.mentee:
        raise KnownError("A .md or .pdf export is a progress report: add --mentee NAME.")
    if suffix not in (".csv", ".ics", ".md", ".pdf"):
        raise KnownError(f"Cannot export to '{suffix or target.name}': use .csv (mentees), "
                         ".ics (sessions), or .md/.pdf with --mentee (progress report).")
    db = _open_existing(args)
    try:
        if suffix == ".csv":
            from mentordesk.services.csv_io import export_mentees_csv

            count = export_mentees_csv(db, target)
            out.write(f"Exported {counted(count, '{n} mentee', '{n} mentees')} to {target}\n")
        elif suffix == ".ics":
            from mentordesk.services.ics_export import export_ics

            count = export_ics(db, target)
            out.write(f"Exported {counted(count, '{n} session', '{n} sessions')} to {target}\n")
        else:
            from mentordesk.services.reports import export_report
            from mentordesk.ui.pdf_export import render_markdown_pdf

            export_report(db, args.mentee, target, render_pdf=render_markdown_pdf)
            out.write(f"Wrote the progress report for {args.mentee} to {target}\n")
    finally:
        db.close()
    return EXIT_OK


def _desktop_entry(args: argparse.Namespace, out: TextIO) -> int:
    from mentordesk import desktop_entry

    if args.install_desktop_entry:
        paths = desktop_entry.install()
        out.write(f"Installed {paths.desktop_file}\nand its icon {paths.icon_file}\n")
    else:
        removed = desktop_entry.uninstall()
        out.write("".join(f"Removed {p}\n" for p in removed) or "No desktop entry was installed.\n")
    return EXIT_OK


def _cmd_sync(args: argparse.Namespace, out: TextIO) -> int:
    from mentordesk.sync.cli import run_sync

    # Failures go to stderr, the summary to stdout (cron mails only what matters).
    return run_sync(db_path_from(args), out, getattr(args, "err", sys.stderr),
                    create_calendar=args.create_calendar, calendar_id=args.calendar_id)


def _require_display() -> None:
    """Qt aborts the process when it finds no display; say what to do instead."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    raise KnownError(
        "No display found to open the MentorDesk window.",
        hint="Start it from your desktop session, or use the headless commands "
        "(see mentordesk --help).",
    )


def _ensure_demo_database(path: Path) -> None:
    """The demo file is created and filled on first use; the real database is never touched."""
    if path.exists() and path.stat().st_size > 0:
        return
    from mentordesk.services.demo import generate_demo
    from mentordesk.storage.database import open_database

    db = open_database(path)
    try:
        generate_demo(db, mentees=DEMO_MENTEES)
    finally:
        db.close()


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    args = parser.parse_args(argv)
    helper = _start_list_helper(args)
    try:
        return _run(args, out, err, helper)
    finally:
        if helper is not None:
            helper.discard()  # a no-op once the app has taken its list


def _start_list_helper(args: argparse.Namespace) -> SnapshotHelper | None:
    """For the desktop app, first of all start computing the mentee list in a helper
    process (startup/snapshot.py): it runs on another core while this process
    imports Qt, so everything imported before this line delays it."""
    if args.command is not None or _wants_desktop_entry(args):
        return None
    try:
        return SnapshotHelper.start(db_path_from(args))
    except OSError:
        return None  # the app reads the list itself (and reports what is wrong)


def _wants_desktop_entry(args: argparse.Namespace) -> bool:
    return bool(args.install_desktop_entry or args.uninstall_desktop_entry)


def _run(args: argparse.Namespace, out: TextIO, err: TextIO,
         helper: SnapshotHelper | None) -> int:
    from mentordesk.logging_setup import log_file, setup_logging

    try:
        setup_logging()
    except OSError as exc:
        err.write(f"mentordesk: cannot write the log folder: {exc}\n")
    try:
        if _wants_desktop_entry(args):
            if args.command is not None:
                raise KnownError("--install-desktop-entry and --uninstall-desktop-entry go "
                                 "without a command.")
            return _desktop_entry(args, out)
        if args.command is None:
            _require_display()
            from mentordesk.startup import heap

            heap.pause_for_start_up()  # resumed once the first view is interactive
            path = db_path_from(args)
            if args.demo:
                _ensure_demo_database(path)
            from mentordesk.ui.startup import feature_scan

            # Before the window's modules are imported, so none of them pays PySide's scan.
            feature_scan.install()
            from mentordesk.ui.app import run_gui

            return run_gui(path, helper)
        args.err = err
        result: int = args.run(args, out)
        return result
    except KnownError as exc:
        err.write(f"mentordesk: {exc}\n")
        return EXIT_FAILED
    except KeyboardInterrupt:
        err.write("mentordesk: interrupted\n")
        return 130
    except Exception as exc:
        import logging

        logging.getLogger(__name__).exception("unexpected error in %s", args.command or "gui")
        err.write(f"mentordesk: internal error ({type(exc).__name__}); details in {log_file()}\n")
        return EXIT_BUG
