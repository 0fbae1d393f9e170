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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from mentordesk.domain import timezones
from mentordesk.domain.cadence import DEFAULT_CADENCE, CadenceError, parse_cadence
from mentordesk.errors import KnownError
from mentordesk.services.atomic_file import write_atomically
from mentordesk.services.mentees import (
    MenteeInput,
    apply_input,
    current_input,
    split_tags,
    validate,
)
from mentordesk.storage import mentees_repo as repo
from mentordesk.storage.database import Database
from mentordesk.storage.schema import Mentee

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
                         f"{_plural(len(self.problems), 'row')} "
                         f"{'is' if len(self.problems) == 1 else 'are'} invalid. Fix "
                         f"{'it' if len(self.problems) == 1 else 'them'} and import again, "
                         "or use --skip-invalid to import the valid rows.")
        else:
            lines.append(f"Imported {self.imported} of {_plural(self.rows, 'row')} from {name}: "
                         f"{self.created} new, {self.updated} updated.")
            if self.problems:
                lines.append(f"Skipped {_plural(len(self.problems), 'invalid row')}:")
        for problem in self.problems:
            lines.append(f"  line {problem.line}: {problem.reason}")
        for warning in self.warnings:
            lines.append(f"  warning: {warning}")
        return "\n".join(lines)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


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
    import stat

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


ProgressFn = Callable[[int, int], None]


def import_mentees_csv(db: Database, path: Path, *, skip_invalid: bool = False,
                       default_zone: str | None = None,
                       progress: ProgressFn | None = None) -> ImportReport:
    """Import mentees from ``path``; see the module docstring for the rules."""
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
    for line, cells in records[1:]:
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
    if report.problems and not skip_invalid:
        return report
    with db.transaction() as s:
        for done, item in enumerate(parsed):
            existing = _match(s, item.data)
            if existing is None:
                mentee = Mentee(name=item.data.name)
                s.add(mentee)
                apply_input(s, mentee, item.data, fields=set(_FIELD_OF.values()) - {"gaps"})
                s.flush()
                report.created += 1
                report.created_ids.append(mentee.id)
            else:
                if existing.id not in report.updated_before:
                    report.updated_before[existing.id] = current_input(s, existing)
                apply_input(s, existing, item.data, fields=item.fields)
                report.updated += 1
            if progress is not None and done % 200 == 0:
                progress(done, len(parsed))
        s.flush()
        repo.delete_orphan_tags(s)
    return report


def _match(s: object, data: MenteeInput) -> Mentee | None:
    from sqlalchemy.orm import Session as OrmSession

    assert isinstance(s, OrmSession)
    if data.email:
        found = repo.find_by_email(s, data.email)
        if found is not None:
            return found
        by_name = repo.find_by_name(s, data.name)
        # A same-named mentee with another address is someone else.
        return by_name if by_name is not None and not by_name.email else None
    return repo.find_by_name(s, data.name)


def export_mentees_csv(db: Database, path: Path) -> int:
    """Write every mentee (archived ones too) to ``path``; returns how many."""
    with db.reader() as s:
        mentees = list(s.scalars(select(Mentee).order_by(Mentee.name, Mentee.id)))
        tags = repo.tags_by_mentee(s)
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
