"""Bounded polling for tests and harnesses (never a bare sleep)."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(cond: Callable[[], object], timeout: float = 5.0, interval: float = 0.02) -> None:
    """Return as soon as ``cond()`` is truthy; raise TimeoutError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if cond():
            return
        if time.monotonic() >= deadline:
            raise TimeoutError(f"condition not met within {timeout:.1f}s: {cond!r}")
        time.sleep(interval)
