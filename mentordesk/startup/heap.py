"""The cyclic garbage collector and what the process keeps for good.

A full (generation-2) collection walks every tracked object while holding the GIL, so no
other thread runs meanwhile. Once Qt and the app are loaded that is ~76,000 objects and
55–65 ms on the reference machine: a stall wherever it happens to be set off. At start-up it
was set off at random by the first list load (one full and a dozen younger collections before
the list was on screen), although start-up leaves only ~460 garbage objects.

So the GUI pauses the collector for its start-up and, once the first view is interactive,
moves everything alive to the permanent generation (``gc.freeze()``, which walks nothing)
before resuming it: later full collections walk only what is newer. Frozen objects are
still freed by reference counting; only cycles that are already garbage stay for good.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable

_lock = threading.Lock()
_paused_for_start_up = False


def pause_for_start_up() -> None:
    global _paused_for_start_up
    with _lock:
        if gc.isenabled():
            gc.disable()
            _paused_for_start_up = True


def start_up_finished() -> None:
    """Freeze what start-up built and resume collecting (once; no-op if never paused)."""
    global _paused_for_start_up
    with _lock:
        if not _paused_for_start_up:
            return
        _paused_for_start_up = False
        gc.freeze()
        gc.enable()


def freeze_survivors(load: Callable[[], None] | None = None) -> None:
    """Collect the young garbage (a few ms), freeze the rest; with ``load``, also whatever
    it imports (between two freezes, so a collection it sets off walks only the new)."""
    with _lock:
        gc.collect(1)
        gc.freeze()
        if load is not None:
            load()
            gc.collect(1)
            gc.freeze()
