"""How a date reads in a list or a label: "Mon 15 Dec" this year, "Mon 15 Dec 2025" in any
other, so a session a year away never passes for one next week.

English names from tables rather than ``strftime``: Qt sets the C library's locale from the
environment, and ``%a``/``%b`` would then follow it while every other word on screen is
English (and a test run under another locale would read other text).
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_text(day: date, today: date, *, weekday: bool = True) -> str:
    """'Mon 15 Dec' (or 'Tue 02 Dec') when ``day`` falls in ``today``'s year, else
    'Mon 15 Dec 2025'; without the weekday: '15 Dec' / '15 Dec 2025'."""
    text = f"{day.day:02d} {MONTHS[day.month - 1]}"
    if day.year != today.year:
        text += f" {day.year}"
    return f"{WEEKDAYS[day.weekday()]} {text}" if weekday else text


def instant_text(instant: datetime, tz: tzinfo, now: datetime, *, weekday: bool = True,
                 time: bool = True) -> str:
    """``instant`` (aware) as it reads in ``tz``: 'Mon 15 Dec 14:00', with the year when it
    is not ``now``'s year in that zone (the year of the wall calendar the reader looks at)."""
    local = instant.astimezone(tz)
    text = day_text(local.date(), now.astimezone(tz).date(), weekday=weekday)
    return f"{text} {local:%H:%M}" if time else text
