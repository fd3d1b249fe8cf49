"""Driver punch -> store punch. The one place that knows both shapes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from drivers.punch import Punch
from hrcore.models import PunchStateCode
from hrcore.store import PunchIn


def zone_name(punch: Punch, fallback: str) -> str:
    """The IANA name of the punch's zone, or ``fallback`` when the driver used a fixed offset."""
    tz = punch.local.tzinfo
    return tz.key if isinstance(tz, ZoneInfo) else fallback


def to_punch_in(
    punch: Punch,
    *,
    timezone: str,
    received_at: datetime,
    device_id: int | None = None,
    site_id: int | None = None,
    clock_suspect: bool = False,
) -> PunchIn:
    """``timezone`` is the device's configured zone (used when the punch carries only an offset);
    ``site_id`` lets the store map the device user to an employee."""
    return PunchIn(
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
        clock_offset_s=punch.clock_offset_s,
        clock_suspect=clock_suspect,
        device_id=device_id,
        site_id=site_id,
    )
