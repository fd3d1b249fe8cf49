"""Record layouts: attendance (8/16/40 bytes), users (28/72 bytes), realtime events.

Decoders take bytes and raise only :class:`ProtocolViolation`; encoders are their inverses
(used by the simulator and by user writes).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from drivers.errors import ProtocolViolation
from drivers.zkteco.timecodec import (
    decode_hex6_time,
    decode_packed_time,
    encode_hex6_time,
    encode_packed_time,
)

ATTENDANCE_SIZES = (8, 16, 40)
USER_SIZES = (28, 72)

_ATT8 = struct.Struct("<HB4sB")
_ATT16 = struct.Struct("<I4sBB2sI")
_ATT40 = struct.Struct("<H24sB4sB8s")
_ATT40_RESERVED = b"\x00\x00\x00\x00\xff\x00\x00\x00"
_USER28 = struct.Struct("<HB5s8sIxBhI")
_USER72 = struct.Struct("<HB8s24sIx7sx24s")


def _text(raw: bytes) -> str:
    return raw.split(b"\x00", 1)[0].decode("utf-8", errors="replace")


def _fixed(text: str, size: int, what: str) -> bytes:
    raw = text.encode("utf-8")
    if len(raw) > size:
        raise ValueError(f"{what} {text!r} is longer than the device's {size} bytes")
    return raw.ljust(size, b"\x00")


@dataclass(frozen=True, slots=True)
class AttendanceRecord:
    """One attendance log row as stored on the device.

    ``uid`` is the device's internal user slot (0 when the layout has none); ``user_id`` the
    id printed on punches; ``time`` the device's wall time (zone-less); ``raw`` the record bytes.
    """

    user_id: str
    time: datetime
    verify: int = 0
    state: int = 0
    uid: int = 0
    workcode: int = 0
    raw: bytes = b""


def encode_attendance(rec: AttendanceRecord, size: int) -> bytes:
    t = encode_packed_time(rec.time)
    if size == 8:
        return _ATT8.pack(rec.uid, rec.verify, t, rec.state)
    if size == 16:
        if not rec.user_id.isdigit():
            raise ValueError(f"16-byte records need numeric user ids, got {rec.user_id!r}")
        return _ATT16.pack(int(rec.user_id), t, rec.verify, rec.state, b"\x00\x00", rec.workcode)
    if size == 40:
        uid_field = _fixed(rec.user_id, 24, "user id")
        return _ATT40.pack(rec.uid, uid_field, rec.verify, t, rec.state, _ATT40_RESERVED)
    raise ValueError(f"attendance record size {size} is not one of {ATTENDANCE_SIZES}")


def decode_attendance(raw: bytes, uid_to_user: dict[int, str] | None = None) -> AttendanceRecord:
    """One record; its size picks the layout. 8-byte rows carry only the slot ``uid``: the
    printed user id comes from ``uid_to_user`` (falling back to the slot number)."""
    raw = bytes(raw)
    size = len(raw)
    if size == 8:
        uid, verify, t, state = _ATT8.unpack(raw)
        user_id = (uid_to_user or {}).get(uid, str(uid))
        return AttendanceRecord(user_id, decode_packed_time(t), verify, state, uid, 0, raw)
    if size == 16:
        user, t, verify, state, _, workcode = _ATT16.unpack(raw)
        return AttendanceRecord(str(user), decode_packed_time(t), verify, state, 0, workcode, raw)
    if size == 40:
        uid, user, verify, t, state, _ = _ATT40.unpack(raw)
        return AttendanceRecord(_text(user), decode_packed_time(t), verify, state, uid, 0, raw)
    raise ProtocolViolation(f"attendance record of {size} bytes; known sizes {ATTENDANCE_SIZES}")


def record_size(total_bytes: int, count: int, known: tuple[int, ...], what: str) -> int:
    """Record size derived from a dataset's byte length and the device's record count."""
    if count <= 0:
        raise ProtocolViolation(f"{what}: record count {count} with {total_bytes} bytes of data")
    size, rest = divmod(total_bytes, count)
    if rest or size not in known:
        raise ProtocolViolation(
            f"{what}: {total_bytes} bytes for {count} records is not a known layout {known}"
        )
    return size


def infer_record_size(total_bytes: int, count: int, known: tuple[int, ...], what: str) -> int:
    """Like :func:`record_size`, but a count a little off (a punch made between the count and
    the read, a stale counter) still gives the layout: the known size whose record number is
    nearest to ``count``, within 1 % (at least 5 records). pyzk reads such logs too."""
    try:
        return record_size(total_bytes, count, known, what)
    except ProtocolViolation:
        fits = [s for s in known if total_bytes % s == 0 and total_bytes]
        if fits:
            best = min(fits, key=lambda s: abs(total_bytes // s - count))
            if abs(total_bytes // best - count) <= max(5, count // 100):
                return best
        raise


def iter_records(data: bytes | bytearray | memoryview, size: int) -> Iterator[bytes]:
    view = memoryview(data)
    for start in range(0, len(data) - size + 1, size):
        yield bytes(view[start : start + size])


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A user as stored on the device. ``uid`` is the internal slot (1..65535)."""

    uid: int
    user_id: str
    name: str = ""
    privilege: int = 0
    password: str = ""
    card: int = 0
    group: str = ""


def encode_user(user: UserRecord, size: int) -> bytes:
    if not 1 <= user.uid <= 0xFFFF:
        raise ValueError(f"user slot {user.uid} must be 1..65535")
    if size == 28:
        if not user.user_id.isdigit() or int(user.user_id) > 0xFFFFFFFF:
            raise ValueError(f"28-byte user records need a numeric user id, got {user.user_id!r}")
        group = int(user.group) if user.group.isdigit() else 0
        return _USER28.pack(
            user.uid,
            user.privilege,
            _fixed(user.password, 5, "password"),
            _fixed(user.name, 8, "name"),
            user.card,
            group & 0xFF,
            0,
            int(user.user_id),
        )
    if size == 72:
        return _USER72.pack(
            user.uid,
            user.privilege,
            _fixed(user.password, 8, "password"),
            _fixed(user.name, 24, "name"),
            user.card,
            _fixed(user.group, 7, "group"),
            _fixed(user.user_id, 24, "user id"),
        )
    raise ValueError(f"user record size {size} is not one of {USER_SIZES}")


def decode_user(raw: bytes) -> UserRecord:
    raw = bytes(raw)
    if len(raw) == 28:
        uid, priv, pw, name, card, group, _tz, user_id = _USER28.unpack(raw)
        return UserRecord(uid, str(user_id), _text(name), priv, _text(pw), card, str(group))
    if len(raw) == 72:
        uid, priv, pw, name, card, group, user_id = _USER72.unpack(raw)
        return UserRecord(uid, _text(user_id), _text(name), priv, _text(pw), card, _text(group))
    raise ProtocolViolation(f"user record of {len(raw)} bytes; known sizes {USER_SIZES}")


# -- realtime events -------------------------------------------------------------------------

_EV_SHORT = struct.Struct("<HBB6s")
_EV_INT = struct.Struct("<IBB6s")
_EV_LONG = struct.Struct("<24sBB6s")
#: Event data lengths by layout (see research notes 1.9).
EVENT_SIZES = (10, 12, 14, 32, 36, 37, 40)
EVENT_LONG_MIN = 52


@dataclass(frozen=True, slots=True)
class LiveEvent:
    user_id: str
    time: datetime
    verify: int
    state: int
    raw: bytes


def encode_event(user_id: str, time: datetime, verify: int, state: int, size: int) -> bytes:
    """EF_ATTLOG event data of ``size`` bytes (12: numeric id; 32/36/40/52: text id)."""
    t = encode_hex6_time(time)
    if size == 12:
        return _EV_INT.pack(int(user_id), verify, state, t)
    if size == 10:
        return _EV_SHORT.pack(int(user_id), verify, state, t)
    if size in (32, 36, 37, 40) or size >= EVENT_LONG_MIN:
        body = _EV_LONG.pack(_fixed(user_id, 24, "user id"), verify, state, t)
        return body.ljust(size, b"\x00")
    raise ValueError(f"event size {size} is not a known layout")


def decode_event(data: bytes) -> LiveEvent:
    """An EF_ATTLOG realtime event; its length picks the layout."""
    data = bytes(data)
    n = len(data)
    if n in (10, 14):
        user, verify, state, t = _EV_SHORT.unpack_from(data)
        return LiveEvent(str(user), decode_hex6_time(t), verify, state, data)
    if n == 12:
        user, verify, state, t = _EV_INT.unpack_from(data)
        return LiveEvent(str(user), decode_hex6_time(t), verify, state, data)
    if n in (32, 36, 37, 40) or n >= EVENT_LONG_MIN:
        user_raw, verify, state, t = _EV_LONG.unpack_from(data)
        return LiveEvent(_text(user_raw), decode_hex6_time(t), verify, state, data)
    raise ProtocolViolation(f"attendance event of {n} bytes is not a known layout")
