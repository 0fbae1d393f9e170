"""CSV import/export on awkward files: BOM, CRLF, quoted newlines, non-Latin names,
odd-offset zones, bad rows (all or nothing), re-imports, round trips, the CLI."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mentordesk.cli import main
from mentordesk.errors import KnownError
from mentordesk.services.csv_io import export_mentees_csv, import_mentees_csv
from mentordesk.services.demo import generate_demo
from mentordesk.services.mentees import MenteeService
from mentordesk.storage.database import Database, open_database
from mentordesk.storage.schema import Mentee

AWKWARD = (
    "\ufeffName,EMAIL,Time Zone,cadence,meeting_link,tags,notes,phone\r\n"
    '"Okafor, Ngozi",ngozi@example.org,Africa/Lagos,weekly,https://zoom.us/j/1,'
    '"design; founder","Line one\r\nLine ""two"", with comma",+234\r\n'
    "Zhang Wei 张伟,wei@example.cn,Asia/Kathmandu,every 3 weeks,,data,,\r\n"
    "Мария Иванова,maria@example.ru,asia/kolkata,monthly,https://meet.google.com/a-b-c,,,\r\n"
    "Aroha Ngata,,Australia/Adelaide,every 10 days,https://teams.microsoft.com/l/x,"
    "alumni,,\r\n"
    "Sean O'Neil,sean@example.ie,America/St_Johns,,,,,\r\n"
    "\r\n"
)


def write(tmp_path: Path, text: str, name: str = "mentees.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def count(db: Database) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(Mentee)) or 0)


def test_awkward_file_imports(db: Database, tmp_path: Path) -> None:
    report = import_mentees_csv(db, write(tmp_path, AWKWARD), default_zone="Europe/Berlin")
    assert report.ok, report.summary()
    assert (report.created, report.updated, report.rows) == (5, 0, 5)
    assert "unknown column 'phone' was ignored" in report.summary()
    svc = MenteeService(db)
    by_name = {r.name: r for r in svc.list_rows()}
    assert set(by_name) == {"Okafor, Ngozi", "Zhang Wei 张伟", "Мария Иванова", "Aroha Ngata",
                            "Sean O'Neil"}
    ngozi = svc.get(by_name["Okafor, Ngozi"].id).data
    assert ngozi.background == 'Line one\nLine "two", with comma'
    assert ngozi.tags == ("design", "founder")
    assert ngozi.cadence.label() == "Weekly"
    assert by_name["Zhang Wei 张伟"].timezone == "Asia/Kathmandu"  # +5:45
    assert by_name["Мария Иванова"].timezone == "Asia/Kolkata"  # +5:30, case fixed
    assert by_name["Aroha Ngata"].timezone == "Australia/Adelaide"  # +9:30/+10:30
    assert by_name["Sean O'Neil"].timezone == "America/St_Johns"  # -3:30
    assert by_name["Sean O'Neil"].cadence.label() == "Every 2 weeks"  # default


def test_bad_rows_import_nothing_and_are_all_listed(db: Database, tmp_path: Path) -> None:
    text = ("name,email,timezone,meeting_link\n"
            "Good One,good@example.org,Europe/Berlin,\n"
            ",nobody@example.org,UTC,\n"                      # line 3: no name
            '"Multi\nLine",bad-email,UTC,\n'                  # line 4-5: bad email
            "Zed,zed@example.org,Mars/Base,\n"                # line 6: zone
            "Link,link@example.org,UTC,http://zoom.us/j/1\n"  # line 7: not https
            "Twice,good@example.org,UTC,\n"                   # line 8: duplicate email
            "Extra,extra@example.org,UTC,,surprise\n")        # line 9: too many fields
    report = import_mentees_csv(db, write(tmp_path, text))
    assert not report.ok
    assert [p.line for p in report.problems] == [3, 4, 6, 7, 8, 9]
    summary = report.summary()
    assert summary.startswith("Nothing was imported")
    assert "line 3: A name is required." in summary
    assert "line 4: 'bad-email' is not an email address" in summary
    assert "line 6: unknown time zone 'Mars/Base'" in summary
    assert "line 8: the same mentee as line 2" in summary
    assert count(db) == 0
    skipped = import_mentees_csv(db, write(tmp_path, text), skip_invalid=True)
    assert not skipped.ok and skipped.created == 1
    assert "Imported 1 of 7 rows" in skipped.summary()
    assert count(db) == 1


def test_reimport_updates_instead_of_duplicating(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, AWKWARD)
    import_mentees_csv(db, path, default_zone="UTC")
    again = import_mentees_csv(db, path, default_zone="UTC")
    assert (again.created, again.updated) == (0, 5)
    assert count(db) == 5
    # Matching is by email (case-insensitive), else by name.
    changed = write(tmp_path, "name,email,tags\nNgozi O.,NGOZI@example.org,leadership\n"
                              "aroha ngata,,research\n", "changed.csv")
    report = import_mentees_csv(db, changed)
    assert (report.created, report.updated) == (0, 2)
    svc = MenteeService(db)
    names = {r.name: r for r in svc.list_rows()}
    assert names["Ngozi O."].tags == ("leadership",)
    # Columns the file does not have are left alone.
    assert svc.get(names["Ngozi O."].id).data.meeting_link == "https://zoom.us/j/1"


def test_round_trip_is_lossless(db: Database, tmp_path: Path) -> None:
    generate_demo(db, mentees=15, seed=11)
    import_mentees_csv(db, write(tmp_path, AWKWARD), default_zone="UTC")
    first = tmp_path / "first.csv"
    assert export_mentees_csv(db, first) == 20
    other = open_database(tmp_path / "other.sqlite3")
    try:
        report = import_mentees_csv(other, first)
        assert report.ok and report.created == 20
        second = tmp_path / "second.csv"
        export_mentees_csv(other, second)
        assert first.read_bytes() == second.read_bytes()
        before = {(r.name, r.email, r.timezone, r.cadence, r.tags, r.meeting_link)
                  for r in MenteeService(db).list_rows(include_archived=True)}
        after = {(r.name, r.email, r.timezone, r.cadence, r.tags, r.meeting_link)
                 for r in MenteeService(other).list_rows(include_archived=True)}
        assert before == after
    finally:
        other.close()


def test_unreadable_files_are_known_errors(db: Database, tmp_path: Path) -> None:
    with pytest.raises(KnownError, match="no file"):
        import_mentees_csv(db, tmp_path / "missing.csv")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("name\nJosé\n".encode("latin-1"))
    with pytest.raises(KnownError, match="not UTF-8"):
        import_mentees_csv(db, latin1)
    with pytest.raises(KnownError, match="folder"):
        import_mentees_csv(db, tmp_path)
    report = import_mentees_csv(db, write(tmp_path, "email\nx@example.org\n"))
    assert not report.ok and "no 'name' column" in report.summary()
    assert not import_mentees_csv(db, write(tmp_path, "")).ok


def test_cli_import_and_export(tmp_path: Path) -> None:
    db_file = tmp_path / "cli.sqlite3"
    bad = write(tmp_path, "name,email\nAna,ana@\n", "bad.csv")
    out, err = io.StringIO(), io.StringIO()
    assert main(["--db", str(db_file), "import", str(bad)], out=out, err=err) == 1
    assert "line 2:" in out.getvalue()
    good = write(tmp_path, AWKWARD, "good.csv")
    out = io.StringIO()
    assert main(["--db", str(db_file), "import", str(good)], out=out, err=err) == 0
    assert "5 new" in out.getvalue()
    target = tmp_path / "out.csv"
    out = io.StringIO()
    assert main(["--db", str(db_file), "export", str(target)], out=out, err=err) == 0
    assert "Exported 5 mentees" in out.getvalue()
    # Excel-friendly: a byte order mark and CRLF line ends.
    assert target.read_bytes().startswith(
        b"\xef\xbb\xbfname,email,timezone,cadence,meeting_link,tags,notes\r\n")
    err = io.StringIO()
    assert main(["--db", str(db_file), "import", str(tmp_path / "nope.csv")],
                out=io.StringIO(), err=err) == 1
    assert err.getvalue().count("\n") == 1 and "Traceback" not in err.getvalue()
