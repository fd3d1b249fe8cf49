"""Named line formats of the serial driver. A device's settings pick one and may override any
part (framing, checksum, pattern, time format, acknowledgement).

There is no common standard for punch lines on a serial port (see docs/drivers.md): these are
the shapes seen in practice, plus shiftgate's own acknowledged protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from drivers.serial.codec import Checksum


class PresetName(StrEnum):
    SHIFTGATE = "shiftgate"
    TAB = "tab"
    CSV = "csv"
    STX_LRC = "stx-lrc"


@dataclass(frozen=True, slots=True)
class Preset:
    name: PresetName
    summary: str
    start: bytes
    end: bytes
    checksum: Checksum
    separator: bytes
    pattern: str
    time_format: str
    ack: str = ""
    ack_framed: bool = True
    #: how the simulator prints a record in this format (fields: the pattern's groups)
    line_template: str = ""


PRESETS: dict[PresetName, Preset] = {
    p.name: p
    for p in (
        Preset(
            name=PresetName.SHIFTGATE,
            summary="$EV,dev,seq,time,user,state,verify*XOR CRLF; host answers $ACK,seq",
            start=b"$",
            end=b"\r\n",
            checksum=Checksum.XOR,
            separator=b"*",
            pattern=(
                r"EV,(?P<device>[^,]*),(?P<seq>\d{1,10}),(?P<time>[^,]+),"
                r"(?P<user>[^,]+),(?P<state>\d*),(?P<verify>\d*)"
            ),
            time_format="%Y-%m-%dT%H:%M:%S",
            ack="ACK,{seq}",
            line_template="EV,{device},{seq},{time},{user},{state},{verify}",
        ),
        Preset(
            name=PresetName.TAB,
            summary="user TAB YYYY-MM-DD HH:MM:SS TAB state TAB verify ... LF (ZKTeco ATTLOG)",
            start=b"",
            end=b"\n",
            checksum=Checksum.NONE,
            separator=b"",
            pattern=r"(?P<user>[^\t]+)\t(?P<time>[^\t]+)\t(?P<state>\d*)\t(?P<verify>\d*)(?:\t.*)?",
            time_format="%Y-%m-%d %H:%M:%S",
            line_template="{user}\t{time}\t{state}\t{verify}\t0",
        ),
        Preset(
            name=PresetName.CSV,
            summary="user,YYYY-MM-DD HH:MM:SS[,state[,verify]] CRLF",
            start=b"",
            end=b"\r\n",
            checksum=Checksum.NONE,
            separator=b"",
            pattern=r"(?P<user>[^,]+),(?P<time>[^,]+)(?:,(?P<state>[^,]*))?(?:,(?P<verify>[^,]*))?",
            time_format="%Y-%m-%d %H:%M:%S",
            line_template="{user},{time},{state},{verify}",
        ),
        Preset(
            name=PresetName.STX_LRC,
            summary="STX seq;user;YYYYMMDDhhmmss;state LRC ETX; host answers ACK (0x06)",
            start=b"\x02",
            end=b"\x03",
            checksum=Checksum.LRC,
            separator=b"",
            pattern=r"(?P<seq>\d{1,10});(?P<user>[^;]+);(?P<time>\d{14});(?P<state>\d?)",
            time_format="%Y%m%d%H%M%S",
            ack="\x06",
            ack_framed=False,
            line_template="{seq};{user};{time};{state}",
        ),
    )
}
