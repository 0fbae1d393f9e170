"""Bad input: hypothesis over the CSV importer, the recurrence and cadence
parsers, and the Markdown report. None of them may crash with anything but a KnownError (or
the parser's own error type), and an import writes all its valid rows or nothing."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from mentordesk.domain.cadence import CadenceError, parse_cadence
from mentordesk.domain.recurrence import (
    RecurrenceError,
    describe,
    next_occurrence,
    occurrences,
    parse_rule,
)
from mentordesk.errors import DiskFull, KnownError, ValidationError
from mentordesk.services.csv_io import COLUMNS, import_mentees_csv
from mentordesk.services.reports import export_report, report_markdown
from mentordesk.services.sessions import SessionDraft, SessionService
from mentordesk.storage.database import Database, open_database
from mentordesk.storage.schema import (
    ActionItem,
    BoardColumn,
    Goal,
    Mentee,
    MenteeTag,
    Milestone,
    Note,
    Session,
    Tag,
)
from mentordesk.ui.pdf_export import render_markdown_pdf

# MENTORDESK_FUZZ_EXAMPLES raises the number of examples for a long local run.
EXAMPLES = int(os.environ.get("MENTORDESK_FUZZ_EXAMPLES", "120"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@contextlib.contextmanager
def scratch_db() -> Iterator[Database]:
    with tempfile.TemporaryDirectory(prefix="md-fuzz-") as folder:
        db = open_database(Path(folder) / "fuzz.sqlite3")
        try:
            yield db
        finally:
            db.close()


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


# -- CSV import --------------------------------------------------------------------------

# Cells people (and spreadsheets) really produce, mixed with anything at all.
_plain = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)
_tricky = st.sampled_from([
    "", " ", '"', '""', ",", ";", "\n", "\r\n", "\r", "\x00", "\ufeff", "\u2028", "=1+2",
    "Ada Lovelace", "Мария Иванова", "张伟", "ada@example.org", "ADA@EXAMPLE.ORG", "not-an-email",
    "Europe/Berlin", "europe/berlin", "Asia/Kathmandu", "Mars/Base", "UTC", "weekly",
    "America", "zone.tab", "../../etc/passwd", "Europe/Berlin/",
    "every 3 weeks", "fortnightly", "every 0 days", "every 400 days", "1" * 5000 + " days",
    "https://meet.example.org/x", "http://insecure.example.org", "design; founder",
    "a, A, a", "Straße, STRASSE", "x" * 300, "\t", "é", "e\u0301",
])
_cell = st.one_of(_tricky, _plain)
_header_cell = st.one_of(
    st.sampled_from([*COLUMNS, "Name", " EMAIL ", "Time Zone", "tz", "e-mail", "phone", "",
                     "name", "\ufeffname", "notes", "tag"]),
    _plain)


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
    "notes": _plain,
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


# -- recurrence and cadence ----------------------------------------------------------------

_rule_values = {
    "FREQ": st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY", "weekly", ""]),
    "INTERVAL": st.one_of(st.integers(-3, 60).map(str), _plain),
    "BYDAY": st.one_of(st.builds(lambda n, d: f"{n}{d}",
                                 st.sampled_from(["", "+1", "2", "-1", "5", "+", "-", "0"]),
                                 st.sampled_from(["MO", "TU", "SU", "XX", ""])), _plain),
    "COUNT": st.one_of(st.integers(-2, 10**6).map(str), _plain),
    "UNTIL": st.one_of(
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(
            lambda d: d.strftime("%Y%m%dT%H%M%SZ")),
        st.dates().map(lambda d: d.strftime("%Y%m%d")),
        st.sampled_from(["00010101", "99991231", "99991231T235959Z", "00010101T000000Z",
                         "20270230", "tomorrow"]),
        _plain),
    "WKST": st.sampled_from(["MO", "SU", "??"]),
    "BYMONTH": st.sampled_from(["1", "13"]),
}


@st.composite
def rule_texts(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 5)) == 0:
        return draw(st.text(max_size=80))
    keys = draw(st.lists(st.sampled_from(sorted(_rule_values)), max_size=5))
    if draw(st.integers(0, 4)):
        keys = ["FREQ", *keys]
    parts = [f"{k}={draw(_rule_values[k])}" for k in keys]
    prefix = draw(st.sampled_from(["", "RRULE:", "rrule:", " "]))
    return prefix + ";".join(parts)


_zones = st.sampled_from(["UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu",
                          "Pacific/Chatham", "Pacific/Kiritimati", "America/Sao_Paulo",
                          "Australia/Lord_Howe"])
_starts = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1),
                       timezones=st.just(UTC))


@FUZZ
@given(text=rule_texts(), zone_name=_zones, start=_starts)
@example(text="FREQ=WEEKLY;UNTIL=00010101", zone_name="America/St_Johns",
         start=datetime(2026, 1, 5, 9, tzinfo=UTC))
@example(text="FREQ=DAILY;UNTIL=99991231T235959Z", zone_name="Pacific/Kiritimati",
         start=datetime(2026, 1, 5, 9, tzinfo=UTC))
@example(text="FREQ=DAILY;UNTIL=20000101;COUNT=1", zone_name="UTC",
         start=datetime(2000, 1, 1, tzinfo=UTC))
@example(text="FREQ=MONTHLY;BYDAY=-1SU;COUNT=3", zone_name="Europe/Berlin",
         start=datetime(2026, 3, 29, 1, 30, tzinfo=UTC))
@example(text="FREQ=WEEKLY;INTERVAL=" + "9" * 5000, zone_name="UTC",
         start=datetime(2026, 1, 5, tzinfo=UTC))
def test_rule_parser_accepts_only_rules_it_can_expand(text: str, zone_name: str,
                                                      start: datetime) -> None:
    try:
        rule = parse_rule(text)
    except RecurrenceError as exc:
        assert str(exc)
        return
    assert describe(rule)
    assert parse_rule(rule.to_rrule()) == rule
    # A rule the parser accepted must expand, in any zone, around its start and far later.
    for after in (start - timedelta(days=3), start + timedelta(days=3650)):
        found = occurrences(start, zone_name, rule, after=after,
                            before=after + timedelta(days=120), limit=50)
        assert found == sorted(found)
        assert all(after <= t < after + timedelta(days=120) for t in found)
        assert all(t.tzinfo is not None for t in found)
    next_occurrence(start, zone_name, rule, after=start)


def test_session_service_rule_path_never_crashes() -> None:
    """What the schedule dialog hands over goes through the service: a rule it refuses is a
    ValidationError; a rule it stores must list without errors afterwards."""
    with scratch_db() as db:
        with db.transaction() as s:
            m = Mentee(name="Ada", timezone="America/St_Johns")
            s.add(m)
            s.flush()
            mentee_id = m.id
        service = SessionService(db)
        now = datetime(2026, 3, 1, 12, tzinfo=UTC)

        @settings(max_examples=EXAMPLES // 2, deadline=None)
        @given(text=rule_texts(), offset=st.integers(-400, 400))
        @example(text="FREQ=WEEKLY;UNTIL=00010101", offset=1)
        def check(text: str, offset: int) -> None:
            try:
                record = service.schedule(SessionDraft(
                    mentee_id, now + timedelta(days=offset), 30, "Europe/Berlin", "Fuzz",
                    rrule=text))
            except ValidationError as exc:
                assert exc.field == "rrule"
                return
            assert record.recurring == bool(text)
            if record.recurring:
                assert record.repeat_text
            service.upcoming(now - timedelta(days=500), now + timedelta(days=500),
                             include_cancelled=True)
            service.recent(limit=5, now=now)

        check()


@FUZZ
@given(text=st.one_of(st.text(max_size=40), st.builds(
    lambda a, n, u: f"{a}{n}{u}", st.sampled_from(["", "every ", "Every  ", " "]),
    st.one_of(st.integers(-5, 1000).map(str), st.just(""), st.just("٣")),
    st.sampled_from([" days", "d", " weeks", "w", " Months", "mo", " years", ""]))))
@example(text="1" * 5000 + " days")
@example(text="every ٣ weeks")
@example(text="0" * 5000 + "12 weeks")
@example(text="every 0 days")
def test_cadence_parser_accepts_only_cadences_it_can_label(text: str) -> None:
    try:
        cadence = parse_cadence(text)
    except CadenceError as exc:
        assert str(exc)
        return
    assert parse_cadence(cadence.label()) == cadence
    assert cadence.default_gaps()[0] >= 1


# -- Markdown report --------------------------------------------------------------------

_nasty = st.one_of(
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=60),
    st.sampled_from(["# heading", "## sub\n===", "* [x] done", "| a | b |\n|---|---|",
                     "```\ncode\n```", "<script>alert(1)</script>", "[link](javascript:x)",
                     "\x00nul\x00", "\u202eevil", "_*`~>\\", "line\r\nbreak", "\t\v\f",
                     "😀" * 50, "a" * 20_000, "#" * 300, "e\u0301"]))


@dataclass(frozen=True)
class Content:
    name: str
    goals: list[tuple[str, str, list[str]]] = field(default_factory=list)
    notes: list[tuple[str, bool]] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


mentee_content = st.builds(
    Content,
    name=st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1,
                 max_size=40).filter(lambda n: n.strip() == n and n != ""),
    goals=st.lists(st.tuples(_nasty, _nasty, st.lists(_nasty, max_size=3)), max_size=3),
    notes=st.lists(st.tuples(_nasty, st.booleans()), min_size=1, max_size=3),
    actions=st.lists(_nasty.filter(lambda t: t.strip() != ""), max_size=3),
)


def _plant(db: Database, content: Content) -> int:
    with db.transaction() as s:
        mentee = Mentee(name=content.name, timezone="Asia/Kathmandu")
        s.add(mentee)
        s.flush()
        column = s.scalars(select(BoardColumn).order_by(BoardColumn.position)).first()
        assert column is not None
        for position, (title, description, milestones) in enumerate(content.goals):
            goal = Goal(mentee_id=mentee.id, column_id=column.id, title=title or "untitled",
                        description=description, position=position,
                        due_date=date(2026, 5, 1))
            s.add(goal)
            s.flush()
            for i, m in enumerate(milestones):
                s.add(Milestone(goal_id=goal.id, title=m or "step", position=i, done=i % 2 == 0))
        for i, (body, private) in enumerate(content.notes):
            row = Session(mentee_id=mentee.id, start_utc=datetime(2026, 1, 5 + i, 9, tzinfo=UTC),
                          timezone="Europe/Berlin", duration_minutes=30, title=f"S{i}",
                          status="held")
            s.add(row)
            s.flush()
            s.add(Note(session_id=row.id, mentee_id=mentee.id, body=body, private=private))
            for j, text in enumerate(content.actions):
                s.add(ActionItem(mentee_id=mentee.id, session_id=row.id, text=text,
                                 position=j + 10 * i))
        return mentee.id


def test_markdown_report_survives_any_text() -> None:
    with scratch_db() as db, tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.md"

        @settings(max_examples=EXAMPLES * 2 // 3, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(content=mentee_content)
        def check(content: Content) -> None:
            mentee_id = _plant(db, content)
            try:
                text = report_markdown(db, mentee_id)
                try:
                    export_report(db, content.name, out)
                except KnownError as exc:
                    # Only a name shared with an earlier example may be ambiguous.
                    assert "matches" in exc.message, exc.message
                else:
                    written = out.read_bytes().decode("utf-8")
                    assert written.startswith("# Progress report: ")
                public = [b for b, private in content.notes if not private and b.strip()]
                for body in public:
                    for line in body.strip().splitlines():
                        assert line.lstrip("#") in text
                for body, private in content.notes:
                    secret = body.strip()
                    if private and len(secret) >= 12 and all(
                            secret not in b for b in public) and secret not in text.split(
                            "## Sessions")[0]:
                        assert secret not in text, "a private note reached the report"
            finally:
                with db.transaction() as s:
                    m = s.get(Mentee, mentee_id)
                    if m is not None:
                        s.delete(m)

        check()


def test_pdf_report_survives_nasty_text(tmp_path: Path, qapp: object) -> None:
    db = open_database(tmp_path / "pdf.sqlite3")
    try:
        _plant(db, Content("Zoë <b>O'Brien</b>",
                           goals=[("# \x00 goal", "a" * 20_000, ["😀" * 200, "| x |"])],
                           notes=[("```\n\x00\u202e" + "b" * 50_000, False)],
                           actions=["\x00"]))
        path = tmp_path / "r.pdf"
        export_report(db, "zoë <b>o'brien</b>", path, render_pdf=render_markdown_pdf)
        assert path.read_bytes().startswith(b"%PDF")
    finally:
        db.close()


@pytest.mark.parametrize("asked", ["Мария Иванова", "мария иванова", "МАРИЯ", "иванова"])
def test_report_finds_a_non_ascii_name_in_any_case(tmp_path: Path, asked: str) -> None:
    # SQLite's lower() and LIKE fold ASCII only; the lookup must not depend on them.
    db = open_database(tmp_path / "names.sqlite3")
    try:
        with db.transaction() as s:
            s.add(Mentee(name="Мария Иванова"))
            s.add(Mentee(name="Ivan Petrov"))
        export_report(db, asked, tmp_path / "r.md")
        assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith(
            "# Progress report: Мария Иванова")
    finally:
        db.close()
