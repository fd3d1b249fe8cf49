"""The TextClock wire format, as pure functions shared by the driver and the simulator.

One request line, answered by lines, all ASCII and ``\\n``-terminated:

- ``INFO`` -> ``INFO <serial> <record count>``
- ``READ <after>`` -> one ``REC <seq> <user> <YYYY-MM-DDTHH:MM:SS> <state>`` per record with
  a sequence number above ``after``, oldest first, then ``END <number of REC lines>``
- anything else -> ``ERR <reason>``

Times are the device's wall clock, without a zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from drivers.errors import ProtocolViolation
from drivers.punch import PunchState

#: state codes on the wire -> shiftgate's punch states
STATES = {
    "I": PunchState.IN,
    "O": PunchState.OUT,
    "BO": PunchState.BREAK_OUT,
    "BI": PunchState.BREAK_IN,
}
CODES = {state: code for code, state in STATES.items()}
WALL_FORMAT = "%Y-%m-%dT%H:%M:%S"


@dataclass(frozen=True, slots=True)
class Record:
    """One attendance record as the device keeps it."""

    seq: int
    user: str
    wall: datetime  # naive: the device's wall clock
    state: PunchState


def encode_record(record: Record) -> bytes:
    wall = record.wall.strftime(WALL_FORMAT)
    return f"REC {record.seq} {record.user} {wall} {CODES[record.state]}\n".encode("ascii")


def parse_record(line: str) -> Record:
    """A ``REC`` line; :class:`ProtocolViolation` naming the line when it is malformed."""
    parts = line.split(" ")
    if len(parts) != 5 or parts[0] != "REC":
        raise ProtocolViolation(f"textclock: expected 'REC seq user time state', got {line!r}")
    _, seq, user, wall, code = parts
    try:
        # a naive wall time on purpose: the driver attaches the device's zone
        at = datetime.strptime(wall, WALL_FORMAT)  # noqa: DTZ007
        return Record(int(seq), user, at, STATES[code])
    except (ValueError, KeyError) as exc:
        raise ProtocolViolation(f"textclock: bad record {line!r}: {exc}") from exc


def parse_info(line: str) -> tuple[str, int]:
    """``INFO serial count`` -> (serial, count)."""
    parts = line.split(" ")
    if len(parts) != 3 or parts[0] != "INFO" or not parts[2].isdigit():
        raise ProtocolViolation(f"textclock: expected 'INFO serial count', got {line!r}")
    return parts[1], int(parts[2])


def parse_end(line: str) -> int:
    parts = line.split(" ")
    if len(parts) != 2 or parts[0] != "END" or not parts[1].isdigit():
        raise ProtocolViolation(f"textclock: expected 'END count', got {line!r}")
    return int(parts[1])
