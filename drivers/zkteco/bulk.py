"""Attendance records straight to :class:`Punch` objects, in one pass over the log bytes.

A 100,000-record log is mostly this loop, so it does per record only what a punch needs:
the layout's struct, the wall time from the packed value (day parts cached: a log has few
distinct days), the code table, the raw hex and the id. ``decode_attendance`` stays the
readable reference; a property test holds both to the same punches.
"""

from __future__ import annotations

import struct
from datetime import datetime, tzinfo
from functools import lru_cache

from drivers.errors import ProtocolViolation
from drivers.punch import Punch, PunchState, VerifyMode, make_punch
from drivers.zkteco.codes import STATES, VERIFY_MODES
from drivers.zkteco.records import ATTENDANCE_SIZES
from drivers.zkteco.timecodec import unpack_time_value

_LAYOUTS = {
    8: struct.Struct("<HBIB"),
    16: struct.Struct("<IIBB2sI"),
    40: struct.Struct("<H24sBIB8s"),
}


@lru_cache(maxsize=4096)
def _day(days: int) -> tuple[int, int, int, str]:
    """(year, month, day, "YYYY-MM-DDT") of a packed day number; invalid dates raise."""
    d = unpack_time_value(days * 86400)
    return d.year, d.month, d.day, f"{d.year:04d}-{d.month:02d}-{d.day:02d}T"


def punches_from_log(
    data: bytes | memoryview,
    size: int,
    *,
    device_sn: str,
    zone: tzinfo,
    source: str,
    clock_offset_s: float | None,
    uid_to_user: dict[int, str] | None = None,
) -> list[Punch]:
    """Every whole record of ``data`` (all of one ``size``) as a punch, in log order."""
    layout = _LAYOUTS.get(size)
    if layout is None:
        raise ProtocolViolation(
            f"attendance record of {size} bytes; known sizes {ATTENDANCE_SIZES}"
        )
    view = memoryview(data)
    view = view[: len(view) - len(view) % size]
    names = uid_to_user or {}
    states, verifies = STATES.get, VERIFY_MODES.get
    undefined, other = PunchState.UNDEFINED, VerifyMode.OTHER
    out: list[Punch] = []
    append = out.append
    pos = 0
    for fields in layout.iter_unpack(view):
        if size == 40:
            _, raw_user, verify, packed, state, _ = fields
            user = raw_user.split(b"\x00", 1)[0].decode("utf-8", errors="replace")
        elif size == 16:
            number, packed, verify, state, _, _ = fields
            user = str(number)
        else:
            uid, verify, packed, state = fields
            user = names.get(uid, str(uid))
        days, secs = divmod(packed, 86400)
        year, month, day, prefix = _day(days)
        hour, rest = divmod(secs, 3600)
        minute, second = divmod(rest, 60)
        append(
            make_punch(
                device_sn,
                user,
                datetime(year, month, day, hour, minute, second, tzinfo=zone),
                f"{prefix}{hour:02d}:{minute:02d}:{second:02d}",
                states(state, undefined),
                verifies(verify, other),
                source,
                view[pos : pos + size].hex(),
                clock_offset_s,
            )
        )
        pos += size
    return out
