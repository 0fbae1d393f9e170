"""Our own retry policy: the client library's retries ignore Retry-After, never cap the
sleep and retry socket errors on inserts blindly."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter (AWS architecture blog's "Full Jitter")."""

    base: float = 1.0
    cap: float = 32.0
    max_attempts: int = 5
    # A Retry-After longer than this ends the sync instead of blocking the worker.
    max_wait: float = 60.0
    quota_pause_seconds: float = 3600.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    rand: Callable[[], float] = field(default=random.random, compare=False)

    def backoff(self, attempt: int) -> float:
        """Sleep before retry number ``attempt`` (1-based)."""
        growth: float = self.base * 2.0 ** (attempt - 1)
        return self.rand() * min(self.cap, growth)

    def wait(self, attempt: int, retry_after: float | None = None) -> float:
        """How long to wait: never shorter than the server's Retry-After."""
        delay = self.backoff(attempt)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return delay


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (RFC 9110: delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
