"""The ``textclock`` driver family: pull punches from a TextClock over TCP.

It reads the device's log after a cursor (the last sequence number delivered), makes each
wall time aware with the device's IANA zone and returns shiftgate :class:`Punch` values.
It never retries: the gateway owns backoff. Every socket call has the configured timeout.
"""

from __future__ import annotations

import socket
from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from drivers.base import Capability, Driver, ReadResult
from drivers.errors import DeviceUnreachable, DriverConfigError, ProtocolViolation
from drivers.localtime import attach_zone
from drivers.punch import DeviceInfo, Punch
from shiftgate_textclock.codec import parse_end, parse_info, parse_record

MAX_LINE = 4096


class TextClockConfig(BaseModel):
    """``settings:`` of a textclock device in devices.yaml (``serial`` and ``timezone`` come
    from the device entry when not given here)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = Field(min_length=1, description="address of the clock")
    port: int = Field(default=7788, ge=1, le=65535)
    serial: str = Field(min_length=1, max_length=64, description="the device's serial number")
    timezone: str = Field(description="IANA zone of the device clock, e.g. Asia/Shanghai")
    timeout_s: float = Field(default=5.0, gt=0, le=120, description="seconds per reply")

    @field_validator("timezone")
    @classmethod
    def _iana(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("expected an IANA timezone name such as 'Asia/Shanghai'") from exc
        return value


class TextClockDriver(Driver):
    family: ClassVar[str] = "textclock"
    description: ClassVar[str] = "TextClock line protocol over TCP (example plug-in)"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.PULL})
    config_model: ClassVar[type[BaseModel]] = TextClockConfig

    def __init__(self, config: BaseModel) -> None:
        if not isinstance(config, TextClockConfig):
            raise DriverConfigError("TextClockDriver needs a TextClockConfig")
        super().__init__(config)
        self.settings: TextClockConfig = config
        self._zone = ZoneInfo(config.timezone)

    def info(self) -> DeviceInfo:
        (line,) = self._ask("INFO", until=("INFO",))
        serial, count = parse_info(line)
        return DeviceInfo(serial_number=serial, family=self.family, record_count=count)

    def read_punches(self, since: str | None = None) -> ReadResult:
        after = self._decode_cursor(since)
        lines = self._ask(f"READ {after}", until=("END",))
        records = [parse_record(line) for line in lines[:-1]]
        if parse_end(lines[-1]) != len(records):
            raise ProtocolViolation(f"textclock {self._where}: END count does not match")
        punches = [
            Punch(
                device_sn=self.settings.serial,
                device_user=r.user,
                local=attach_zone(r.wall, self._zone),
                state=r.state,
                source="textclock",
                raw=f"{r.seq}",
            )
            for r in records
        ]
        last = max((r.seq for r in records), default=after)
        return ReadResult(punches=punches, cursor=str(last))

    # -- helpers ---------------------------------------------------------------------------
    @property
    def _where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    @staticmethod
    def _decode_cursor(since: str | None) -> int:
        if since is None:
            return 0
        if not since.isdigit():
            raise DriverConfigError(f"cursor {since!r} was not made by the textclock driver")
        return int(since)

    def _ask(self, request: str, *, until: tuple[str, ...]) -> list[str]:
        """Send one request; the reply lines up to and including one starting with ``until``."""
        host, port, timeout = self.settings.host, self.settings.port, self.settings.timeout_s
        try:
            with socket.create_connection((host, port), timeout=timeout) as conn:
                conn.sendall(f"{request}\n".encode("ascii"))
                reader = conn.makefile("rb")
                lines: list[str] = []
                while True:
                    raw = reader.readline(MAX_LINE)
                    if not raw.endswith(b"\n"):
                        raise ProtocolViolation(f"textclock {self._where}: reply cut short")
                    line = raw[:-1].decode("ascii", errors="replace")
                    if line.startswith("ERR"):
                        raise ProtocolViolation(f"textclock {self._where} answered {line!r}")
                    lines.append(line)
                    if line.split(" ", 1)[0] in until:
                        return lines
        except TimeoutError as exc:
            raise DeviceUnreachable(host, port, f"no answer within {timeout} s") from exc
        except OSError as exc:
            raise DeviceUnreachable(host, port, str(exc)) from exc
