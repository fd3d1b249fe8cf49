"""Driver punch -> wire punch: the one place that knows the driver's shape.

Every punch a driver reads, whether polled, pushed or imported from a file, becomes a
:class:`~gateway.punches.wire.PunchWire` here; the store's input is made from the wire punch
(:meth:`~gateway.punches.wire.PunchWire.to_punch_in`), so there is one mapping on each side.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from drivers.punch import Punch
from gateway.punches.wire import PunchWire


def zone_name(punch: Punch, fallback: str) -> str:
    """The IANA name of the punch's zone, or ``fallback`` when the driver used a fixed offset."""
    tz = punch.local.tzinfo
    return tz.key if isinstance(tz, ZoneInfo) else fallback


def to_wire(
    punch: Punch,
    *,
    timezone: str,
    received_at: datetime,
    clock_offset_s: float | None = None,
    clock_suspect: bool = False,
) -> PunchWire:
    """``timezone`` is the device's configured zone (used when the punch carries only an
    offset); the driver's own offset measurement wins over the gateway's ``clock_offset_s``."""
    return PunchWire(
        id=punch.id,
        device_sn=punch.device_sn,
        device_user=punch.device_user,
        local_time=punch.local,
        timezone=zone_name(punch, timezone),
        received_at=received_at,
        state=punch.state,
        verify_mode=punch.verify_mode.value,
        source=punch.source,
        raw=punch.raw,
        clock_offset_s=punch.clock_offset_s if punch.clock_offset_s is not None else clock_offset_s,
        clock_suspect=clock_suspect,
    )
