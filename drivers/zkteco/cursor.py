"""The opaque read cursor of the ZKTeco driver, and how a new log snapshot is matched to it.

A cursor says how many records of the device log were delivered and carries the raw bytes of
the last few of them (the "tail"). On the next read the driver checks that the tail is still at
the same place; if the count went down or the tail moved (someone cleared or rotated the log),
it finds the tail in the current log and delivers only what follows it, or everything when the
tail is gone. So a cleared log yields no duplicate and loses nothing still on the device.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from drivers.errors import DriverConfigError

CURSOR_VERSION = 1
TAIL_RECORDS = 3
MAX_CURSOR_CHARS = 1024


@dataclass(frozen=True, slots=True)
class LogCursor:
    delivered: int = 0
    record_size: int = 0
    tail: tuple[bytes, ...] = ()

    def encode(self) -> str:
        return json.dumps(
            {
                "v": CURSOR_VERSION,
                "n": self.delivered,
                "rs": self.record_size,
                "tail": [t.hex() for t in self.tail],
            },
            separators=(",", ":"),
        )

    @classmethod
    def decode(cls, text: str | None) -> LogCursor:
        if text is None:
            return cls()
        try:
            if len(text) > MAX_CURSOR_CHARS:
                raise ValueError(f"{len(text)} characters is too long")
            obj = json.loads(text)
            if not isinstance(obj, dict) or obj.get("v") != CURSOR_VERSION:
                raise ValueError("not a version-1 zkteco cursor")
            n, rs, tail = obj["n"], obj["rs"], obj["tail"]
            if not (isinstance(n, int) and isinstance(rs, int) and isinstance(tail, list)):
                raise ValueError("fields have the wrong types")
            if n < 0 or len(tail) > min(n, TAIL_RECORDS):
                raise ValueError("counts are inconsistent")
            blobs = tuple(bytes.fromhex(t) for t in tail)
            if any(len(b) != rs for b in blobs):
                raise ValueError("tail records do not match the record size")
        except (ValueError, KeyError, TypeError) as exc:
            raise DriverConfigError(
                f"read cursor {text[:80]!r} is not a zkteco cursor ({exc}); "
                "pass no cursor to read the whole log again"
            ) from exc
        return cls(n, rs, blobs)

    @classmethod
    def after(cls, records: list[bytes], total: int, record_size: int) -> LogCursor:
        """Cursor after delivering up to record ``total``; ``records`` ends with the last ones."""
        return cls(total, record_size, tuple(records[-TAIL_RECORDS:]) if total else ())

    @property
    def tail_start(self) -> int:
        """Index in the log of the first tail record when the log is unchanged."""
        return self.delivered - len(self.tail)


def find_resume_index(records: list[bytes], cursor: LogCursor) -> int:
    """Index of the first undelivered record in ``records`` (the whole current log).

    Unchanged log: right after the tail at its old place. Changed log: right after the last
    place the tail occurs (at the start of a rotated log only its newest records may be left),
    or 0 when it is gone (the log was wiped).
    """
    if not cursor.tail:
        return 0 if cursor.delivered == 0 or len(records) < cursor.delivered else cursor.delivered
    k = len(cursor.tail)
    start = cursor.tail_start
    if tuple(records[start : start + k]) == cursor.tail:
        return cursor.delivered
    last = cursor.tail[-1]
    for i in range(len(records) - 1, -1, -1):
        if records[i] != last:
            continue
        before = min(i, k - 1)
        if tuple(records[i - before : i]) == cursor.tail[k - 1 - before : k - 1]:
            return i + 1
    return 0
