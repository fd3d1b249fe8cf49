"""The acknowledgement window of serial-line and Modbus terminals."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from drivers.ack_window import AckWindow, Seen


@dataclass(frozen=True)
class Rec:
    key: str


def pid(n: int) -> uuid.UUID:
    return uuid.UUID(int=n)


def test_a_record_is_new_then_waiting_then_stored() -> None:
    window: AckWindow[Rec] = AckWindow(10)
    assert window.seen("a") is Seen.NEW
    window.hold(pid(1), Rec("a"))
    assert window.seen("a") is Seen.WAITING
    assert window.release(pid(1)) == Rec("a")
    assert window.seen("a") is Seen.STORED
    assert window.release(pid(1)) is None  # released once only


def test_the_oldest_keys_are_forgotten_and_their_held_records_dropped() -> None:
    window: AckWindow[Rec] = AckWindow(2)
    window.hold(pid(1), Rec("a"))
    window.hold(pid(2), Rec("b"))
    assert window.seen("a") is Seen.WAITING  # touching "a" keeps it; "b" is now the oldest
    window.hold(pid(3), Rec("c"))
    assert window.seen("b") is Seen.NEW
    assert window.release(pid(2)) is None
    assert window.release(pid(1)) == Rec("a")


def test_a_window_needs_room() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        AckWindow(0)
