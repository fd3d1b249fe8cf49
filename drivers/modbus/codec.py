"""Modbus register map and record decoding, sans-IO.

A Modbus terminal keeps punches in a queue and shows the oldest one as a block of registers;
the host reads it, stores it, and writes the record's sequence number (or a coil) to pop it.
:class:`RegisterMap` says where the unread count and the record live and how a record's words
decode; the default is shiftgate's proposed map (docs/drivers.md). Words are 16-bit; a 32-bit
value takes two words, high word first unless ``word_order`` is ``little``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from drivers.base import RejectKind
from drivers.errors import ProtocolViolation
from drivers.localtime import attach_zone


class Table(StrEnum):
    INPUT = "input"  # input registers, function 04
    HOLDING = "holding"  # holding registers, function 03


class WordType(StrEnum):
    U16 = "u16"
    U32 = "u32"
    ASCII = "ascii"  # two characters per word, NUL/space padded


class TimeEncoding(StrEnum):
    UNIX_UTC = "unix_utc"  # u32 seconds since 1970 UTC
    UNIX_LOCAL = "unix_local"  # u32 seconds since 1970 of the device's wall clock
    YMDHMS = "ymdhms"  # six words: year, month, day, hour, minute, second


class BadRegisters(ProtocolViolation):
    """A record whose words do not decode to a punch; ``raw`` holds the words, big-endian."""

    def __init__(self, kind: RejectKind, raw: bytes, reason: str) -> None:
        self.kind = kind
        self.raw = raw
        self.reason = reason
        super().__init__(f"{kind.value}: {reason} (words {raw.hex()})")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RegisterRef(_Strict):
    table: Table = Table.INPUT
    address: int = Field(ge=0, le=65535)


class FieldSpec(_Strict):
    offset: int = Field(ge=0, le=124, description="word offset inside the record")
    type: WordType = WordType.U16
    words: int = Field(1, ge=1, le=32, description="length of an ascii field, in words")

    @property
    def size(self) -> int:
        return {WordType.U16: 1, WordType.U32: 2, WordType.ASCII: self.words}[self.type]


class TimeSpec(_Strict):
    offset: int = Field(ge=0, le=124)
    encoding: TimeEncoding = TimeEncoding.UNIX_UTC

    @property
    def size(self) -> int:
        return 6 if self.encoding is TimeEncoding.YMDHMS else 2


class AckSpec(_Strict):
    """How a record is popped: its sequence number written to two holding registers, or
    ``true`` written to a coil (not idempotent: the driver never repeats that write)."""

    kind: Literal["register", "coil"] = "register"
    address: int = Field(200, ge=0, le=65535)


class RegisterMap(_Strict):
    count: RegisterRef = RegisterRef(address=10)
    record: RegisterRef = RegisterRef(address=100)
    record_words: int = Field(8, ge=1, le=125)
    seq: FieldSpec | None = FieldSpec(offset=0, type=WordType.U32)
    time: TimeSpec = TimeSpec(offset=2)
    user: FieldSpec = FieldSpec(offset=4, type=WordType.U32)
    state: FieldSpec | None = FieldSpec(offset=6)
    verify: FieldSpec | None = FieldSpec(offset=7)
    ack: AckSpec = AckSpec()
    word_order: Literal["big", "little"] = "big"
    empty_word: int = Field(0xFFFF, ge=0, le=0xFFFF, description="a record of only this is none")

    @model_validator(mode="after")
    def _fits(self) -> Self:
        parts: list[tuple[str, int, int]] = [
            ("time", self.time.offset, self.time.size),
            ("user", self.user.offset, self.user.size),
        ]
        for name, spec in (("seq", self.seq), ("state", self.state), ("verify", self.verify)):
            if spec is not None:
                parts.append((name, spec.offset, spec.size))
        for name, offset, size in parts:
            if offset + size > self.record_words:
                raise ValueError(
                    f"field {name} (words {offset}..{offset + size - 1}) does not fit in a "
                    f"record of record_words={self.record_words}"
                )
        if self.ack.kind == "register" and self.seq is None:
            raise ValueError("a register ack writes the record's seq: map a seq field")
        return self


@dataclass(frozen=True, slots=True)
class RegisterRecord:
    seq: int | None
    user: str
    local: datetime
    state: int | None
    verify: int | None
    raw: bytes

    @property
    def key(self) -> str:
        return f"seq:{self.seq}" if self.seq is not None else f"at:{self.user}|{self.local}"


def words_to_bytes(words: list[int]) -> bytes:
    return b"".join((w & 0xFFFF).to_bytes(2, "big") for w in words)


def u32_words(value: int, order: str) -> list[int]:
    hi, lo = (value >> 16) & 0xFFFF, value & 0xFFFF
    return [hi, lo] if order == "big" else [lo, hi]


def _u32(words: list[int], order: str) -> int:
    a, b = words
    return (a << 16 | b) if order == "big" else (b << 16 | a)


def _value(words: list[int], spec: FieldSpec, order: str) -> int | str:
    part = words[spec.offset : spec.offset + spec.size]
    if spec.type is WordType.U16:
        return part[0]
    if spec.type is WordType.U32:
        return _u32(part, order)
    return words_to_bytes(part).rstrip(b"\x00 ").decode("ascii", errors="replace")


def decode_record(
    words: list[int], rmap: RegisterMap, zone: tzinfo, *, min_year: int = 2000
) -> RegisterRecord | None:
    """The punch in a record's ``words`` (``None`` for an empty record); else BadRegisters."""
    raw = words_to_bytes(words)
    if len(words) != rmap.record_words or any(not 0 <= w <= 0xFFFF for w in words):
        raise BadRegisters(RejectKind.UNDECODABLE, raw, f"expected {rmap.record_words} words")
    if all(w == rmap.empty_word for w in words):
        return None
    order = rmap.word_order
    user_value = _value(words, rmap.user, order)
    user = str(user_value).strip()
    if not user or not user.isprintable() or user == "\ufffd":
        raise BadRegisters(RejectKind.OUT_OF_RANGE, raw, f"user {user_value!r} is not an id")
    seq = None if rmap.seq is None else int(_value(words, rmap.seq, order))
    state = None if rmap.state is None else int(_value(words, rmap.state, order))
    verify = None if rmap.verify is None else int(_value(words, rmap.verify, order))
    return RegisterRecord(seq, user, _time(words, rmap, zone, raw, min_year), state, verify, raw)


def _time(words: list[int], rmap: RegisterMap, zone: tzinfo, raw: bytes, min_year: int) -> datetime:
    t = rmap.time
    part = words[t.offset : t.offset + t.size]
    try:
        if t.encoding is TimeEncoding.YMDHMS:
            y, mo, d, h, mi, sec = part
            wall = datetime(y, mo, d, h, mi, sec)  # noqa: DTZ001 - wall time, zone attached
            local = attach_zone(wall, zone)
        else:
            seconds = _u32(part, rmap.word_order)
            if t.encoding is TimeEncoding.UNIX_UTC:
                local = datetime.fromtimestamp(seconds, UTC).astimezone(zone)
            else:
                wall = datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
                local = attach_zone(wall, zone)
    except (ValueError, OverflowError, OSError) as exc:
        raise BadRegisters(
            RejectKind.BAD_TIME, raw, f"time words {part} are no time: {exc}"
        ) from None
    if not min_year <= local.year <= 2099:
        raise BadRegisters(RejectKind.BAD_TIME, raw, f"time {local.isoformat()} is out of range")
    return local


def encode_record(
    rmap: RegisterMap, *, seq: int, user: int, at: datetime, state: int, verify: int
) -> list[int]:
    """A record's words for the default-shaped maps (the simulator's side)."""
    words = [0] * rmap.record_words
    order = rmap.word_order

    def put(spec: FieldSpec | None, value: int) -> None:
        if spec is None:
            return
        if spec.type is WordType.U16:
            words[spec.offset] = value & 0xFFFF
        elif spec.type is WordType.U32:
            words[spec.offset : spec.offset + 2] = u32_words(value, order)
        else:
            text = str(value).encode("ascii").ljust(spec.words * 2, b"\x00")[: spec.words * 2]
            words[spec.offset : spec.offset + spec.words] = [
                int.from_bytes(text[i : i + 2], "big") for i in range(0, len(text), 2)
            ]

    put(rmap.seq, seq)
    put(rmap.user, user)
    put(rmap.state, state)
    put(rmap.verify, verify)
    t = rmap.time
    if t.encoding is TimeEncoding.YMDHMS:
        wall = at.replace(tzinfo=None)
        words[t.offset : t.offset + 6] = [
            wall.year,
            wall.month,
            wall.day,
            wall.hour,
            wall.minute,
            wall.second,
        ]
    elif t.encoding is TimeEncoding.UNIX_UTC:
        words[t.offset : t.offset + 2] = u32_words(int(at.timestamp()), order)
    else:
        wall_s = int(at.replace(tzinfo=UTC).timestamp())
        words[t.offset : t.offset + 2] = u32_words(wall_s, order)
    return words
