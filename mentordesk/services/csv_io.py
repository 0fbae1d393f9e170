"""Mentees to and from CSV: `mentordesk import/export` and File ▸ Import/Export.

Import is all or nothing: every row is checked first and, if any is bad, nothing is written
and the report names every bad row by its line number. ``skip_invalid`` imports the good
rows instead. Re-importing a file updates the mentees it matched (by email, else by name)
rather than adding them again. Export writes the same columns back, so a round trip is
lossless. Export neutralises cells a spreadsheet would run as formulas (a leading
apostrophe) and import takes it off again (``neutralize_cell``/``restore_cell``).
"""

from __future__ import annotations

import csv
import io
import logging
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mentordesk.domain import timezones
from mentordesk.domain.cadence import DEFAULT_CADENCE, CadenceError, parse_cadence
from mentordesk.errors import KnownError
from mentordesk.plurals import counted
from mentordesk.services.atomic_file import write_atomically
from mentordesk.services.mentee_rows import cadence_of
from mentordesk.services.mentees import MenteeInput, split_tags, validate
from mentordesk.storage import mentee_list
from mentordesk.storage import mentees_repo as repo
from mentordesk.storage.database import Database
from mentordesk.storage.mentee_import import (
    Change,
    Existing,
    ImportStaging,
    MenteeValues,
    NewMentee,
)
from mentordesk.storage.mentees_repo import match_key

log = logging.getLogger(__name__)

COLUMNS = ("name", "email", "timezone", "cadence", "meeting_link", "tags", "notes")
# Column headings people write that mean one of ours.
_ALIASES = {"time_zone": "timezone", "tz": "timezone", "zone": "timezone",
            "meeting": "meeting_link", "link": "meeting_link", "meeting_url": "meeting_link",
            "tag": "tags", "background": "notes", "e_mail": "email", "mail": "email"}
# Which service field each CSV column fills (for updating only what the file has).
_FIELD_OF = {"name": "name", "email": "email", "timezone": "timezone", "cadence": "cadence",
             "meeting_link": "meeting_link", "tags": "tags", "notes": "background"}


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str


@dataclass
class ImportReport:
    path: Path
    created: int = 0
    updated: int = 0
    rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped_invalid: bool = False
    created_ids: list[int] = field(default_factory=list)
    # How each updated mentee was before the import: what undoing it puts back.
    updated_before: dict[int, MenteeInput] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """False when any row was rejected (the CLI then exits with status 1)."""
        return not self.problems

    @property
    def imported(self) -> int:
        return self.created + self.updated

    def summary(self) -> str:
        lines: list[str] = []
        name = self.path.name
        if self.problems and not self.skipped_invalid:
            lines.append(f"Nothing was imported from {name}: "
                         + counted(len(self.problems), "{n} row is invalid. Fix it",
                                   "{n} rows are invalid. Fix them")
                         + " and import again, "
                         "or use --skip-invalid to import the valid rows.")
        else:
            rows = counted(self.rows, "{n} row", "{n} rows")
            lines.append(f"Imported {self.imported} of {rows} from {name}: "
                         f"{self.created} new, {self.updated} updated.")
            if self.problems:
                skipped = counted(len(self.problems), "{n} invalid row", "{n} invalid rows")
                lines.append(f"Skipped {skipped}:")
        for problem in self.problems:
            lines.append(f"  line {problem.line}: {problem.reason}")
        for warning in self.warnings:
            lines.append(f"  warning: {warning}")
        return "\n".join(lines)


# A cell starting with one of these is run as a formula by spreadsheets (OWASP "CSV
# injection": =HYPERLINK(...), =cmd|..., +, -, @, and a leading tab or carriage return).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(value: str) -> str:
    """What export writes for ``value``: a cell a spreadsheet would run as a formula gets a
    leading apostrophe (shown as text, never run); so does one that already starts with an
    apostrophe followed by such a character or another apostrophe, so that import can
    always take exactly one apostrophe off (``restore_cell``) and the round trip is
    lossless."""
    if value.startswith(_FORMULA_START) or (
            value.startswith("'") and value[1:2] in (*_FORMULA_START, "'")
            and len(value) > 1):
        return "'" + value
    return value


def restore_cell(value: str) -> str:
    """The inverse of ``neutralize_cell``, applied to every cell import reads."""
    if value.startswith("'") and len(value) > 1 and value[1] in (*_FORMULA_START, "'"):
        return value[1:]
    return value


def _canonical_header(raw: str) -> str:
    key = "_".join(raw.strip().casefold().replace("-", " ").split())
    return _ALIASES.get(key, key)


# Far above any real mentee list (100,000 mentees with notes is ~30 MB), far below what
# would exhaust memory; reading stops there, so /dev/zero or a huge file cannot hang import.
MAX_CSV_BYTES = 64 * 1024 * 1024


def _read_text(path: Path) -> str:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
            raise KnownError(f"{path} is not a regular file (a device or a pipe).",
                             hint="Import a CSV file.")
        if info.st_size > MAX_CSV_BYTES:
            raise KnownError(f"{path.name} is too big to be a mentee list "
                             f"({info.st_size // (1024 * 1024)} MB; the limit is "
                             f"{MAX_CSV_BYTES // (1024 * 1024)} MB).")
        with path.open("rb") as fh:
            data = fh.read(MAX_CSV_BYTES + 1)
        if len(data) > MAX_CSV_BYTES:
            raise KnownError(f"{path.name} is too big to be a mentee list "
                             f"(over {MAX_CSV_BYTES // (1024 * 1024)} MB).")
    except FileNotFoundError as exc:
        raise KnownError(f"There is no file {path}.", hint="Check the name and folder.") from exc
    except IsADirectoryError as exc:
        raise KnownError(f"{path} is a folder, not a CSV file.") from exc
    except OSError as exc:
        raise KnownError(f"Cannot read {path}: {exc.strerror or exc}.",
                         hint="Check that the file exists and you may read it.") from exc
    try:
        # utf-8-sig drops the byte order mark Excel writes.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KnownError(f"{path.name} is not UTF-8 text (byte {exc.start} cannot be read).",
                         hint="In Excel use Save As ▸ 'CSV UTF-8'; in LibreOffice pick "
                         "'Unicode (UTF-8)'.") from exc


_ZONE_LOOKUP: dict[str, str] = {}


def _find_zone(text: str) -> str | None:
    if not _ZONE_LOOKUP:
        for zone_name in timezones.all_zones():
            _ZONE_LOOKUP[zone_name.casefold()] = zone_name
    clean = text.strip()
    if timezones.is_valid_zone(clean):
        return clean
    return _ZONE_LOOKUP.get(clean.casefold().replace(" ", "_"))


@dataclass(frozen=True)
class _Parsed:
    line: int
    data: MenteeInput
    # Which fields the file gave (an update leaves the others alone).
    fields: frozenset[str]


def _parse_row(line: int, values: dict[str, str], default_zone: str
               ) -> tuple[_Parsed | None, str | None]:
    given = {col for col, value in values.items() if value.strip()}
    zone_text = values.get("timezone", "").strip()
    zone_name = default_zone
    if zone_text:
        found = _find_zone(zone_text)
        if found is None:
            return None, (f"unknown time zone '{zone_text}' (use an IANA name such as "
                          "Europe/Berlin or Asia/Kolkata)")
        zone_name = found
    cadence = DEFAULT_CADENCE
    cadence_text = values.get("cadence", "").strip()
    if cadence_text:
        try:
            cadence = parse_cadence(cadence_text)
        except CadenceError as exc:
            return None, str(exc)
    data = MenteeInput(
        name=" ".join(values.get("name", "").split()),
        email=values.get("email", "").strip(),
        timezone=zone_name,
        cadence=cadence,
        meeting_link=values.get("meeting_link", "").strip(),
        background=values.get("notes", "").replace("\r\n", "\n"),
        tags=split_tags(values.get("tags", "")),
    )
    problems = validate(data)
    if problems:
        return None, "; ".join(problems.values())
    # A column that is present but empty clears the field on update, except the name, zone
    # and cadence, which cannot be empty: an empty cell there keeps what the mentee has.
    present = {c for c in values if c in _FIELD_OF}
    keep = {c for c in ("timezone", "cadence") if c not in given}
    fields = frozenset(_FIELD_OF[c] for c in present - keep)
    return _Parsed(line, data, fields), None


def _records(text: str) -> list[tuple[int, list[str]]]:
    """(first line number, fields) of every record; quoted fields may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for fields in reader:
            records.append((start, fields))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise KnownError(f"The CSV file cannot be read near line {reader.line_num}: {exc}.",
                         hint="Check the quotes on that line.") from exc
    return records


# (done, total, what is being done): called from the thread the import runs in.
ImportProgress = Callable[[int, int, str], None]
# Rows per step: how often progress is reported and cancelling is noticed, and how many
# rows each short transaction on the import's temp tables stages.
BATCH_ROWS = 2000
# Tries that prepare everything without the write lock and then check, in the final
# transaction, that the mentees the file matches are still as they were; the last try
# prepares with the lock held, so an import always finishes.
_ATTEMPTS = 3
# The fields an import writes (what undoing it puts back).
IMPORTED_FIELDS = frozenset(_FIELD_OF.values())
# How the progress message of the last step starts: the one short transaction that writes
# the file, which cancelling no longer stops.
LAST_STEP = "Saving"


class ImportCancelled(KnownError):
    """The person cancelled the import before it was written: nothing was imported."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"The import of {path.name} was cancelled; nothing was imported.")


def import_mentees_csv(db: Database, path: Path, *, skip_invalid: bool = False,
                       default_zone: str | None = None,
                       progress: ImportProgress | None = None,
                       cancelled: Callable[[], bool] | None = None) -> ImportReport:
    """Import mentees from ``path``; see the module docstring for the rules.

    Time grows linearly with the file. The file's write lock is held only for the final
    transaction (``storage.mentee_import``), so another window or process can save
    meanwhile. ``cancelled`` is asked between steps; when it says yes, ``ImportCancelled``
    is raised and nothing was written.
    """

    def step(done: int, total: int, what: str) -> None:
        if cancelled is not None and cancelled():
            raise ImportCancelled(path)
        if progress is not None:
            progress(done, total, what)

    text = _read_text(path)
    report = ImportReport(path=path, skipped_invalid=skip_invalid)
    records = _records(text)
    if not records or not any(cell.strip() for cell in records[0][1]):
        report.problems.append(RowProblem(1, "the file has no header row (name, email, "
                                             "timezone, cadence, meeting_link, tags, notes)"))
        return report
    header_line, raw_header = records[0]
    header: list[str | None] = []
    for raw in raw_header:
        name = _canonical_header(raw)
        if name in COLUMNS and name not in header:
            header.append(name)
        else:
            if name in header:
                report.warnings.append(f"column '{raw.strip()}' appears twice; the first one "
                                       "is used")
            elif raw.strip():
                report.warnings.append(f"unknown column '{raw.strip()}' was ignored")
            header.append(None)
    if "name" not in header:
        report.problems.append(RowProblem(header_line, "there is no 'name' column"))
        return report
    zone_default = default_zone or timezones.mentor_zone()
    parsed: list[_Parsed] = []
    seen: dict[str, int] = {}
    reading = f"Reading {path.name}…"
    for index, (line, cells) in enumerate(records[1:]):
        if index % BATCH_ROWS == 0:
            step(index, len(records) - 1, reading)
        if not any(cell.strip() for cell in cells):
            continue  # blank line, e.g. at the end of a file Excel saved
        report.rows += 1
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            report.problems.append(RowProblem(
                line, f"has {len(cells)} fields but the header has {len(header)} (a comma "
                "in an unquoted cell?)"))
            continue
        values = {col: restore_cell(cells[i]) if i < len(cells) else ""
                  for i, col in enumerate(header) if col is not None}
        item, problem = _parse_row(line, values, zone_default)
        if item is None:
            report.problems.append(RowProblem(line, problem or "invalid row"))
            continue
        key = ("email:" + item.data.email.casefold()) if item.data.email else (
            "name:" + item.data.name.casefold())
        if key in seen:
            report.problems.append(RowProblem(
                line, f"the same mentee as line {seen[key]} ({key.split(':', 1)[1]})"))
            continue
        seen[key] = line
        parsed.append(item)
    if (report.problems and not skip_invalid) or not parsed:
        return report
    _write(db, path, parsed, report, step)
    return report


def _write(db: Database, path: Path, parsed: list[_Parsed], report: ImportReport,
           step: Callable[[int, int, str], None]) -> None:
    """Match, stage and write ``parsed`` (see ``storage.mentee_import``)."""
    with db.own_connection() as conn:
        staging = ImportStaging(conn)
        step(0, 1, "Matching rows with your mentees…")
        staging.add_keys((p.data.name for p in parsed), (p.data.email for p in parsed))
        for attempt in range(_ATTEMPTS):
            hold = attempt == _ATTEMPTS - 1
            try:
                if hold:
                    staging.begin_write()
                before = staging.read_existing()
                plan = _plan(parsed, before)
                staging.clear_plan(plan.tag_names)
                _stage(staging, plan, step)
                step(1, 1, f"{LAST_STEP} to {db.path.name}…")
                if db.closed:
                    raise KnownError(f"{db.path.name} was closed while importing "
                                     f"{path.name}; nothing was imported.")
                if not hold:
                    staging.begin_write()
                    if not staging.unchanged():
                        # Someone changed a mentee this file matches meanwhile: match again.
                        staging.rollback()
                        log.info("mentees changed while an import was prepared; again")
                        continue
                created = staging.apply()
                staging.commit()
            except BaseException:
                staging.rollback()
                raise
            break
    report.created = plan.created_rows
    report.updated = plan.updated_rows
    report.created_ids = created
    report.updated_before = plan.before


def _stage(staging: ImportStaging, plan: _Plan,
           step: Callable[[int, int, str], None]) -> None:
    total = len(plan.new) + len(plan.changes)
    for first in range(0, len(plan.new), BATCH_ROWS):
        step(first, total, "Preparing the import…")
        staging.stage_new(plan.new[first:first + BATCH_ROWS])
    for first in range(0, len(plan.changes), BATCH_ROWS):
        step(len(plan.new) + first, total, "Preparing the import…")
        staging.stage_changes(plan.changes[first:first + BATCH_ROWS])


# -- matching: what each row does, decided in file order as one row at a time would -------

# A mentee as the plan knows it: (0, id) for one in the file, (1, n) for the n-th new one.
# Tuples sort as ids do: a lookup finds the lowest id, and new mentees come after the rest.
_Ref = tuple[int, int]


@dataclass
class _Plan:
    new: list[NewMentee]
    changes: list[Change]
    before: dict[int, MenteeInput]
    created_rows: int
    updated_rows: int
    tag_names: dict[str, str]


def _values_of(data: MenteeInput) -> MenteeValues:
    return MenteeValues(name=data.name.strip(), email=data.email.strip() or None,
                        timezone=data.timezone.strip(), cadence_interval=data.cadence.interval,
                        cadence_unit=data.cadence.unit,
                        meeting_link=data.meeting_link.strip() or None,
                        background=data.background)


def _updated(values: MenteeValues, tags: tuple[str, ...], item: _Parsed
             ) -> tuple[MenteeValues, tuple[str, ...]]:
    """``values`` and ``tags`` after ``item``'s fields are written over them (as
    ``apply_input(..., fields=item.fields)`` writes them)."""
    given = _values_of(item.data)
    changed: dict[str, object] = {}
    for name in ("name", "email", "timezone", "meeting_link", "background"):
        if name in item.fields:
            changed[name] = getattr(given, name)
    if "cadence" in item.fields:
        changed["cadence_interval"] = given.cadence_interval
        changed["cadence_unit"] = given.cadence_unit
    return (values._replace(**changed),  # type: ignore[arg-type]
            item.data.tags if "tags" in item.fields else tags)


def _plan(parsed: list[_Parsed], existing: dict[int, Existing]) -> _Plan:
    """What each row does, in file order: a row matches the mentee with its email, else a
    same-named mentee without an email (a same-named one with another address is someone
    else); a row without an email matches by name. Matching is case-insensitive, and a row
    sees what the rows above it did (a row can match a mentee an earlier row created)."""
    values: dict[_Ref, MenteeValues] = {}
    tags: dict[_Ref, tuple[str, ...]] = {}
    by_email: dict[str, list[_Ref]] = {}
    by_name: dict[str, list[_Ref]] = {}

    def index(ref: _Ref, add: bool) -> None:
        v = values[ref]
        for table, text in ((by_name, v.name), (by_email, v.email)):
            if text:
                refs = table.setdefault(match_key(text), [])
                if add:
                    refs.append(ref)
                else:
                    refs.remove(ref)

    def first(table: dict[str, list[_Ref]], key: str) -> _Ref | None:
        refs = table.get(key)
        return min(refs) if refs else None

    for mentee in existing.values():
        ref = (0, mentee.id)
        values[ref], tags[ref] = mentee.values, mentee.tags
        index(ref, True)
    plan = _Plan([], [], {}, 0, 0, {})
    new_refs: list[_Ref] = []
    for item in parsed:
        data = item.data
        for tag in data.tags if "tags" in item.fields else ():
            plan.tag_names.setdefault(tag.casefold(), tag)
        email = data.email.strip()
        name_key = match_key(data.name.strip())
        match: _Ref | None
        if email:
            email_key = match_key(email)
            match = first(by_email, email_key)
            if match is None:
                named = first(by_name, name_key)
                match = named if named is not None and not values[named].email else None
        else:
            match = first(by_name, name_key)
        if match is None:
            ref = (1, len(new_refs))
            new_refs.append(ref)
            values[ref], tags[ref] = _values_of(data), data.tags
            plan.created_rows += 1
            # A new mentee's keys are the row's own (its name and email, folded).
            by_name.setdefault(name_key, []).append(ref)
            if email:
                by_email.setdefault(email_key, []).append(ref)
        else:
            index(match, False)
            values[match], tags[match] = _updated(values[match], tags[match], item)
            plan.updated_rows += 1
            index(match, True)
    plan.new = [NewMentee(values[ref], tags[ref]) for ref in new_refs]
    for mentee_id in sorted(existing):
        was, ref = existing[mentee_id], (0, mentee_id)
        tags_changed = {t.casefold() for t in tags[ref]} != {t.casefold() for t in was.tags}
        if values[ref] == was.values and not tags_changed:
            continue
        plan.changes.append(Change(mentee_id, values[ref], tags[ref] if tags_changed else None))
        plan.before[mentee_id] = _input_of(was)
    return plan


def _input_of(mentee: Existing) -> MenteeInput:
    """What undoing the import puts back (``IMPORTED_FIELDS`` of it)."""
    v = mentee.values
    return MenteeInput(name=v.name, email=v.email or "", timezone=v.timezone,
                       cadence=cadence_of(v.cadence_interval, v.cadence_unit),
                       target_gap_days=mentee.target_gap_days,
                       max_gap_days=mentee.max_gap_days, meeting_link=v.meeting_link or "",
                       background=v.background, tags=mentee.tags)


def export_mentees_csv(db: Database, path: Path) -> int:
    """Write every mentee (archived ones too) to ``path``; returns how many."""
    with db.reader() as s:
        mentees = repo.mentees_by_name(s)
        tags = mentee_list.tags_by_mentee(repo.list_connection(s))
        rows = [[m.name, m.email or "", m.timezone,
                 _cadence_label(m.cadence_interval, m.cadence_unit), m.meeting_link or "",
                 ", ".join(tags.get(m.id, [])), m.background or ""] for m in mentees]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([[neutralize_cell(cell) for cell in row] for row in rows])
    # Whole or not at all (temporary file, fsync, rename): the old file survives a failure.
    write_atomically(path, buffer.getvalue().encode("utf-8-sig"))
    return len(rows)


def _cadence_label(interval: int, unit: str) -> str:
    try:
        return parse_cadence(f"every {interval} {unit}").label()
    except CadenceError:
        return DEFAULT_CADENCE.label()
