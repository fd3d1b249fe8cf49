"""The normalized records every driver produces."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from enum import StrEnum

from shiftgate_types import PunchState

#: Namespace for deterministic punch ids (uuid5). Never change it: ids are stored.
PUNCH_NAMESPACE = uuid.UUID("6f1c9f3e-5a0b-4b8e-9a57-1d2f0c7e4a11")

# PunchState is re-exported: drivers set a punch's state with it; its one definition is in
# shiftgate_types, which the HR store uses too
__all__ = [
    "PUNCH_NAMESPACE",
    "DeviceInfo",
    "DeviceUser",
    "Punch",
    "PunchState",
    "VerifyMode",
    "make_punch",
    "punch_id",
]


class VerifyMode(StrEnum):
    """How the device verified the person."""

    PASSWORD = "password"  # noqa: S105 - a verify mode, not a secret
    FINGERPRINT = "fingerprint"
    CARD = "card"
    FACE = "face"
    PALM = "palm"
    OTHER = "other"
    UNKNOWN = "unknown"


_NAMESPACE_BYTES = PUNCH_NAMESPACE.bytes
_UUID5_CLEAR = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_UUID5_SET = (0x5000 << 64) | (0x8000 << 48)
_new = object.__new__
_UNKNOWN_SAFETY = uuid.SafeUUID.unknown  # an enum member: looked up once, not per punch


def _uuid_slot(name: str) -> Callable[[uuid.UUID, object], None]:
    setter: Callable[[uuid.UUID, object], None] = getattr(uuid.UUID, name).__set__
    return setter


_uuid_int = _uuid_slot("int")
_uuid_safe = _uuid_slot("is_safe")


def _uuid5(name: str) -> uuid.UUID:
    """``uuid.uuid5(PUNCH_NAMESPACE, name)``, built without the checks of ``UUID()`` (the
    same value: SHA-1 of namespace and name, version 5, RFC 4122 variant)."""
    digest = hashlib.sha1(_NAMESPACE_BYTES + name.encode(), usedforsecurity=False).digest()
    value = (int.from_bytes(digest[:16]) & _UUID5_CLEAR) | _UUID5_SET
    out = _new(uuid.UUID)
    _uuid_int(out, value)
    _uuid_safe(out, _UNKNOWN_SAFETY)
    return out


def punch_id(device_sn: str, device_user: str, local: datetime) -> uuid.UUID:
    """Deterministic punch id over (device serial, device user, device wall time to the second).

    Reading the same punch twice -- over the network, from a USB export, after a re-push --
    gives the same id.
    """
    wall = local.replace(tzinfo=None, microsecond=0).isoformat(timespec="seconds")
    return _uuid5(f"{device_sn}|{device_user}|{wall}")


@dataclass(frozen=True, slots=True)
class Punch:
    """One attendance event as the device recorded it.

    ``local`` is the device's wall-clock time, made aware with the device's zone; ``at`` is the
    same instant in UTC. ``clock_offset_s`` is device clock minus true time at the read, when known.
    """

    device_sn: str
    device_user: str
    local: datetime
    state: PunchState = PunchState.UNDEFINED
    verify_mode: VerifyMode = VerifyMode.UNKNOWN
    source: str = ""
    raw: str = ""
    clock_offset_s: float | None = None
    id: uuid.UUID = field(init=False)

    def __post_init__(self) -> None:
        if self.local.tzinfo is None or self.local.utcoffset() is None:
            raise ValueError(
                f"punch for user {self.device_user!r} on device {self.device_sn!r} has a naive "
                "time; drivers must attach the device's timezone"
            )
        object.__setattr__(self, "id", punch_id(self.device_sn, self.device_user, self.local))

    @property
    def at(self) -> datetime:
        """The instant in UTC."""
        return self.local.astimezone(UTC)


def _slot_setter(name: str) -> Callable[[Punch, object], None]:
    """The setter of one slot of the frozen Punch, called directly (no lookup per field)."""
    if name not in {f.name for f in fields(Punch)}:
        raise AttributeError(f"Punch has no field {name!r}")
    setter: Callable[[Punch, object], None] = getattr(Punch, name).__set__
    return setter


_sn = _slot_setter("device_sn")
_user = _slot_setter("device_user")
_local = _slot_setter("local")
_state = _slot_setter("state")
_verify = _slot_setter("verify_mode")
_source = _slot_setter("source")
_raw = _slot_setter("raw")
_offset = _slot_setter("clock_offset_s")
_id = _slot_setter("id")


def make_punch(
    device_sn: str,
    device_user: str,
    local: datetime,
    wall_key: str,
    state: PunchState,
    verify_mode: VerifyMode,
    source: str,
    raw: str,
    clock_offset_s: float | None,
) -> Punch:
    """A :class:`Punch` for drivers building many at once (a 100k-record log).

    ``local`` must be aware and ``wall_key`` its wall time as ``YYYY-MM-DDTHH:MM:SS`` (what
    the id hashes): the caller has them at hand, so neither is derived again. Equal to
    ``Punch(...)`` with the same values (a property test holds them together).
    """
    p = _new(Punch)
    _sn(p, device_sn)
    _user(p, device_user)
    _local(p, local)
    _state(p, state)
    _verify(p, verify_mode)
    _source(p, source)
    _raw(p, raw)
    _offset(p, clock_offset_s)
    _id(p, _uuid5(f"{device_sn}|{device_user}|{wall_key}"))
    return p


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """What a device says about itself. Counts and capacities are ``None`` when unknown."""

    serial_number: str
    family: str
    brand: str = ""
    name: str = ""
    firmware: str = ""
    platform: str = ""
    user_count: int | None = None
    user_capacity: int | None = None
    record_count: int | None = None
    record_capacity: int | None = None
    clock: datetime | None = None


@dataclass(frozen=True, slots=True)
class DeviceUser:
    """A person enrolled on a device. ``user_id`` is the id printed on punches."""

    user_id: str
    name: str = ""
    card: str | None = None
    privilege: int = 0
    password: str | None = None
    group: str | None = None
    slot: int | None = None
