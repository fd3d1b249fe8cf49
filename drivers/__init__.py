"""Device drivers: one plug-in per time-clock protocol family.

Drivers turn a device's records into normalized :class:`drivers.punch.Punch` values.
They import nothing from ``hrcore`` or ``gateway``.
"""

from drivers.base import Capability, Driver, ReadResult
from drivers.errors import (
    AuthRejected,
    CapabilityNotSupported,
    DeviceUnreachable,
    DriverConfigError,
    DriverError,
    ProtocolViolation,
)
from drivers.punch import DeviceInfo, DeviceUser, Punch, PunchState, VerifyMode, punch_id

__all__ = [
    "AuthRejected",
    "Capability",
    "CapabilityNotSupported",
    "DeviceInfo",
    "DeviceUnreachable",
    "DeviceUser",
    "Driver",
    "DriverConfigError",
    "DriverError",
    "ProtocolViolation",
    "Punch",
    "PunchState",
    "ReadResult",
    "VerifyMode",
    "punch_id",
]
