"""Demo step: punches flow from a simulated ZKTeco clock through the outbox into the store.

Starts a ZK simulator on loopback, runs one device worker (live connection plus catch-up
read), the outbox and the uploader into the demo SQLite store for a few seconds, then shows
what arrived.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from rich.table import Table
from sqlalchemy import func, select

from drivers.punch import punch_id
from drivers.zkteco.simulator import ZKSimulator
from gateway.config.service import DeviceSpec
from gateway.demo.runner import DemoContext, DemoStep
from gateway.devices.manager import DeviceWorker, WorkerOptions
from gateway.metrics import GatewayMetrics
from gateway.sync.outbox import Outbox
from gateway.sync.uploader import StoreCentre, Uploader
from gateway.testing.waiting import wait_until
from hrcore.db import make_engine, make_session_factory
from hrcore.migrate import upgrade
from hrcore.models import PunchRecord

TIMEZONE = "Asia/Shanghai"
LIVE_PUNCHES = 5
TIMEOUT_S = 30.0


def run(ctx: DemoContext) -> None:
    upgrade(ctx.database_url)
    engine = make_engine(ctx.database_url)
    factory = make_session_factory(engine)
    sim = ZKSimulator(users=12, records=80, seed=42, timezone=TIMEZONE)
    port = sim.start()
    outbox = Outbox(ctx.workdir / "gateway" / "outbox.db")
    metrics = GatewayMetrics()
    metrics.watch_outbox(outbox.depth, outbox.oldest_pending_at, lambda: datetime.now(UTC))
    uploader = Uploader(outbox, StoreCentre(factory, ctx.database_url), metrics, idle_s=0.2)
    spec = DeviceSpec(
        serial=sim.serial,
        name="Gate B (simulated ZKTeco)",
        driver="zkteco",
        timezone=TIMEZONE,
        site=None,
        poll_interval_s=1.0,
        live=True,
        rediscover_subnet=None,
        settings={"host": "127.0.0.1", "port": port, "timezone": TIMEZONE, "timeout": 5},
    )
    worker = DeviceWorker(
        spec,
        outbox=outbox,
        metrics=metrics,
        on_committed=uploader.wake,
        options=WorkerOptions(live_resync_s=2.0),
    )
    stop = threading.Event()
    threads = [
        threading.Thread(target=worker.run, args=(stop,), daemon=True, name="demo-device"),
        threading.Thread(target=uploader.run, args=(stop,), daemon=True, name="demo-upload"),
    ]
    ctx.console.print(
        f"ZK simulator {sim.serial} on 127.0.0.1:{port} holding "
        f"{len(sim.attendance())} punches; gateway reading it live"
    )
    for t in threads:
        t.start()
    try:
        wait_until(lambda: sim.live_sessions() >= 1, timeout=TIMEOUT_S)
        users = [u.user_id for u in sim.users()]
        for n in range(LIVE_PUNCHES):
            sim.punch_now(users[n], state=0)
        expected = {punch_id(sim.serial, r.user_id, r.time) for r in sim.attendance()}

        def stored() -> set[object]:
            with factory() as s:
                return set(
                    s.scalars(select(PunchRecord.id).where(PunchRecord.device_sn == sim.serial))
                )

        wait_until(
            lambda: stored() >= expected and outbox.depth() == 0, timeout=TIMEOUT_S, interval=0.1
        )
    finally:
        stop.set()
        uploader.wake()
        for t in threads:
            t.join(10)
        sim.stop()
        outbox.close()
    with factory() as s:
        total = s.scalar(
            select(func.count()).select_from(PunchRecord).where(PunchRecord.device_sn == sim.serial)
        )
        latest = s.scalars(
            select(PunchRecord)
            .where(PunchRecord.device_sn == sim.serial)
            .order_by(PunchRecord.at.desc())
            .limit(LIVE_PUNCHES)
        ).all()
    table = Table("device user", "local time", "state", "clock offset s")
    for p in latest:
        offset = "" if p.clock_offset_s is None else f"{p.clock_offset_s:+.1f}"
        table.add_row(p.device_user, p.local_time, p.state.value, offset)
    ctx.console.print(table)
    status = worker.status()
    ctx.console.print(
        f"{total} punches in the store from {sim.serial} (log {len(expected)}, "
        f"{LIVE_PUNCHES} taken live); outbox empty; device {status.health.value}, "
        f"clock offset {status.clock_offset_s or 0:+.1f} s"
    )
    engine.dispose()


STEP = DemoStep("Punches flow in: simulated ZKTeco clock -> outbox -> HR store", run)
