"""The punch state: what the person declared at the clock."""

from __future__ import annotations

from enum import StrEnum


class PunchState(StrEnum):
    """What the person declared at the clock (or ``undefined`` when the device does not say).

    Drivers produce it (``drivers.punch.PunchState``) and the HR store keeps it by value
    (``hrcore.enums.PunchStateCode``); both names are this class.
    """

    IN = "in"
    OUT = "out"
    BREAK_OUT = "break_out"
    BREAK_IN = "break_in"
    OVERTIME_IN = "overtime_in"
    OVERTIME_OUT = "overtime_out"
    UNDEFINED = "undefined"
