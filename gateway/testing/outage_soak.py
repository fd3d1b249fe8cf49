"""Outage soak: many devices punch through a long cut of the centre, then the link comes back.

Twenty (by default) simulated devices in several timezones produce punches on a simulated
clock over a 72-hour cut. Each device has its own :class:`DeviceWorker` (the gateway's code),
polled every ``poll_s`` simulated seconds; every read repeats the last punches of the previous
one, as a cautious cursor does, so the outbox's dedup is exercised. The uploader tries the cut
centre at every poll and fails. Then the link returns and the outbox drains into the centre (a
central shiftgate over loopback HTTP, or its store directly), with ``lost_acks`` batches whose
answer is lost after the centre stored them. The report checks the store: every punch once,
none missing, none unexpected, and each device's punches stored in the order they were made.

Used by ``tests/gateway/test_outage_soak.py`` (short) and ``python -m bench.outage_soak``.
"""

from __future__ import annotations

import logging
import secrets
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import func, select, text

from drivers.base import Capability, Driver, ReadResult
from drivers.punch import DeviceInfo, Punch, PunchState
from gateway.config.service import DeviceSpec
from gateway.devices.manager import DeviceWorker
from gateway.errors import CentreUnavailable, UploadError
from gateway.metrics import GatewayMetrics
from gateway.punches.wire import BatchResult, PunchWire
from gateway.sync.outbox import Outbox, OutboxBudget
from gateway.sync.uploader import Centre, HttpCentre, StoreCentre, Uploader
from gateway.testing.crash_harness import central_server
from hrcore.db import make_engine, make_session_factory
from hrcore.models import PunchRecord

log = logging.getLogger(__name__)

ZONES = ("Asia/Shanghai", "Europe/Berlin", "America/New_York", "Asia/Kolkata")
START = datetime(2026, 10, 23, 16, 0, tzinfo=UTC)  # Friday evening: the cut spans a weekend
USERS_PER_DEVICE = 150
OVERLAP = 2  # punches of the previous read each read repeats
STATES = (PunchState.IN, PunchState.OUT)


class Via(StrEnum):
    HTTP = "http"  # a central shiftgate on loopback: POST /api/v1/punches:batch
    STORE = "store"  # the store itself (a gateway beside its centre)


class SimClock:
    """The simulated instant, in UTC; only :meth:`advance` moves it."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def __call__(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)


class _NoConfig(BaseModel):
    pass


class SoakDevice(Driver):
    """A device whose log grows with the simulated clock: punch ``k`` happens at
    ``start + k * interval_s``, by user ``k mod users``, in the device's zone."""

    family: ClassVar[str] = "soak"
    description: ClassVar[str] = "outage-soak device (simulated clock)"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.PULL})
    config_model: ClassVar[type[BaseModel]] = _NoConfig

    def __init__(
        self, serial: str, zone: str, clock: SimClock, *, interval_s: float, total: int
    ) -> None:
        super().__init__(_NoConfig())
        self.serial = serial
        self.zone = ZoneInfo(zone)
        self.clock = clock
        self.interval_s = interval_s
        self.total = total

    def punch(self, k: int) -> Punch:
        at = START + timedelta(seconds=round(k * self.interval_s))
        return Punch(
            device_sn=self.serial,
            device_user=str(1000 + k % USERS_PER_DEVICE),
            local=at.astimezone(self.zone),
            state=STATES[(k // USERS_PER_DEVICE) % 2],
            source="soak",
        )

    def made(self) -> int:
        """How many punches the device holds at the simulated instant."""
        elapsed = (self.clock() - START).total_seconds()
        return min(self.total, int(elapsed // self.interval_s) + 1) if elapsed >= 0 else 0

    def info(self) -> DeviceInfo:
        return DeviceInfo(serial_number=self.serial, family=self.family, record_count=self.made())

    def read_punches(self, since: str | None = None) -> ReadResult:
        after = int(since) if since else 0
        made = self.made()
        first = max(0, after - OVERLAP)
        return ReadResult([self.punch(k) for k in range(first, made)], str(made))

    def ids(self) -> Iterator[uuid.UUID]:
        return (self.punch(k).id for k in range(self.total))


class CutCentre:
    """A centre behind a link that can be cut, and whose answers can be lost after it stored
    a batch (the crash window between "centre committed" and "outbox confirmed")."""

    def __init__(self, inner: Centre) -> None:
        self.inner = inner
        self.cut = True
        self.lose_acks = 0
        self.sent_again = 0  # punches the centre reported as already held

    def describe(self) -> str:
        return f"cut link to {self.inner.describe()}"

    def send(self, punches: Sequence[PunchWire]) -> BatchResult:
        if self.cut:
            raise CentreUnavailable("link to the centre is cut")
        result = self.inner.send(punches)
        self.sent_again += result.duplicate
        if self.lose_acks > 0:
            self.lose_acks -= 1
            raise CentreUnavailable("answer lost after the centre stored the batch")
        return result


@dataclass(frozen=True, slots=True)
class SoakReport:
    via: str
    devices: int
    outage_h: float
    produced: int
    read: int  # punches the workers read, re-reads included
    failed_uploads: int  # upload attempts refused by the cut
    peak_outbox_pending: int
    peak_outbox_mb: float  # bytes held by the outbox's pages, at the peak
    outbox_file_mb: float  # database + write-ahead log on disk after the drain
    budget_mb: float | None
    budget_alarm_raised: bool
    pruned_delivered: int
    lost_acks: int
    resent_duplicates: int  # punches re-sent after a lost answer, skipped by the centre
    delivered: int  # punches of these devices in the store
    missing: int
    unexpected: int
    duplicates: int  # stored rows sharing (serial, user, local time)
    order_violations: int  # a device's punch stored in an earlier batch than one made before it
    outage_s: float  # wall time to simulate the cut
    drain_s: float
    drain_cpu_s: float  # CPU of this process while draining (gateway, and the HTTP centre)
    drain_db_cpu_s: float  # CPU of the database server while draining (0: not measured)
    drain_rate: float  # punches per second, outbox -> store

    @property
    def exact(self) -> bool:
        return (
            self.delivered == self.produced
            and self.missing == 0
            and self.unexpected == 0
            and self.duplicates == 0
            and self.order_violations == 0
        )


def _devices(clock: SimClock, n: int, punches: int, hours: float) -> list[SoakDevice]:
    per_device = punches // n
    if per_device * n != punches:
        raise ValueError(f"{punches} punches do not split evenly over {n} devices")
    interval = hours * 3600 / per_device
    if interval < 1:
        raise ValueError("more than one punch a second per device: raise hours or devices")
    return [
        SoakDevice(
            f"SOAK{i:03d}", ZONES[i % len(ZONES)], clock, interval_s=interval, total=per_device
        )
        for i in range(n)
    ]


def _spec(device: SoakDevice) -> DeviceSpec:
    return DeviceSpec(
        serial=device.serial,
        name=device.serial,
        driver="soak",
        timezone=device.zone.key,
        site=None,
        poll_interval_s=60,
        live=False,
        rediscover_subnet=None,
        settings={},
    )


@contextmanager
def _centre(via: Via, database_url: str, workdir: Path) -> Iterator[Centre]:
    if via is Via.STORE:
        engine = make_engine(database_url)
        try:
            yield StoreCentre(make_session_factory(engine), database_url)
        finally:
            engine.dispose()
        return
    token = secrets.token_urlsafe(16)
    with central_server(database_url, workdir / "centre-var", api_token=token) as url:
        centre = HttpCentre(url, timeout_s=60, token=token)
        try:
            yield centre
        finally:
            centre.close()


def run_outage_soak(
    workdir: Path,
    database_url: str,
    *,
    punches: int = 1_000_000,
    devices: int = 20,
    hours: float = 72.0,
    poll_s: float = 300.0,
    batch_size: int = 2000,
    via: Via = Via.HTTP,
    budget: OutboxBudget | None = None,
    lost_acks: int = 3,
    database_cpu: Callable[[], float] = lambda: 0.0,
) -> SoakReport:
    """``database_url``: a migrated, empty HR store (PostgreSQL for the figures);
    ``database_cpu``: the database server's CPU seconds so far, when known."""
    workdir.mkdir(parents=True, exist_ok=True)
    clock = SimClock(START)
    fleet = _devices(clock, devices, punches, hours)
    by_serial = {d.serial: d for d in fleet}
    metrics = GatewayMetrics()
    outbox = Outbox(
        workdir / "outbox.db", clock=clock, budget=budget, on_pruned=metrics.outbox_pruned.inc
    )

    def factory(spec: DeviceSpec, settings: Mapping[str, Any]) -> Driver:
        return by_serial[spec.serial]

    workers = [
        DeviceWorker(_spec(d), outbox=outbox, metrics=metrics, factory=factory, clock=clock)
        for d in fleet
    ]
    try:
        with _centre(via, database_url, workdir) as inner:
            centre = CutCentre(inner)
            uploader = Uploader(outbox, centre, metrics, batch_size=batch_size, clock=clock)
            failed, alarm = 0, False
            started = time.perf_counter()
            end = START + timedelta(hours=hours)
            while True:
                for worker in workers:
                    worker.poll_once()
                try:
                    uploader.upload_once()
                except UploadError:
                    failed += 1
                alarm |= outbox.usage().alarm
                if clock() >= end:
                    break
                clock.advance(poll_s)
            outage_s = time.perf_counter() - started
            peak_pending = outbox.depth()  # nothing left during the cut: this is the peak
            log.info("outage over pending=%d failed_uploads=%d", peak_pending, failed)
            centre.cut = False
            centre.lose_acks = lost_acks
            started, cpu_started = time.perf_counter(), time.process_time()
            db_started = database_cpu()
            while outbox.depth():
                try:
                    uploader.drain()
                except CentreUnavailable:
                    continue  # a lost answer: the batch goes again, the centre skips it
                alarm |= outbox.usage().alarm
            drain_s = time.perf_counter() - started
            drain_cpu_s = time.process_time() - cpu_started
            drain_db_cpu_s = database_cpu() - db_started
            read = sum(
                int(v.value)
                for m in metrics.device_punches_read.collect()
                for v in m.samples
                if v.name.endswith("_total")
            )
            usage = outbox.usage()
        checked = _check_store(database_url, fleet)
    finally:
        outbox.close()
    produced = sum(d.total for d in fleet)
    return SoakReport(
        via=via.value,
        devices=devices,
        outage_h=hours,
        produced=produced,
        read=read,
        failed_uploads=failed,
        peak_outbox_pending=peak_pending,
        peak_outbox_mb=round(usage.peak_used_bytes / 2**20, 1),
        outbox_file_mb=round(usage.file_bytes / 2**20, 1),
        budget_mb=None if budget is None else round(budget.max_bytes / 2**20, 1),
        budget_alarm_raised=alarm,
        pruned_delivered=usage.pruned,
        lost_acks=lost_acks,
        resent_duplicates=centre.sent_again,
        delivered=checked.delivered,
        missing=checked.missing,
        unexpected=checked.unexpected,
        duplicates=checked.duplicates,
        order_violations=checked.order_violations,
        outage_s=round(outage_s, 1),
        drain_s=round(drain_s, 1),
        drain_cpu_s=round(drain_cpu_s, 1),
        drain_db_cpu_s=round(drain_db_cpu_s, 1),
        drain_rate=round(produced / drain_s) if drain_s > 0 else 0.0,
    )


@dataclass(frozen=True, slots=True)
class _Checked:
    delivered: int
    missing: int
    unexpected: int
    duplicates: int
    order_violations: int


def _check_store(database_url: str, fleet: Sequence[SoakDevice]) -> _Checked:
    serials = [d.serial for d in fleet]
    expected = {i for d in fleet for i in d.ids()}
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as s:
            ours = PunchRecord.device_sn.in_(serials)
            stored = set(s.scalars(select(PunchRecord.id).where(ours)))
            delivered = int(s.scalar(select(func.count()).where(ours)) or 0)
            duplicates = int(
                s.scalar(
                    select(func.count()).select_from(
                        select(PunchRecord.device_sn)
                        .where(ours)
                        .group_by(
                            PunchRecord.device_sn, PunchRecord.device_user, PunchRecord.local_time
                        )
                        .having(func.count() > 1)
                        .subquery()
                    )
                )
                or 0
            )
            # in the order each device made its punches, stored_at (one value per batch) must
            # never go back
            order_violations = int(
                s.execute(
                    text(
                        "SELECT count(*) FROM (SELECT stored_at < lag(stored_at) OVER"
                        " (PARTITION BY device_sn ORDER BY at) AS back FROM punches"
                        " WHERE device_sn LIKE 'SOAK%') AS t WHERE back"
                    )
                ).scalar_one()
            )
    finally:
        engine.dispose()
    return _Checked(
        delivered=delivered,
        missing=len(expected - stored),
        unexpected=len(stored - expected),
        duplicates=duplicates,
        order_violations=order_violations,
    )
