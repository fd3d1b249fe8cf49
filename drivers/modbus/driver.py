"""``ModbusDriver``: terminals that queue punches in Modbus registers (TCP or RTU).

One read shows the oldest unread record. The driver delivers it and pops it only in
:meth:`acknowledge`, after the gateway stored it. If a pop is lost (the same record shows
again), the record is recognised by its sequence number and popped again without being
delivered twice. A record that does not decode is reported with its words and popped (when
``pop_rejected``), so it cannot hold up the queue behind it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from drivers.ack_window import AckWindow, Seen
from drivers.base import Capability, Driver, ReadResult, RejectedRecord, RejectKind
from drivers.errors import DeviceUnreachable, DriverConfigError
from drivers.modbus.client import Link, ModbusLink
from drivers.modbus.codec import (
    BadRegisters,
    RegisterMap,
    RegisterRecord,
    decode_record,
    u32_words,
)
from drivers.punch import DeviceInfo, Punch, PunchState, VerifyMode

log = logging.getLogger(__name__)

SOURCE = "modbus"

DEFAULT_STATES = {
    0: PunchState.IN,
    1: PunchState.OUT,
    2: PunchState.BREAK_OUT,
    3: PunchState.BREAK_IN,
    4: PunchState.OVERTIME_IN,
    5: PunchState.OVERTIME_OUT,
}
DEFAULT_VERIFY = {
    0: VerifyMode.PASSWORD,
    1: VerifyMode.FINGERPRINT,
    2: VerifyMode.CARD,
    15: VerifyMode.FACE,
}


class ModbusConfig(BaseModel):
    """One Modbus terminal: where it is and how its registers read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    transport: Literal["tcp", "rtu"] = "tcp"
    host: str | None = Field(None, min_length=1, description="TCP: address of the terminal")
    port: int = Field(502, ge=1, le=65535, description="TCP port")
    serial_port: str | None = Field(None, min_length=1, description="RTU: /dev/ttyUSB0")
    baudrate: int = Field(9600, ge=50, le=4_000_000)
    parity: Literal["none", "even", "odd"] = "none"
    stopbits: Literal[1, 2] = 1
    bytesize: Literal[7, 8] = 8
    unit: int = Field(1, ge=0, le=247, description="Modbus unit (device) id")
    timeout: float = Field(3.0, gt=0, le=60)
    serial: str = Field(min_length=1, max_length=64, description="the terminal's serial number")
    timezone: str = Field(description="IANA zone of the terminal's clock")
    map: RegisterMap = RegisterMap()
    state_map: dict[int, PunchState] = Field(default_factory=lambda: dict(DEFAULT_STATES))
    verify_map: dict[int, VerifyMode] = Field(default_factory=lambda: dict(DEFAULT_VERIFY))
    pop_rejected: bool = Field(True, description="pop records that do not decode (logged raw)")
    poll_s: float = Field(
        0.5, gt=0, le=60, description="live: wait between looks at an empty queue"
    )
    reconnect_delay_s: float = Field(2.0, ge=0, le=300)
    live_reconnects: int = Field(5, ge=0, le=1000)
    remember: int = Field(4096, ge=16, le=1_000_000)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r} (e.g. Asia/Shanghai)") from exc
        return value

    @model_validator(mode="after")
    def _where(self) -> ModbusConfig:
        if self.transport == "tcp" and self.host is None:
            raise ValueError("transport tcp needs `host` (and `port`, default 502)")
        if self.transport == "rtu" and self.serial_port is None:
            raise ValueError("transport rtu needs `serial_port` (e.g. /dev/ttyUSB0)")
        return self

    def link(self) -> Link:
        return Link(
            transport=self.transport,
            host=self.host or "",
            port=self.port,
            serial_port=self.serial_port or "",
            baudrate=self.baudrate,
            parity=self.parity,
            stopbits=self.stopbits,
            bytesize=self.bytesize,
            unit=self.unit,
            timeout=self.timeout,
        )


class ModbusDriver(Driver):
    family: ClassVar[str] = "modbus"
    description: ClassVar[str] = "terminals with a Modbus TCP/RTU record queue (pymodbus)"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.PULL, Capability.LIVE})
    config_model: ClassVar[type[BaseModel]] = ModbusConfig

    def __init__(self, config: BaseModel) -> None:
        if not isinstance(config, ModbusConfig):
            raise DriverConfigError(f"ModbusDriver needs a ModbusConfig, got {type(config)}")
        super().__init__(config)
        self.cfg = config
        self.zone = ZoneInfo(config.timezone)
        self.link = ModbusLink(config.link())
        self._window: AckWindow[RegisterRecord] = AckWindow(config.remember)

    def info(self) -> DeviceInfo:
        """The configured serial, once the unread count answers. The count is not reported
        as ``record_count``: a queue shrinks with every pop, which for a log would mean it was
        cleared."""
        self.pending()
        return DeviceInfo(
            serial_number=self.cfg.serial, family=self.family, name=self.link.link.where
        )

    def pending(self) -> int:
        """Records the terminal holds that were not popped yet."""
        m = self.cfg.map
        (count,) = self.link.read(m.count.table, m.count.address, 1)
        return count

    def close(self) -> None:
        self.link.close()

    # -- reading -----------------------------------------------------------------------------
    def read_punches(self, since: str | None = None) -> ReadResult:
        """The oldest unread record, if it is new (one per read: the next shows after the pop
        that :meth:`acknowledge` writes; ``live: true`` drains the queue without waiting)."""
        punch = self._next()
        return ReadResult([] if punch is None else [punch], None)

    def live_punches(self, stop: threading.Event) -> Iterator[Punch]:
        failures = 0
        while not stop.is_set():
            try:
                punch = self._next()
            except DeviceUnreachable as exc:
                self.link.close()
                failures += 1
                if failures > self.cfg.live_reconnects:
                    raise
                if failures == 1:
                    log.warning(
                        "modbus device unavailable device=%s error=%s", self.cfg.serial, exc
                    )
                stop.wait(self.cfg.reconnect_delay_s)
                continue
            if failures:
                log.info("modbus device recovered device=%s", self.cfg.serial)
                failures = 0
            if punch is None:
                stop.wait(self.cfg.poll_s)
                continue
            yield punch

    def _next(self) -> Punch | None:
        """The head record as a new punch; pops heads that are stored already or rejected."""
        m = self.cfg.map
        for _ in range(16):  # a handful of stale heads at most, then let the caller come back
            (count,) = self.link.read(m.count.table, m.count.address, 1)
            if count == 0:
                return None
            words = self.link.read(m.record.table, m.record.address, m.record_words)
            try:
                record = decode_record(words, m, self.zone)
                if record is None:
                    return None
                punch = self._punch(record)
            except BadRegisters as exc:
                self._rejected(RejectedRecord(exc.kind, exc.raw, exc.reason))
                if not self.cfg.pop_rejected:
                    return None
                self._pop(self._seq_of(words))
                continue
            if punch is not None:
                return punch
            if self._window.seen(record.key) is Seen.STORED:  # popped before: the pop was lost
                log.info("pop lost, popping again device=%s seq=%s", self.cfg.serial, record.seq)
                self._pop(record.seq)
                continue
            return None  # delivered, not yet acknowledged: wait for the gateway
        return None

    def _seq_of(self, words: list[int]) -> int | None:
        spec = self.cfg.map.seq
        if spec is None:
            return None
        hi_lo = words[spec.offset : spec.offset + 2]
        a, b = hi_lo if self.cfg.map.word_order == "big" else hi_lo[::-1]
        return a << 16 | b

    def _punch(self, record: RegisterRecord) -> Punch | None:
        state = PunchState.UNDEFINED
        if record.state is not None:
            if record.state not in self.cfg.state_map:
                raise BadRegisters(
                    RejectKind.OUT_OF_RANGE, record.raw, f"state {record.state} is not in state_map"
                )
            state = self.cfg.state_map[record.state]
        verify = VerifyMode.UNKNOWN
        if record.verify is not None:
            verify = self.cfg.verify_map.get(record.verify, VerifyMode.OTHER)
        if self._window.seen(record.key) is not Seen.NEW:
            return None
        punch = Punch(
            device_sn=self.cfg.serial,
            device_user=record.user,
            local=record.local,
            state=state,
            verify_mode=verify,
            source=SOURCE,
            raw=record.raw.hex(),
        )
        self._window.hold(punch.id, record)
        return punch

    # -- acknowledging -----------------------------------------------------------------------
    def acknowledge(self, punches: Sequence[Punch]) -> None:
        """The punches are stored: pop each from the terminal's queue."""
        for punch in punches:
            record = self._window.release(punch.id)
            if record is not None:
                self._pop(record.seq)

    def _pop(self, seq: int | None) -> None:
        ack = self.cfg.map.ack
        if ack.kind == "coil":
            self.link.write_coil(ack.address, True)
            return
        if seq is None:
            raise DriverConfigError("a register ack needs the record's seq; map a seq field")
        self.link.write_registers(ack.address, u32_words(seq, self.cfg.map.word_order))
