"""Small builders shared by the gateway tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from drivers.punch import Punch, PunchState
from gateway.ingest import to_wire
from gateway.punch_wire import PunchWire

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=SHANGHAI)


def make_punch(sn: str, user: str, minute: int) -> Punch:
    return Punch(sn, user, T0 + timedelta(minutes=minute), state=PunchState.IN, source="test")


def make_wire(sn: str, user: str, minute: int) -> PunchWire:
    return to_wire(
        make_punch(sn, user, minute),
        timezone="Asia/Shanghai",
        received_at=datetime(2025, 3, 3, 2, 0, tzinfo=UTC),
        clock_offset_s=0.0,
        clock_suspect=False,
    )
