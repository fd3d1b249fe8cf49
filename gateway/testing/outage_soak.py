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
import threading
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
from gateway.auth.service import enrol_gateway
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
from hrcore.store import DeviceIn, SiteIn, save_device, save_site

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
    gateways: int  # gateway boxes, each with its own outbox and site token
    outage_h: float
    produced: int
    read: int  # punches the workers read, re-reads included
    failed_uploads: int  # upload attempts refused by the cut
    peak_outbox_pending: int  # all gateways together
    peak_outbox_mb: float  # bytes held by the outboxes' pages, at their peaks
    outbox_file_mb: float  # databases + write-ahead logs on disk after the drain
    budget_mb: float | None  # of each outbox
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


class _Gateway:
    """One gateway box of the soak: its own outbox, workers, metrics and uploader."""

    def __init__(
        self,
        name: str,
        workdir: Path,
        fleet: Sequence[SoakDevice],
        centre: Centre,
        *,
        clock: SimClock,
        batch_size: int,
        budget: OutboxBudget | None,
    ) -> None:
        self.metrics = GatewayMetrics()
        self.outbox = Outbox(
            workdir / name / "outbox.db",
            clock=clock,
            budget=budget,
            on_pruned=self.metrics.outbox_pruned.inc,
        )
        by_serial = {d.serial: d for d in fleet}

        def factory(spec: DeviceSpec, settings: Mapping[str, Any]) -> Driver:
            return by_serial[spec.serial]

        self.workers = [
            DeviceWorker(
                _spec(d), outbox=self.outbox, metrics=self.metrics, factory=factory, clock=clock
            )
            for d in fleet
        ]
        self.centre = CutCentre(centre)
        self.uploader = Uploader(
            self.outbox, self.centre, self.metrics, batch_size=batch_size, clock=clock
        )
        self.failed = 0
        self.alarm = False
        self.error: BaseException | None = None

    def poll(self) -> None:
        """One simulated poll: read every device, try the (cut) centre once."""
        for worker in self.workers:
            worker.poll_once()
        try:
            self.uploader.upload_once()
        except UploadError:
            self.failed += 1
        self.alarm |= self.outbox.usage().alarm

    def drain(self) -> None:
        """Upload until the outbox is empty; a lost answer sends the batch again."""
        try:
            while self.outbox.depth():
                try:
                    self.uploader.drain()
                except CentreUnavailable:
                    continue  # the centre stored it but the answer was lost: skipped by id
                self.alarm |= self.outbox.usage().alarm
        except Exception as exc:  # noqa: BLE001 - re-raised by the caller after the join
            self.error = exc

    def read(self) -> int:
        return sum(
            int(v.value)
            for m in self.metrics.device_punches_read.collect()
            for v in m.samples
            if v.name.endswith("_total")
        )


def _register_sites(database_url: str, fleets: Sequence[Sequence[SoakDevice]]) -> list[str]:
    """At the centre: one site per gateway with its devices, and a gateway user bound to that
    site; returns each gateway's token."""
    engine = make_engine(database_url)
    tokens = []
    now = datetime.now(UTC)
    try:
        with make_session_factory(engine).begin() as session:
            for i, fleet in enumerate(fleets):
                code = f"SOAK-S{i:02d}"
                site = save_site(session, SiteIn(code, f"soak site {i}", fleet[0].zone.key))
                for d in fleet:
                    save_device(
                        session, site, DeviceIn(d.serial, "soak", d.zone.key), secret_key=None
                    )
                tokens.append(
                    enrol_gateway(
                        session,
                        f"gw-soak-{i:02d}",
                        site=code,
                        display_name=f"soak gateway {i}",
                        now=now,
                        actor="outage-soak",
                    )
                )
    finally:
        engine.dispose()
    return tokens


@contextmanager
def _centres(
    via: Via, database_url: str, workdir: Path, tokens: Sequence[str]
) -> Iterator[list[Centre]]:
    """One centre connection per gateway (each with its site's token over HTTP)."""
    if via is Via.STORE:
        engine = make_engine(database_url)
        try:
            store = StoreCentre(make_session_factory(engine), database_url)
            yield [store for _ in tokens]
        finally:
            engine.dispose()
        return
    with central_server(database_url, workdir / "centre-var") as url:
        centres = [HttpCentre(url, timeout_s=60, token=t) for t in tokens]
        try:
            yield list(centres)
        finally:
            for c in centres:
                c.close()


def run_outage_soak(
    workdir: Path,
    database_url: str,
    *,
    punches: int = 1_000_000,
    devices: int = 20,
    gateways: int = 20,
    hours: float = 72.0,
    poll_s: float = 300.0,
    batch_size: int = 2000,
    via: Via = Via.HTTP,
    budget: OutboxBudget | None = None,
    lost_acks: int = 3,
    database_cpu: Callable[[], float] = lambda: 0.0,
) -> SoakReport:
    """``database_url``: a migrated, empty HR store (PostgreSQL for the figures). The devices
    are dealt to ``gateways`` gateway boxes, one site each, each with its own outbox and a
    token bound to its site; they drain concurrently. ``database_cpu``: the database
    server's CPU seconds so far, when known. ``budget`` applies to each outbox."""
    if not 1 <= gateways <= devices:
        raise ValueError("need between 1 and one gateway per device")
    workdir.mkdir(parents=True, exist_ok=True)
    clock = SimClock(START)
    fleet = _devices(clock, devices, punches, hours)
    fleets = [fleet[i::gateways] for i in range(gateways)]
    tokens = _register_sites(database_url, fleets)
    boxes: list[_Gateway] = []
    try:
        with _centres(via, database_url, workdir, tokens) as centres:
            boxes = [
                _Gateway(
                    f"gateway-{i:02d}",
                    workdir,
                    f,
                    c,
                    clock=clock,
                    batch_size=batch_size,
                    budget=budget,
                )
                for i, (f, c) in enumerate(zip(fleets, centres, strict=True))
            ]
            started = time.perf_counter()
            end = START + timedelta(hours=hours)
            while True:
                for box in boxes:
                    box.poll()
                if clock() >= end:
                    break
                clock.advance(poll_s)
            outage_s = time.perf_counter() - started
            # nothing left during the cut: the depth now is the peak
            peak_pending = sum(b.outbox.depth() for b in boxes)
            log.info("outage over pending=%d", peak_pending)
            for box in boxes:
                box.centre.cut = False
            boxes[0].centre.lose_acks = lost_acks
            started, cpu_started = time.perf_counter(), time.process_time()
            db_started = database_cpu()
            threads = [
                threading.Thread(target=b.drain, name=f"drain-{i}") for i, b in enumerate(boxes)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            drain_s = time.perf_counter() - started
            drain_cpu_s = time.process_time() - cpu_started
            drain_db_cpu_s = database_cpu() - db_started
            for box in boxes:
                if box.error is not None:
                    raise box.error
            usages = [b.outbox.usage() for b in boxes]
        checked = _check_store(database_url, fleet)
    finally:
        for box in boxes:
            box.outbox.close()
    produced = sum(d.total for d in fleet)
    return SoakReport(
        via=via.value,
        devices=devices,
        gateways=gateways,
        outage_h=hours,
        produced=produced,
        read=sum(b.read() for b in boxes),
        failed_uploads=sum(b.failed for b in boxes),
        peak_outbox_pending=peak_pending,
        peak_outbox_mb=round(sum(u.peak_used_bytes for u in usages) / 2**20, 1),
        outbox_file_mb=round(sum(u.file_bytes for u in usages) / 2**20, 1),
        budget_mb=None if budget is None else round(budget.max_bytes / 2**20, 1),
        budget_alarm_raised=any(b.alarm for b in boxes),
        pruned_delivered=sum(u.pruned for u in usages),
        lost_acks=lost_acks,
        resent_duplicates=sum(b.centre.sent_again for b in boxes),
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
