from __future__ import annotations

import pytest

from gateway.testing.waiting import wait_until


def test_wait_until_raises_when_the_condition_never_holds() -> None:
    """An unasserted wait_until must not let a test pass silently."""
    with pytest.raises(TimeoutError, match=r"condition not met within 0\.1s"):
        wait_until(lambda: False, timeout=0.1)


def test_wait_until_returns_once_the_condition_holds() -> None:
    calls: list[int] = []

    def third_time() -> bool:
        calls.append(1)
        return len(calls) >= 3

    wait_until(third_time, timeout=10)
    assert len(calls) == 3
