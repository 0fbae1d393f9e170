"""No team test reaches the real OS keyring: every one gets the in-memory one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.keyrings import MemoryKeyring


@pytest.fixture(autouse=True)
def memory_keyring(memory_keyring: MemoryKeyring) -> Iterator[MemoryKeyring]:
    yield memory_keyring
