from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from mentordesk.domain.timezones import (
    format_offset,
    relative_offset,
    search_zones,
    shared_working_hours,
)

JULY = datetime(2026, 7, 1, 12, tzinfo=UTC)


def names(query: str) -> list[str]:
    return [m.name for m in search_zones(query, JULY)]


def test_search_by_city_abbreviation_and_offset() -> None:
    assert names("Berlin")[0] == "Europe/Berlin"
    assert "Asia/Kolkata" in names("IST")[:3]
    assert "Asia/Kathmandu" in names("+5:45")
    assert names("new york")[0] == "America/New_York"
    assert names("zzzz-nowhere") == []


def test_offsets() -> None:
    assert format_offset(timedelta(hours=5, minutes=30)) == "+5:30"
    assert format_offset(timedelta(hours=-3, minutes=-30)) == "-3:30"
    assert relative_offset("Asia/Kathmandu", "Europe/Berlin", JULY) == "+3:45 h"
    assert relative_offset("Europe/Berlin", "Europe/Paris", JULY) == "same time"


def test_shared_working_hours_berlin_new_york() -> None:
    spans = shared_working_hours("Europe/Berlin", "America/New_York", date(2026, 7, 1))
    assert len(spans) == 1
    start, end = spans[0]
    assert start.astimezone(UTC).hour == 12  # 08:00 New York (EDT)
    assert end.astimezone(UTC).hour == 18  # 20:00 Berlin (CEST)
    # Auckland (UTC+12) and London (UTC+1) share one hour: 07:00-08:00 UTC.
    far = shared_working_hours("Pacific/Auckland", "Europe/London", date(2026, 7, 2))
    assert sum((b - a for a, b in far), timedelta()) == timedelta(hours=1)
