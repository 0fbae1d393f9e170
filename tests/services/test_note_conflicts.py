"""Settling a note that holds two versions, as the writers make them: a save that met
another writer's text (services/notes.py) and two desks' merge (team/merge.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from mentordesk.services.note_conflicts import first_conflict
from mentordesk.services.notes import conflict_block
from mentordesk.team.merge import merge_text

TEXT = st.text(alphabet=st.characters(blacklist_characters="<>\r", codec="utf-8"),
               max_size=200).map(str.strip)


@given(mine=TEXT, theirs=TEXT)
def test_a_save_conflict_splits_back_into_both_texts(mine: str, theirs: str) -> None:
    note = mine + conflict_block(theirs, datetime(2026, 12, 1, 9, tzinfo=UTC))
    found = first_conflict(note)
    assert found is not None
    assert found.above == mine.rstrip("\n")
    assert found.other == theirs
    assert found.keep_above() == mine.rstrip("\n")
    assert found.keep_other() == theirs
    both = found.keep_both()
    assert mine.strip() in both and theirs.strip() in both
    assert first_conflict(both) is None


def test_two_desks_merge_splits_into_their_two_texts() -> None:
    merged = merge_text("plan", "plan, and the laptop's line", "plan, and the desktop's line")
    found = first_conflict(merged)
    assert found is not None
    assert {found.above, found.other} == {"plan, and the laptop's line",
                                          "plan, and the desktop's line"}
    assert first_conflict(found.keep_both()) is None


def test_text_after_a_block_is_kept_and_a_damaged_block_is_left_alone() -> None:
    note = "mine" + conflict_block("theirs", datetime(2026, 1, 1, tzinfo=UTC)) + "typed later"
    found = first_conflict(note)
    assert found is not None and found.after == "typed later"
    assert found.keep_above() == "mine\n\ntyped later"
    damaged = note.replace(">>>>>>> ", ">> ")
    assert first_conflict(damaged) is None
    assert first_conflict("no markers here") is None
