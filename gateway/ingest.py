"""Driver punch -> outbox punch, with what the gateway knew at the read (offset, suspicion)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from drivers.punch import Punch
from gateway.punch_wire import PunchWire
from hrcore.models import PunchStateCode


def zone_name(punch: Punch, fallback: str) -> str:
    tz = punch.local.tzinfo
    return tz.key if isinstance(tz, ZoneInfo) else fallback


def to_wire(
    punch: Punch,
    *,
    timezone: str,
    received_at: datetime,
    clock_offset_s: float | None,
    clock_suspect: bool,
) -> PunchWire:
    """``clock_offset_s``: the driver's own measurement wins over the gateway's."""
    return PunchWire(
        id=punch.id,
        device_sn=punch.device_sn,
        device_user=punch.device_user,
        local_time=punch.local,
        timezone=zone_name(punch, timezone),
        received_at=received_at,
        state=PunchStateCode(punch.state.value),
        verify_mode=punch.verify_mode.value,
        source=punch.source,
        raw=punch.raw,
        clock_offset_s=punch.clock_offset_s if punch.clock_offset_s is not None else clock_offset_s,
        clock_suspect=clock_suspect,
    )
