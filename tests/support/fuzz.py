"""Shared pieces of the bad-input tests (hypothesis) beside each parser's and writer's own
tests: how many examples, a scratch database that outlives one example, any text, and repeat
rule texts from well-formed to nonsense."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from mentordesk.storage.database import Database, open_database

# MENTORDESK_FUZZ_EXAMPLES raises the number of examples for a long local run.
EXAMPLES = int(os.environ.get("MENTORDESK_FUZZ_EXAMPLES", "120"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@contextlib.contextmanager
def scratch_db() -> Iterator[Database]:
    """One database for all the examples of a property: a ``@given`` test cannot take
    pytest's function-scoped fixtures (``tmp_path``, ``db``), which would not be reset
    between its examples anyway."""
    with tempfile.TemporaryDirectory(prefix="md-fuzz-") as folder:
        db = open_database(Path(folder) / "fuzz.sqlite3")
        try:
            yield db
        finally:
            db.close()


# Any text a person or a program could hand over (no lone surrogates: they cannot be stored).
any_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)

_rule_values = {
    "FREQ": st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY", "weekly", ""]),
    "INTERVAL": st.one_of(st.integers(-3, 60).map(str), any_text),
    "BYDAY": st.one_of(st.builds(lambda n, d: f"{n}{d}",
                                 st.sampled_from(["", "+1", "2", "-1", "5", "+", "-", "0"]),
                                 st.sampled_from(["MO", "TU", "SU", "XX", ""])), any_text),
    "COUNT": st.one_of(st.integers(-2, 10**6).map(str), any_text),
    "UNTIL": st.one_of(
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(
            lambda d: d.strftime("%Y%m%dT%H%M%SZ")),
        st.dates().map(lambda d: d.strftime("%Y%m%d")),
        st.sampled_from(["00010101", "99991231", "99991231T235959Z", "00010101T000000Z",
                         "20270230", "tomorrow"]),
        any_text),
    "WKST": st.sampled_from(["MO", "SU", "??"]),
    "BYMONTH": st.sampled_from(["1", "13"]),
}


@st.composite
def rule_texts(draw: st.DrawFn) -> str:
    """A repeat rule's text: mostly RRULE-shaped with odd values, now and then anything."""
    if draw(st.integers(0, 5)) == 0:
        return draw(st.text(max_size=80))
    keys = draw(st.lists(st.sampled_from(sorted(_rule_values)), max_size=5))
    if draw(st.integers(0, 4)):
        keys = ["FREQ", *keys]
    parts = [f"{k}={draw(_rule_values[k])}" for k in keys]
    prefix = draw(st.sampled_from(["", "RRULE:", "rrule:", " "]))
    return prefix + ";".join(parts)
