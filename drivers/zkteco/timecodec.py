"""Device time encodings: the 4-byte "packed" time and the 6-byte realtime-event time.

Both carry the device's wall clock without a zone. The codec returns naive ``datetime``
values on purpose: they are wall times, and only the driver knows the device's zone.
"""

from __future__ import annotations

import struct
from datetime import date, datetime
from functools import lru_cache

from drivers.errors import ProtocolViolation

_U32 = struct.Struct("<I")
#: Years the packed encoding can hold (two-digit year, base 2000).
MIN_YEAR = 2000
MAX_YEAR = 2099


def wall_time(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """A zone-less device wall time; a :class:`ProtocolViolation` if it is not a calendar time."""
    try:
        return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - device wall time
    except ValueError as exc:
        raise ProtocolViolation(
            f"device sent an impossible time {year:04d}-{month:02d}-{day:02d} "
            f"{hour:02d}:{minute:02d}:{second:02d}"
        ) from exc


def pack_time_value(value: datetime) -> int:
    """The packed integer for a wall time (months count as 31 days, years as 12 such months)."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(
            f"year {value.year} outside what the device can store ({MIN_YEAR}-{MAX_YEAR})"
        )
    days = ((value.year % 100) * 12 + (value.month - 1)) * 31 + (value.day - 1)
    return (days * 24 + value.hour) * 3600 + value.minute * 60 + value.second


def encode_packed_time(value: datetime) -> bytes:
    """4 bytes little-endian, as in GET_TIME/SET_TIME and attendance records."""
    return _U32.pack(pack_time_value(value))


@lru_cache(maxsize=4096)
def _calendar_day(days: int) -> date:
    """Day number of the packed encoding (31-day months, 12-month years) as a date."""
    years, rest = divmod(days, 12 * 31)
    month0, day0 = divmod(rest, 31)
    try:
        return date(2000 + years, month0 + 1, day0 + 1)
    except ValueError as exc:
        raise ProtocolViolation(
            f"device sent an impossible date {2000 + years:04d}-{month0 + 1:02d}-{day0 + 1:02d}"
        ) from exc


def unpack_time_value(packed: int) -> datetime:
    days, secs = divmod(packed, 86400)
    day = _calendar_day(days)  # cached: a log has few distinct days
    hour, rest = divmod(secs, 3600)
    minute, second = divmod(rest, 60)
    return datetime(day.year, day.month, day.day, hour, minute, second)  # noqa: DTZ001


def decode_packed_time(data: bytes) -> datetime:
    """Inverse of :func:`encode_packed_time`; needs exactly 4 bytes."""
    if len(data) != 4:
        raise ProtocolViolation(f"packed time needs 4 bytes, got {len(data)}")
    return unpack_time_value(_U32.unpack(data)[0])


def encode_hex6_time(value: datetime) -> bytes:
    """6 bytes year-2000, month, day, hour, minute, second (realtime events)."""
    if not MIN_YEAR <= value.year <= MIN_YEAR + 255:
        raise ValueError(f"year {value.year} outside what the device can store")
    return bytes(
        (value.year - 2000, value.month, value.day, value.hour, value.minute, value.second)
    )


def decode_hex6_time(data: bytes) -> datetime:
    if len(data) != 6:
        raise ProtocolViolation(f"event time needs 6 bytes, got {len(data)}")
    y, mo, d, h, mi, s = data
    return wall_time(2000 + y, mo, d, h, mi, s)
