"""An in-process fake clock and its Driver, with the faults the gateway must survive.

Only for unit tests of the device manager; the reliability tests use the ZK simulator.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from drivers.base import Capability, Driver, ReadResult
from drivers.errors import DeviceUnreachable, ProtocolViolation
from drivers.punch import DeviceInfo, DeviceUser, Punch, PunchState


@dataclass
class FakeClockDevice:
    serial: str
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    records: list[Punch] = field(default_factory=list)
    users: dict[str, DeviceUser] = field(default_factory=dict)
    clock_offset: timedelta = timedelta(0)
    down_for: int = 0  # the next N connects are refused (reboot, network)
    drop_reads: int = 0  # the next N reads break mid-transfer
    slow_s: float = 0.0  # answer delay (within the timeout)
    host: str = "127.0.0.1"
    connects: int = 0
    set_clock_calls: list[datetime] = field(default_factory=list)
    live_queue: list[Punch] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stalled: threading.Event = field(default_factory=threading.Event)
    drop_live: int = 0  # the next N live sessions break at once (a flapping link)

    def device_now(self) -> datetime:
        return datetime.now(UTC).astimezone(self.tz) + self.clock_offset

    def punch(self, user: str, minute: int, *, live: bool = False) -> Punch:
        p = Punch(
            self.serial,
            user,
            datetime(2025, 3, 3, 8, 0, tzinfo=self.tz) + timedelta(minutes=minute),
            state=PunchState.IN,
            source="fake",
        )
        with self.lock:
            self.records.append(p)
            if live:
                self.live_queue.append(p)
        return p

    def clear_log(self) -> None:
        with self.lock:
            self.records.clear()


class FakeConfig(BaseModel):
    host: str
    port: int = 4370


class FakeDriver(Driver):
    family: ClassVar[str] = "fake"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.PULL, Capability.CLOCK, Capability.USERS, Capability.LIVE}
    )
    config_model: ClassVar[type[BaseModel]] = FakeConfig

    def __init__(self, device: FakeClockDevice, config: FakeConfig) -> None:
        super().__init__(config)
        self.device = device
        self.host = config.host
        with device.lock:
            device.connects += 1
            if config.host != device.host:
                raise DeviceUnreachable(config.host, config.port, "connection refused")
            if device.down_for > 0:
                device.down_for -= 1
                raise DeviceUnreachable(config.host, config.port, "connection refused (rebooting)")

    def _slow(self) -> None:
        if self.device.slow_s:
            self.device.stalled.wait(self.device.slow_s)

    def info(self) -> DeviceInfo:
        self._slow()
        with self.device.lock:
            return DeviceInfo(
                serial_number=self.device.serial,
                family="fake",
                record_count=len(self.device.records),
            )

    def read_punches(self, since: str | None = None) -> ReadResult:
        self._slow()
        with self.device.lock:
            if self.device.drop_reads > 0:
                self.device.drop_reads -= 1
                raise ProtocolViolation("connection reset mid-transfer (short DATA frame)")
            start = int(since or 0)
            if start > len(self.device.records):  # the log was cleared: read it all again
                start = 0
            return ReadResult(list(self.device.records[start:]), str(len(self.device.records)))

    def get_clock(self) -> datetime:
        return self.device.device_now().replace(tzinfo=None)

    def set_clock(self, value: datetime) -> None:
        with self.device.lock:
            self.device.set_clock_calls.append(value)
            self.device.clock_offset = value - datetime.now(UTC).astimezone(self.device.tz)

    def list_users(self) -> list[DeviceUser]:
        with self.device.lock:
            return list(self.device.users.values())

    def upsert_user(self, user: DeviceUser) -> None:
        with self.device.lock:
            self.device.users[user.user_id] = user

    def delete_user(self, user_id: str) -> None:
        with self.device.lock:
            self.device.users.pop(user_id, None)

    def live_punches(self, stop: threading.Event) -> Iterator[Punch]:
        with self.device.lock:
            if self.device.drop_live > 0:
                self.device.drop_live -= 1
                raise DeviceUnreachable(self.host, 4370, "live link dropped")
        while not stop.is_set():
            with self.device.lock:
                batch, self.device.live_queue = self.device.live_queue, []
            yield from batch
            stop.wait(0.02)
