"""Serial-line codec, sans-IO: framing, checksums, line formats and acknowledgements.

A terminal on RS-232/RS-485 prints one frame per punch: optional start marker (``$``, STX),
a text body, an optional checksum (two hex digits after an optional separator such as ``*``)
and an end marker (CR LF, ETX). :class:`FrameReader` cuts a byte stream into frames and junk;
:class:`LineCodec` checks a frame's checksum and decodes its body with a regex whose named
groups are ``user``, ``time``, ``state``, ``verify``, ``device`` and ``seq``. The driver and
the simulator share this module; the tests also use hand-written device bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from functools import reduce

from drivers.base import RejectKind
from drivers.errors import ProtocolViolation
from drivers.localtime import attach_zone

#: named groups a line pattern may use; ``user`` and ``time`` are required
GROUPS = ("user", "time", "state", "verify", "device", "seq")
REQUIRED_GROUPS = ("user", "time")
#: time formats that are not strftime patterns
UNIX_SECONDS = "unix"
MAX_USER_CHARS = 32


class Checksum(StrEnum):
    NONE = "none"
    XOR = "xor"  # XOR of the bytes (NMEA 0183 style)
    LRC = "lrc"  # two's complement of the byte sum (Modbus ASCII style)
    SUM = "sum"  # byte sum modulo 256


def checksum(algorithm: Checksum, data: bytes) -> int:
    """The 8-bit checksum of ``data``."""
    if algorithm is Checksum.XOR:
        return reduce(lambda a, b: a ^ b, data, 0)
    if algorithm is Checksum.SUM:
        return sum(data) & 0xFF
    if algorithm is Checksum.LRC:
        return (-sum(data)) & 0xFF
    raise ValueError("no checksum to compute")


class BadFrame(ProtocolViolation):
    """A frame (or junk between frames) that is not a punch; ``raw`` is what was received."""

    def __init__(self, kind: RejectKind, raw: bytes, reason: str) -> None:
        self.kind = kind
        self.raw = raw
        self.reason = reason
        super().__init__(f"{kind.value}: {reason} (raw {raw[:80].hex()})")


@dataclass(frozen=True, slots=True)
class Framing:
    """Where a frame starts and ends and how its checksum is written."""

    start: bytes = b""
    end: bytes = b"\r\n"
    checksum: Checksum = Checksum.NONE
    separator: bytes = b""  # written between the body and the checksum digits
    max_frame: int = 512

    def __post_init__(self) -> None:
        if not self.end:
            raise ValueError("a frame needs an end marker (e.g. CR LF or ETX)")
        if self.start and self.start in self.end:
            raise ValueError("the start marker must differ from the end marker")

    def encode(self, body: bytes) -> bytes:
        """``body`` framed: start, body, checksum, end."""
        tail = b""
        if self.checksum is not Checksum.NONE:
            tail = self.separator + f"{checksum(self.checksum, body):02X}".encode("ascii")
        return self.start + body + tail + self.end

    def open(self, content: bytes) -> bytes:
        """The body of a frame's ``content`` (between start and end), its checksum checked."""
        if self.checksum is Checksum.NONE:
            return content
        n = len(self.separator) + 2
        if len(content) < n or not content.endswith(self.separator + content[-2:]):
            raise BadFrame(RejectKind.CHECKSUM, content, "frame carries no checksum")
        body, digits = content[:-n], content[-2:]
        try:
            given = int(digits.decode("ascii"), 16)
        except (UnicodeDecodeError, ValueError):
            raise BadFrame(
                RejectKind.CHECKSUM, content, f"checksum {digits!r} is not hex"
            ) from None
        want = checksum(self.checksum, body)
        if given != want:
            raise BadFrame(
                RejectKind.CHECKSUM,
                content,
                f"{self.checksum.value} checksum {given:02X}, computed {want:02X}",
            )
        return body


@dataclass(frozen=True, slots=True)
class Frame:
    """What was between a start and an end marker (neither included)."""

    content: bytes


@dataclass(frozen=True, slots=True)
class Junk:
    """Bytes that belong to no complete frame."""

    raw: bytes
    reason: str


class FrameReader:
    """Cuts a byte stream into frames. Feed it whatever the port returned.

    With a start marker, bytes before it are junk and a start marker inside an unfinished
    frame begins a new frame (the unfinished one was cut off). Without one, a frame is
    everything up to the end marker (a CR before a LF end is dropped). A frame longer than
    ``max_frame`` is junk.
    """

    def __init__(self, framing: Framing) -> None:
        self.framing = framing
        self._buf = bytearray()

    @property
    def pending(self) -> bytes:
        """Bytes held for an unfinished frame."""
        return bytes(self._buf)

    def feed(self, data: bytes) -> list[Frame | Junk]:
        self._buf += data
        out: list[Frame | Junk] = []
        start, end = self.framing.start, self.framing.end
        while self._buf:
            if start:
                i = self._buf.find(start)
                if i < 0:
                    keep = len(start) - 1  # a start marker may be arriving in pieces
                    cut = len(self._buf) - keep if keep else len(self._buf)
                    if cut > 0:
                        out.append(Junk(bytes(self._buf[:cut]), "bytes outside a frame"))
                        del self._buf[:cut]
                    break
                if i > 0:
                    out.append(Junk(bytes(self._buf[:i]), "bytes outside a frame"))
                    del self._buf[:i]
                body_from = len(start)
                j = self._buf.find(end, body_from)
                k = self._buf.find(start, body_from)
                if 0 <= k and (j < 0 or k < j):
                    out.append(Junk(bytes(self._buf[:k]), "frame cut off by a new start"))
                    del self._buf[:k]
                    continue
            else:
                body_from = 0
                j = self._buf.find(end)
            if j < 0:
                if len(self._buf) > self.framing.max_frame:
                    out.append(Junk(bytes(self._buf), "frame longer than max_frame"))
                    self._buf.clear()
                break
            content = bytes(self._buf[body_from:j])
            del self._buf[: j + len(end)]
            if not start and end == b"\n" and content.endswith(b"\r"):
                content = content[:-1]
            if len(content) > self.framing.max_frame:
                out.append(Junk(content, "frame longer than max_frame"))
            elif content or start:
                out.append(Frame(content))
        return out


@dataclass(frozen=True, slots=True)
class LineRecord:
    """One decoded punch line. ``local`` is aware (the device's zone); the rest as printed."""

    user: str
    local: datetime
    state: str
    verify: str
    device: str
    seq: str
    time_text: str
    raw: bytes

    @property
    def key(self) -> str:
        """What makes a resend the same record: the sequence number, else user and time."""
        return f"seq:{self.seq}" if self.seq else f"at:{self.user}|{self.time_text}|{self.state}"

    def fields(self) -> dict[str, str]:
        return {
            "user": self.user,
            "time": self.time_text,
            "state": self.state,
            "verify": self.verify,
            "device": self.device,
            "seq": self.seq,
        }


def check_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a line pattern; it must name ``user`` and ``time`` and no unknown group."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"line pattern {pattern!r} is not a regular expression: {exc}") from exc
    names = set(compiled.groupindex)
    missing = [g for g in REQUIRED_GROUPS if g not in names]
    if missing:
        raise ValueError(f"line pattern needs the named group(s) {', '.join(missing)}")
    unknown = sorted(names - set(GROUPS))
    if unknown:
        raise ValueError(
            f"line pattern has unknown group(s) {', '.join(unknown)}; use {', '.join(GROUPS)}"
        )
    return compiled


def check_time_format(fmt: str) -> str:
    if fmt == UNIX_SECONDS:
        return fmt
    sample = datetime(2024, 3, 15, 8, 30, 5)  # noqa: DTZ001 - a format probe, never a punch
    try:
        back = datetime.strptime(sample.strftime(fmt), fmt)  # noqa: DTZ007 - wall time
    except ValueError as exc:
        raise ValueError(f"time format {fmt!r} does not read back what it writes") from exc
    if back.date() != sample.date() or back.hour != sample.hour or back.minute != sample.minute:
        raise ValueError(f"time format {fmt!r} must carry the date, hour and minute")
    return fmt


@dataclass(frozen=True, slots=True)
class LineCodec:
    """Frames, pattern, time format and acknowledgement of one line format."""

    framing: Framing
    pattern: re.Pattern[str]
    time_format: str
    zone: tzinfo
    encoding: str = "ascii"
    ack: str = ""  # template over the record's groups, e.g. "ACK,{seq}"; "" = no ack
    ack_framed: bool = True  # frame the ack like a punch line (else send it as is)
    min_year: int = 2000
    max_year: int = 2099

    def decode(self, frame: Frame) -> LineRecord:
        """The punch in ``frame``; :class:`BadFrame` when it is not one."""
        raw = frame.content
        body = self.framing.open(raw)
        try:
            text = body.decode(self.encoding)
        except UnicodeDecodeError:
            raise BadFrame(RejectKind.UNDECODABLE, raw, f"not {self.encoding} text") from None
        m = self.pattern.fullmatch(text.strip())
        if m is None:
            raise BadFrame(RejectKind.UNDECODABLE, raw, "line does not match the pattern")
        groups = {g: (m.groupdict().get(g) or "").strip() for g in GROUPS}
        user = groups["user"].lstrip()
        if not user or len(user) > MAX_USER_CHARS or not user.isprintable():
            raise BadFrame(RejectKind.UNDECODABLE, raw, f"user {user!r} is not a device user id")
        local = self._time(groups["time"], raw)
        return LineRecord(
            user=user,
            local=local,
            state=groups["state"],
            verify=groups["verify"],
            device=groups["device"],
            seq=groups["seq"],
            time_text=groups["time"],
            raw=raw,
        )

    def _time(self, text: str, raw: bytes) -> datetime:
        try:
            if self.time_format == UNIX_SECONDS:
                if not text.isdigit() or len(text) > 12:
                    raise ValueError("not a count of seconds")
                local = datetime.fromtimestamp(int(text), UTC).astimezone(self.zone)
            else:
                wall = datetime.strptime(text, self.time_format)  # noqa: DTZ007 - device wall time
                local = attach_zone(wall, self.zone)
        except (ValueError, OverflowError, OSError) as exc:
            raise BadFrame(
                RejectKind.BAD_TIME, raw, f"time {text!r} is not {self.time_format}: {exc}"
            ) from None
        if not self.min_year <= local.year <= self.max_year:
            raise BadFrame(RejectKind.BAD_TIME, raw, f"time {text!r} is outside the clock's range")
        return local

    def encode_ack(self, fields: dict[str, str]) -> bytes:
        """The bytes that acknowledge the record of ``fields`` (empty when nothing is sent)."""
        if not self.ack:
            return b""
        body = self.ack.format(**fields).encode(self.encoding)
        return self.framing.encode(body) if self.ack_framed else body

    def encode_line(self, fields: dict[str, str], template: str) -> bytes:
        """A framed punch line from ``template`` (the simulator's side of the format)."""
        return self.framing.encode(template.format(**fields).encode(self.encoding))
