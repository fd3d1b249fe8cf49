"""Driver punch -> outbox punch, with what the gateway knew at the read (offset, suspicion)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from drivers.punch import Punch
from gateway.punch_mapping import to_punch_in
from gateway.punch_wire import PunchWire


def to_wire(
    punch: Punch,
    *,
    timezone: str,
    received_at: datetime,
    clock_offset_s: float | None,
    clock_suspect: bool,
) -> PunchWire:
    """Map with :func:`gateway.punch_mapping.to_punch_in`; the driver's own offset measurement
    wins over the gateway's ``clock_offset_s``."""
    mapped = to_punch_in(
        punch, timezone=timezone, received_at=received_at, clock_suspect=clock_suspect
    )
    if mapped.clock_offset_s is None:
        mapped = dataclasses.replace(mapped, clock_offset_s=clock_offset_s)
    return PunchWire.from_punch_in(mapped)
