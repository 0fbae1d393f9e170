"""The start-up heap policy (mentordesk.startup.heap): the cyclic GC is paused during start-up, and
what start-up built is frozen before it resumes."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from mentordesk.startup import heap


@pytest.fixture
def restore_gc() -> Iterator[None]:
    was_enabled = gc.isenabled()
    yield
    heap.start_up_finished()
    gc.unfreeze()
    if was_enabled:
        gc.enable()


def test_start_up_pauses_then_freezes_and_resumes(restore_gc: None) -> None:
    gc.enable()
    gc.unfreeze()
    heap.pause_for_start_up()
    assert not gc.isenabled()
    built = [[i] for i in range(1000)]  # what start-up keeps
    assert gc.get_freeze_count() == 0
    heap.start_up_finished()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(built)
    frozen = gc.get_freeze_count()
    heap.start_up_finished()  # only once
    assert gc.get_freeze_count() == frozen


def test_finishing_without_a_pause_changes_nothing(restore_gc: None) -> None:
    gc.enable()
    gc.unfreeze()
    heap.start_up_finished()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_collector_already_off_stays_off(restore_gc: None) -> None:
    gc.disable()
    heap.pause_for_start_up()
    heap.start_up_finished()
    assert not gc.isenabled()


def test_freeze_survivors_freezes_what_load_imports(restore_gc: None) -> None:
    gc.unfreeze()
    loaded: list[list[int]] = []
    heap.freeze_survivors(lambda: loaded.extend([i] for i in range(500)))
    assert gc.get_freeze_count() >= 500
