"""The .ics export read back by two parsers that share no code with the icalendar package it
is written with: vobject (VTIMEZONE through dateutil's tzical) and ical
(its own VTIMEZONE reader). Every event, single or each occurrence of a series, must come out
at the instant the database holds, in summer and winter, north and south, with and without
DST, and for years under an earlier DST rule."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import vobject  # type: ignore[import-untyped]
from ical.calendar_stream import IcsCalendarStream

from mentordesk.domain.recurrence import occurrences
from mentordesk.services.ics_export import export_ics
from mentordesk.storage.database import Database, open_database
from mentordesk.storage.schema import Mentee
from mentordesk.storage.schema import Session as SessionRow

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
         # Half-hour DST, 45-minute offsets, DST that ended in 2022, changes at midnight.
         "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Tehran", "America/Santiago",
         "Europe/Dublin", "Europe/London", "Atlantic/Reykjavik"]
SERIES = "FREQ=WEEKLY;COUNT=40"
# Google's UI rule, to come out of the export as it went in.
GOOGLE = "FREQ=WEEKLY;WKST=SU;UNTIL=20270131T225959Z;BYDAY=MO,WE"

Expected = dict[str, list[datetime]]  # UID -> UTC instants, sorted


def local_days(zone_name: str) -> Iterator[datetime]:
    """09:00 on the 10th of each month of 2026-2027, and on the days the offset changes."""
    tz = ZoneInfo(zone_name)
    for year in (2026, 2027):
        for month in range(1, 13):
            yield datetime(year, month, 10, 9, tzinfo=tz)
        day = date(year, 1, 1)
        while day.year == year:
            noon = datetime.combine(day, time(12), tz)
            if noon.utcoffset() != (noon - timedelta(days=1)).utcoffset():
                yield datetime.combine(day, time(9), tz)
                yield datetime.combine(day - timedelta(days=1), time(9), tz)
            day += timedelta(days=1)


def fill(db: Database) -> Expected:
    """Sessions in every zone; returns what each event's instants must be."""
    expected: Expected = {}
    with db.transaction() as s:
        mentee = Mentee(name="Ada", timezone="Europe/Berlin")
        s.add(mentee)
        s.flush()

        def add(start: datetime, zone_name: str, rrule: str | None = None,
                event_id: str | None = None) -> None:
            row = SessionRow(mentee_id=mentee.id, title=f"{zone_name} {start:%Y-%m-%d}",
                             start_utc=start.astimezone(UTC), timezone=zone_name,
                             duration_minutes=45, rrule=rrule, status="scheduled",
                             google_event_id=event_id)
            s.add(row)
            s.flush()
            uid = f"{event_id}@google.com" if event_id else f"session-{row.id}@mentordesk"
            expected[uid] = occurrences(row.start_utc, zone_name, rrule, after=row.start_utc,
                                        before=row.start_utc + timedelta(days=800)) \
                if rrule else [row.start_utc]

        for zone_name in ZONES:
            for start in local_days(zone_name):
                add(start, zone_name)
            # A weekly series through both of the zone's changes of the year.
            add(datetime(2026, 2, 2, 9, tzinfo=ZoneInfo(zone_name)), zone_name, SERIES)
        # Years when New York followed the 1987-2006 rule (first Sunday of April): 20 March
        # 2006 was winter time, though today's rule would make it summer time.
        for day in (date(2006, 3, 20), date(2006, 4, 10), date(2006, 10, 30)):
            add(datetime.combine(day, time(9), ZoneInfo("America/New_York")),
                "America/New_York")
        add(datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Europe/Berlin")), "Europe/Berlin",
            GOOGLE, event_id="c0ffee0123456789")
    return expected


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Expected]:
    folder = tmp_path_factory.mktemp("ics")
    db = open_database(folder / "ics.sqlite3")
    try:
        expected = fill(db)
        target = folder / "sessions.ics"
        assert export_ics(db, target) == len(expected)
        return target.read_bytes().decode("utf-8"), expected
    finally:
        db.close()


def renamed(text: str) -> str:
    """The file with its zones renamed, so a reader cannot look the names up in its own
    zone database and has to use the file's VTIMEZONE blocks."""
    return re.sub(r"(TZID[:=])([A-Za-z_]+(?:/[A-Za-z_+-]+)+)",
                  lambda m: m.group(1) + "X-Test-" + m.group(2).replace("/", "-"), text)


def read_with_vobject(text: str) -> Expected:
    found: Expected = {}
    for event in vobject.readOne(text).vevent_list:
        uid = event.uid.value
        if hasattr(event, "rrule"):
            starts = list(event.getrruleset(addRDate=True))
        else:
            starts = [event.dtstart.value]
        found[uid] = sorted(s.astimezone(UTC) for s in starts)
    return found


def read_with_ical(text: str) -> Expected:
    found: Expected = {}
    for event in IcsCalendarStream.calendar_from_ics(text).timeline:
        start = event.dtstart
        assert isinstance(start, datetime)
        found.setdefault(str(event.uid), []).append(start.astimezone(UTC))
    return {uid: sorted(starts) for uid, starts in found.items()}


@pytest.mark.parametrize("reader", [read_with_vobject, read_with_ical])
@pytest.mark.parametrize("names", ["zone names", "unknown names"])
def test_every_reader_sees_the_databases_instants(exported: tuple[str, Expected],
                                                  reader: object, names: str) -> None:
    text, expected = exported
    assert callable(reader)
    found = reader(renamed(text) if names == "unknown names" else text)
    wrong = {uid: (found.get(uid, [])[:3], starts[:3]) for uid, starts in expected.items()
             if found.get(uid) != starts}
    assert not wrong, f"{len(wrong)} of {len(expected)} events differ: {wrong}"
    summer = [s for uid, starts in expected.items() for s in starts
              if s.astimezone(ZoneInfo("Europe/Berlin")).dst()]
    assert len(summer) > 100  # the check covered summer times, not only winter ones


def vtimezones(text: str) -> dict[str, str]:
    blocks = re.findall(r"BEGIN:VTIMEZONE\r\n(.*?)END:VTIMEZONE", text.replace("\r\n ", ""),
                        re.S)
    return {re.search(r"TZID:(\S+)", b).group(1): b for b in blocks}  # type: ignore[union-attr]


def test_vtimezones_state_yearly_rules_not_date_lists(exported: tuple[str, Expected]) -> None:
    blocks = vtimezones(exported[0])
    assert set(blocks) == set(ZONES)
    for name, block in blocks.items():
        assert "1970" not in block and "2038" not in block, name
        for piece in re.findall(r"BEGIN:(?:STANDARD|DAYLIGHT)\r\n(.*?)END:", block, re.S):
            assert len(re.findall(r"^RDATE", piece, re.M)) <= 1, name
            assert "," not in "".join(re.findall(r"^RDATE.*$", piece, re.M)), name
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in blocks["Europe/Berlin"]
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in blocks["Europe/Berlin"]
    assert "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3" in blocks["America/New_York"]
    assert "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11" in blocks["America/New_York"]
    assert "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=10" in blocks["Australia/Sydney"]
    assert "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4" in blocks["Australia/Sydney"]
    kolkata = blocks["Asia/Kolkata"]
    assert kolkata.count("BEGIN:STANDARD") == 1 and "DAYLIGHT" not in kolkata
    assert "TZOFFSETTO:+0530" in kolkata and "RRULE" not in kolkata


def test_rules_and_uids_go_out_as_they_are(exported: tuple[str, Expected]) -> None:
    text = exported[0].replace("\r\n ", "")
    assert f"\r\nRRULE:{GOOGLE}\r\n" in text  # Google's own spelling, part order kept
    # A session Google has is exported under Google's iCalUID for its event.
    assert "\r\nUID:c0ffee0123456789@google.com\r\n" in text
    (google,) = [e for e in vobject.readOne(text).vevent_list
                 if e.uid.value == "c0ffee0123456789@google.com"]
    assert google.rrule.value == GOOGLE


def test_a_zone_that_changed_its_rule_is_right_in_both_eras(tmp_path: Path) -> None:
    from mentordesk.services.ics_export import vtimezone

    block = vtimezone("America/New_York", 2005, 2030).to_ical().decode()
    # 1987-2006's rule as single onsets, today's as open-ended yearly rules.
    assert "DTSTART:20060402T020000" in block and "RDATE:20060402T020000" in block
    assert "DTSTART:20070311T020000\r\nRRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3" in block
    assert "UNTIL" not in block
