"""How a device's worker is doing, as the health route and the doctor show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class DeviceHealth(StrEnum):
    STARTING = "starting"
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    serial: str
    name: str
    health: DeviceHealth
    address: str
    last_success: datetime | None
    last_error: str | None
    clock_offset_s: float | None
