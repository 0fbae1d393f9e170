"""Bad input to the CSV importer (hypothesis): any file at all is imported or refused with a
KnownError, never a crash, and an import writes all its valid rows or nothing, a full disk
included."""

from __future__ import annotations

import sqlite3
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from mentordesk.errors import DiskFull, KnownError
from mentordesk.services.csv_io import COLUMNS, import_mentees_csv
from mentordesk.storage.database import Database, open_database
from mentordesk.storage.schema import Mentee, MenteeTag, Tag
from tests.support.fuzz import EXAMPLES, FUZZ, any_text, scratch_db

Rows = tuple[tuple[Any, ...], ...]


def snapshot(db: Database) -> tuple[Rows, Rows, Rows]:
    """Everything an import can touch (mentees, tags, tag links), to compare."""
    with db.reader() as s:
        mentees = sorted(
            (m.id, m.name, m.email, m.timezone, m.cadence_interval, m.cadence_unit,
             m.meeting_link, m.background, m.archived) for m in s.scalars(select(Mentee)))
        tags = sorted((t.id, t.name) for t in s.scalars(select(Tag)))
        links = sorted((x.mentee_id, x.tag_id) for x in s.scalars(select(MenteeTag)))
    return tuple(mentees), tuple(tags), tuple(links)


# Cells people (and spreadsheets) really produce, mixed with anything at all.
_tricky = st.sampled_from([
    "", " ", '"', '""', ",", ";", "\n", "\r\n", "\r", "\x00", "\ufeff", "\u2028", "=1+2",
    "Ada Lovelace", "Мария Иванова", "张伟", "ada@example.org", "ADA@EXAMPLE.ORG", "not-an-email",
    "Europe/Berlin", "europe/berlin", "Asia/Kathmandu", "Mars/Base", "UTC", "weekly",
    "America", "zone.tab", "../../etc/passwd", "Europe/Berlin/",
    "every 3 weeks", "fortnightly", "every 0 days", "every 400 days", "1" * 5000 + " days",
    "https://meet.example.org/x", "http://insecure.example.org", "design; founder",
    "a, A, a", "Straße, STRASSE", "x" * 300, "\t", "é", "e\u0301",
])
_cell = st.one_of(_tricky, any_text)
_header_cell = st.one_of(
    st.sampled_from([*COLUMNS, "Name", " EMAIL ", "Time Zone", "tz", "e-mail", "phone", "",
                     "name", "\ufeffname", "notes", "tag"]),
    any_text)


def _csv_quote(cell: str, mode: int) -> str:
    if mode == 0:
        return cell  # raw: commas, quotes and newlines break the row as they would in Excel
    return '"' + cell.replace('"', '""') + '"'


_good = {
    "name": st.text(st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"]), min_size=1,
                    max_size=30).filter(lambda n: n.strip() != ""),
    "email": st.one_of(st.just(""), st.from_regex(r"[a-z0-9.]{1,8}@[a-z]{1,6}\.(org|de)",
                                                  fullmatch=True)),
    "timezone": st.sampled_from(["", "UTC", "Europe/Berlin", "asia/kolkata",
                                 "America/St_Johns"]),
    "cadence": st.sampled_from(["", "weekly", "every 3 weeks", "monthly", "10 days"]),
    "meeting_link": st.sampled_from(["", "https://meet.example.org/a"]),
    "tags": st.sampled_from(["", "design", "a, A", "Straße; STRASSE", "x;y;z"]),
    "notes": any_text,
}


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    shape = draw(st.integers(0, 9))
    if shape == 0:
        return draw(st.binary(max_size=400))  # anything at all
    if shape <= 4:
        # Mostly good files, so the write path runs often; now and then one bad cell.
        header = ["name", *draw(st.lists(st.sampled_from(COLUMNS[1:]), unique=True))]
        rows = [[draw(_tricky) if draw(st.integers(0, 30)) == 0 else draw(_good[col])
                 for col in header] for _ in range(draw(st.integers(0, 6)))]
    else:
        header = draw(st.lists(_header_cell, min_size=0, max_size=9))
        if draw(st.booleans()):
            header = ["name", *header]
        rows = draw(st.lists(st.lists(_cell, max_size=10), max_size=8))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    quoting = draw(st.integers(0, 2))
    lines = [",".join(_csv_quote(c, quoting and draw(st.integers(0, 1))) for c in row)
             for row in [header, *rows]]
    text = newline.join(lines) + draw(st.sampled_from(["", newline, newline * 3]))
    if draw(st.booleans()):
        text = "\ufeff" + text
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1",
                                     "cp1252"]))
    return text.encode(encoding, errors="replace")


def test_csv_import_never_crashes_and_is_all_or_nothing() -> None:
    outcomes: Counter[str] = Counter()

    def note_outcome(what: str) -> None:
        outcomes[what] += 1

    with scratch_db() as db, tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "in.csv"

        @settings(FUZZ, max_examples=2 * EXAMPLES)
        @given(data=csv_files(), skip_invalid=st.booleans())
        @example(data=b"name,email\nAda,ada@example.org\n,\n\"Bad,bad-email\n", skip_invalid=False)
        @example(data=b"name,cadence\nAda," + b"1" * 5000 + b" days\n", skip_invalid=False)
        @example(data="name,tags\nAda,\"a, A\"\nBob,\"A; Straße\"\nCy,STRASSE\n".encode(),
                 skip_invalid=False)
        @example(data=b"\xff\xfen\x00a\x00", skip_invalid=False)
        @example(data=b"name\n\"unterminated\n", skip_invalid=True)
        @example(data=b"name,timezone\nAda,America\nBob," + b"x" * 300 + b"\n",
                 skip_invalid=True)
        def check(data: bytes, skip_invalid: bool) -> None:
            path.write_bytes(data)
            before = snapshot(db)
            try:
                report = import_mentees_csv(db, path, skip_invalid=skip_invalid,
                                            default_zone="Europe/Berlin")
            except KnownError:
                note_outcome("file refused")
                assert snapshot(db) == before, "a refused file changed the database"
                return
            after = snapshot(db)
            new_ids = {m[0] for m in after[0]} - {m[0] for m in before[0]}
            assert report.summary()
            if report.problems and not skip_invalid:
                note_outcome("rows refused, nothing imported")
                assert after == before, "an invalid file was partly imported"
                assert report.imported == 0
                return
            note_outcome("imported" if report.imported else "nothing to import")
            # Every valid row went in, and nothing else.
            assert len(new_ids) == report.created == len(report.created_ids)
            assert set(report.created_ids) == new_ids
            assert report.imported == report.rows - sum(
                1 for p in report.problems if p.line > 1)
            assert len(after[0]) == len(before[0]) + report.created

        check()
    print("csv fuzz outcomes:", dict(outcomes))
    # The generator must reach every branch, or the property says little.
    assert outcomes["imported"] and outcomes["rows refused, nothing imported"]
    assert outcomes["file refused"]


def test_second_mentee_with_a_non_ascii_tag_imports(tmp_path: Path) -> None:
    db = open_database(tmp_path / "tags.sqlite3")
    try:
        for name in ("Ada", "Bob"):
            path = tmp_path / f"{name}.csv"
            path.write_text(f"name,tags\n{name},Über\n", encoding="utf-8")
            assert import_mentees_csv(db, path).ok
        with db.reader() as s:
            assert [t.name for t in s.scalars(select(Tag))] == ["Über"]
    finally:
        db.close()


def test_import_interrupted_by_a_full_disk_writes_nothing(tmp_path: Path) -> None:
    db = open_database(tmp_path / "full.sqlite3")
    try:
        with db.transaction() as s:
            s.add(Mentee(name="Already here"))
        before = snapshot(db)
        rows = "".join(f"Mentee {i},m{i}@example.org,UTC,weekly,,tag{i % 50},{'x' * 400}\n"
                       for i in range(3000))
        path = tmp_path / "big.csv"
        path.write_text("name,email,timezone,cadence,meeting_link,tags,notes\n" + rows,
                        encoding="utf-8")
        with db.engine.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
        db.engine.dispose()

        def cap(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            dbapi_conn.execute(f"PRAGMA max_page_count={int(pages or 0) + 20}")

        event.listen(db.engine, "connect", cap)
        with pytest.raises(DiskFull):
            import_mentees_csv(db, path)
        assert snapshot(db) == before, "half an import reached the file"
        assert db.quick_check() == []
    finally:
        db.close()
