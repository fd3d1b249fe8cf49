"""``SerialDriver``: terminals that print one line per punch on RS-232/RS-485.

The port stays open for the life of the driver. Every frame is checked (checksum, pattern,
time); what is not a punch is handed to the reject handler with its raw bytes and never stops
the lines after it. A punch is acknowledged to the device only in :meth:`acknowledge`, which the
gateway calls after the punch is committed; the device resends what it did not hear
acknowledged, and a resend is recognised (sequence number, else user and time) and acknowledged
again without being delivered twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from drivers.ack_window import AckWindow, Seen
from drivers.base import Capability, Driver, ReadResult, RejectedRecord, RejectKind
from drivers.errors import DeviceUnreachable, DriverConfigError
from drivers.punch import DeviceInfo, Punch, PunchState, VerifyMode
from drivers.serial.client import LineSettings, RS485Line, SerialPort
from drivers.serial.codec import (
    BadFrame,
    Checksum,
    Frame,
    FrameReader,
    Framing,
    LineCodec,
    LineRecord,
    check_pattern,
    check_time_format,
)
from drivers.serial.presets import PRESETS, PresetName

log = logging.getLogger(__name__)

SOURCE = "serial"

DEFAULT_STATES: dict[str, PunchState] = {
    "0": PunchState.IN,
    "1": PunchState.OUT,
    "2": PunchState.BREAK_OUT,
    "3": PunchState.BREAK_IN,
    "4": PunchState.OVERTIME_IN,
    "5": PunchState.OVERTIME_OUT,
    "I": PunchState.IN,
    "O": PunchState.OUT,
    "": PunchState.UNDEFINED,
}
DEFAULT_VERIFY: dict[str, VerifyMode] = {
    "0": VerifyMode.PASSWORD,
    "1": VerifyMode.FINGERPRINT,
    "2": VerifyMode.CARD,
    "15": VerifyMode.FACE,
    "P": VerifyMode.PASSWORD,
    "F": VerifyMode.FINGERPRINT,
    "C": VerifyMode.CARD,
    "": VerifyMode.UNKNOWN,
}


def _bytes_setting(value: str | None) -> bytes | None:
    """A marker from YAML ("\\r\\n", "\\x02") as bytes; only one-byte characters."""
    if value is None:
        return None
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError as exc:
        raise ValueError(f'marker {value!r} must be bytes 0x00-0xFF (e.g. "\\x02")') from exc


class RS485Config(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    rts_level_for_tx: bool = True
    rts_level_for_rx: bool = False
    loopback: bool = False
    delay_before_tx: float | None = Field(None, ge=0, le=1)
    delay_before_rx: float | None = Field(None, ge=0, le=1)


class SerialConfig(BaseModel):
    """One terminal on a serial line."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    port: str = Field(min_length=1, description="device path (/dev/ttyUSB0) or pyserial URL")
    serial: str = Field(min_length=1, max_length=64, description="the terminal's serial number")
    timezone: str = Field(description="IANA zone of the terminal's clock")
    baudrate: int = Field(9600, ge=50, le=4_000_000)
    bytesize: Literal[5, 6, 7, 8] = 8
    parity: Literal["none", "even", "odd", "mark", "space"] = "none"
    stopbits: float = Field(1.0, description="1, 1.5 or 2")
    rs485: RS485Config | None = Field(None, description="set for RS-485 (direction by RTS)")
    preset: PresetName = PresetName.SHIFTGATE
    start: str | None = Field(None, description="override: frame start marker")
    end: str | None = Field(None, description="override: frame end marker")
    checksum: Checksum | None = Field(None, description="override: none, xor, lrc or sum")
    separator: str | None = Field(None, description="override: text before the checksum")
    pattern: str | None = Field(None, description="override: regex with named groups")
    time_format: str | None = Field(None, description="override: strftime pattern or 'unix'")
    ack: str | None = Field(None, description="override: ack template ('' = never ack)")
    ack_framed: bool | None = None
    encoding: str = "ascii"
    device_id: str | None = Field(None, description="take only lines of this terminal (bus)")
    state_map: dict[str, PunchState] = Field(default_factory=lambda: dict(DEFAULT_STATES))
    verify_map: dict[str, VerifyMode] = Field(default_factory=lambda: dict(DEFAULT_VERIFY))
    read_timeout_s: float = Field(0.2, gt=0, le=10)
    read_window_s: float = Field(1.0, ge=0, le=60, description="how long a pull listens")
    reconnect_delay_s: float = Field(2.0, ge=0, le=300)
    live_reconnects: int = Field(5, ge=0, le=1000)
    remember: int = Field(4096, ge=16, le=1_000_000, description="records kept for dedupe")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r} (e.g. Asia/Shanghai)") from exc
        return value

    @field_validator("state_map", "verify_map", mode="before")
    @classmethod
    def _text_keys(cls, value: object) -> object:
        """YAML reads ``0: in`` with an integer key; the line carries text."""
        if isinstance(value, dict):
            return {str(k): v for k, v in value.items()}
        return value

    @field_validator("stopbits")
    @classmethod
    def _stopbits(cls, value: float) -> float:
        if value not in (1, 1.5, 2):
            raise ValueError("stop bits are 1, 1.5 or 2")
        return float(value)

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is not None:
            check_pattern(value)
        return value

    @field_validator("time_format")
    @classmethod
    def _time_format(cls, value: str | None) -> str | None:
        return None if value is None else check_time_format(value)

    @field_validator("start", "end", "separator")
    @classmethod
    def _marker(cls, value: str | None) -> str | None:
        _bytes_setting(value)
        return value

    def codec(self) -> LineCodec:
        p = PRESETS[self.preset]
        start = _bytes_setting(self.start)
        end = _bytes_setting(self.end)
        sep = _bytes_setting(self.separator)
        try:
            framing = Framing(
                start=p.start if start is None else start,
                end=p.end if end is None else end,
                checksum=self.checksum or p.checksum,
                separator=p.separator if sep is None else sep,
            )
        except ValueError as exc:
            raise DriverConfigError(f"serial port {self.port}: {exc}") from exc
        return LineCodec(
            framing=framing,
            pattern=check_pattern(self.pattern or p.pattern),
            time_format=self.time_format or p.time_format,
            zone=ZoneInfo(self.timezone),
            encoding=self.encoding,
            ack=p.ack if self.ack is None else self.ack,
            ack_framed=p.ack_framed if self.ack_framed is None else self.ack_framed,
        )

    def line(self) -> LineSettings:
        r = self.rs485
        return LineSettings(
            port=self.port,
            baudrate=self.baudrate,
            bytesize=self.bytesize,
            parity=self.parity,
            stopbits=float(self.stopbits),
            rs485=None if r is None else RS485Line(**r.model_dump()),
            timeout=self.read_timeout_s,
        )


class SerialDriver(Driver):
    family: ClassVar[str] = "serial"
    description: ClassVar[str] = "terminals printing punch lines on RS-232/RS-485 (pyserial)"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.PULL, Capability.LIVE})
    config_model: ClassVar[type[BaseModel]] = SerialConfig

    def __init__(self, config: BaseModel) -> None:
        if not isinstance(config, SerialConfig):
            raise DriverConfigError(f"SerialDriver needs a SerialConfig, got {type(config)}")
        super().__init__(config)
        self.cfg = config
        self.codec = config.codec()
        self.port = SerialPort(config.line())
        self._reader = FrameReader(self.codec.framing)
        self._window: AckWindow[LineRecord] = AckWindow(config.remember)

    # -- identity ----------------------------------------------------------------------------
    def info(self) -> DeviceInfo:
        """A serial terminal tells nothing about itself: the configured serial, port opened."""
        self.port.open()
        return DeviceInfo(serial_number=self.cfg.serial, family=self.family, name=self.cfg.port)

    def close(self) -> None:
        self.port.close()

    # -- reading -----------------------------------------------------------------------------
    def read_punches(self, since: str | None = None) -> ReadResult:
        """What the terminal sends within ``read_window_s`` (the port keeps what came before)."""
        deadline = time.monotonic() + self.cfg.read_window_s
        punches: list[Punch] = []
        while True:
            punches.extend(self._take(self.port.read()))
            if time.monotonic() >= deadline:
                return ReadResult(punches, None)

    def live_punches(self, stop: threading.Event) -> Iterator[Punch]:
        """Punches as lines arrive, until ``stop``. A vanished port (a USB adapter pulled) is
        reopened every ``reconnect_delay_s``; ``live_reconnects`` failures in a row raise."""
        failures = 0
        while not stop.is_set():
            try:
                data = self.port.read()
            except DeviceUnreachable as exc:
                if failures == 0:
                    log.warning("serial port unavailable port=%s error=%s", self.cfg.port, exc)
                self._reader = FrameReader(self.codec.framing)  # a half line died with it
                failures = self._reopen(stop, failures)
                continue
            if failures:
                log.info("serial port recovered port=%s", self.cfg.port)
                failures = 0
            yield from self._take(data)

    def _reopen(self, stop: threading.Event, failures: int) -> int:
        while not stop.is_set():
            stop.wait(self.cfg.reconnect_delay_s)
            failures += 1
            try:
                self.port.open()
                return failures
            except DeviceUnreachable:
                if failures > self.cfg.live_reconnects:
                    raise
        return failures

    def _take(self, data: bytes) -> list[Punch]:
        out: list[Punch] = []
        if not data:
            return out
        for item in self._reader.feed(data):
            if not isinstance(item, Frame):
                self._rejected(RejectedRecord(RejectKind.GARBAGE, item.raw, item.reason))
                continue
            try:
                record = self.codec.decode(item)
                punch = self._punch(record)
            except BadFrame as exc:
                self._rejected(RejectedRecord(exc.kind, exc.raw, exc.reason))
                continue
            if punch is not None:
                out.append(punch)
        return out

    def _punch(self, record: LineRecord) -> Punch | None:
        if self.cfg.device_id is not None and record.device != self.cfg.device_id:
            raise BadFrame(
                RejectKind.OTHER_DEVICE,
                record.raw,
                f"line of terminal {record.device!r}, this is {self.cfg.device_id!r}",
            )
        state = self.cfg.state_map.get(record.state)
        verify = self.cfg.verify_map.get(record.verify, VerifyMode.OTHER)
        if state is None:
            raise BadFrame(
                RejectKind.OUT_OF_RANGE,
                record.raw,
                f"state {record.state!r} is not in state_map ({', '.join(self.cfg.state_map)})",
            )
        seen = self._window.seen(record.key)
        if seen is not Seen.NEW:
            if seen is Seen.STORED:  # stored before: the device missed our ack
                self._send_ack(record)
            return None  # a resend of a punch already delivered
        punch = Punch(
            device_sn=self.cfg.serial,
            device_user=record.user,
            local=record.local,
            state=state,
            verify_mode=verify,
            source=SOURCE,
            raw=record.raw.decode("latin-1"),
        )
        self._window.hold(punch.id, record)
        return punch

    # -- acknowledging -----------------------------------------------------------------------
    def acknowledge(self, punches: Sequence[Punch]) -> None:
        """The punches are stored: acknowledge each to the terminal (if the format acks)."""
        for punch in punches:
            record = self._window.release(punch.id)
            if record is not None:
                self._send_ack(record)

    def _send_ack(self, record: LineRecord) -> None:
        """Acknowledge a stored record. A port that vanished meanwhile is not an error here:
        the terminal keeps the record and sends it again, and the resend is acknowledged once
        the port is back (the record is known as stored); the reading loop reopens the port."""
        ack = self.codec.encode_ack(record.fields())
        if not ack:
            return
        try:
            self.port.write(ack)
        except DeviceUnreachable as exc:
            log.info(
                "ack not sent, the terminal will resend port=%s key=%s error=%s",
                self.cfg.port,
                record.key,
                exc,
            )
