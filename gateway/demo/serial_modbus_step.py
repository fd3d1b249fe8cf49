"""Demo step: a serial terminal on a pty and a Modbus terminal feed the same gateway worker,
outbox and store as the ZKTeco clock. The serial line carries junk and bad checksums; the
Modbus terminal loses one pop and holds one bad record. Every punch arrives once, each
acknowledged (acked / popped) only after it was stored."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import func, select

from drivers.modbus.simulator import ModbusSimulator
from drivers.punch import punch_id
from drivers.serial.simulator import SerialSimulator
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
START = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)
SERIAL_SN, MODBUS_SN = "LINE-DEMO-1", "MBQ-DEMO-1"
TIMEOUT_S = 30.0


def _spec(serial: str, driver: str, settings: dict[str, object]) -> DeviceSpec:
    return DeviceSpec(
        serial=serial,
        name=f"{driver} terminal (simulated)",
        driver=driver,
        timezone=TIMEZONE,
        site=None,
        poll_interval_s=0.5,
        live=True,
        rediscover_subnet=None,
        settings={"serial": serial, "timezone": TIMEZONE, **settings},
    )


def _rejects(metrics: GatewayMetrics, device: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for family in metrics.device_records_rejected.collect():
        for sample in family.samples:
            if sample.name.endswith("_total") and sample.labels["device"] == device:
                found[sample.labels["kind"]] += int(sample.value)
    return found


@contextmanager
def _logs_kept_off_the_screen() -> Iterator[None]:
    """The demo configures no logging; without a handler every reject would reach stderr
    (``serve`` logs them as JSON, raw bytes included). The counts are shown instead."""
    quiet = logging.NullHandler()
    loggers = [logging.getLogger(name) for name in ("drivers", "gateway.devices", "pymodbus")]
    for logger in loggers:
        logger.addHandler(quiet)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeHandler(quiet)


def run(ctx: DemoContext) -> None:
    with _logs_kept_off_the_screen():
        _run(ctx)


def _run(ctx: DemoContext) -> None:
    upgrade(ctx.database_url)
    engine = make_engine(ctx.database_url)
    factory = make_session_factory(engine)
    line = SerialSimulator(
        records=12,
        rate=10,
        resend_s=0.5,
        garbage=0.3,
        corrupt=0.3,
        seed=4,
        timezone=TIMEZONE,
        start=START,
    )
    queue = ModbusSimulator(
        records=10,
        bad_records=1,
        lose_pops=frozenset({4}),
        seed=4,
        timezone=TIMEZONE,
        start=START,
    )
    outbox = Outbox(ctx.workdir / "gateway-lines" / "outbox.db")
    metrics = GatewayMetrics()
    uploader = Uploader(outbox, StoreCentre(factory, ctx.database_url), metrics, idle_s=0.2)
    stop = threading.Event()
    with line, queue:
        specs = [
            _spec(SERIAL_SN, "serial", {"port": str(line.path), "reconnect_delay_s": 0.2}),
            _spec(
                MODBUS_SN,
                "modbus",
                {"host": "127.0.0.1", "port": queue.port, "poll_s": 0.1, "timeout": 2.0},
            ),
        ]
        ctx.console.print(f"serial terminal {SERIAL_SN} on a pty (junk, bad checksums)")
        ctx.console.print(
            f"Modbus terminal {MODBUS_SN} on 127.0.0.1:{queue.port} (a pop lost, a bad record)"
        )
        workers = [
            DeviceWorker(
                s,
                outbox=outbox,
                metrics=metrics,
                on_committed=uploader.wake,
                options=WorkerOptions(live_resync_s=30.0),
            )
            for s in specs
        ]
        threads = [threading.Thread(target=w.run, args=(stop,), daemon=True) for w in workers]
        threads.append(threading.Thread(target=uploader.run, args=(stop,), daemon=True))
        for t in threads:
            t.start()
        try:
            wait_until(lambda: line.done and queue.pending == 0, timeout=TIMEOUT_S)
            expected = {punch_id(SERIAL_SN, p.user, p.local) for p in line.stats.punches}
            expected |= {punch_id(MODBUS_SN, u, at) for u, at in queue.stats.punches}

            def stored() -> set[object]:
                with factory() as s:
                    return set(
                        s.scalars(
                            select(PunchRecord.id).where(
                                PunchRecord.device_sn.in_([SERIAL_SN, MODBUS_SN])
                            )
                        )
                    )

            wait_until(lambda: stored() >= expected and outbox.depth() == 0, timeout=TIMEOUT_S)
        finally:
            stop.set()
            uploader.wake()
            for t in threads:
                t.join(10)
            outbox.close()
    with factory() as s:
        counts = dict(
            s.execute(
                select(PunchRecord.device_sn, func.count())
                .where(PunchRecord.device_sn.in_([SERIAL_SN, MODBUS_SN]))
                .group_by(PunchRecord.device_sn)
            ).all()
        )
    engine.dispose()
    st, mq = line.stats, queue.stats
    rej_line = ", ".join(f"{k} {v}" for k, v in sorted(_rejects(metrics, SERIAL_SN).items()))
    rej_queue = ", ".join(f"{k} {v}" for k, v in sorted(_rejects(metrics, MODBUS_SN).items()))
    ctx.console.print(
        f"serial: {counts.get(SERIAL_SN, 0)} of {st.sent} punches stored once, {st.acked} acked"
        f" after storing; {st.resent} resends"
    )
    ctx.console.print(f"  rejected by the driver: {rej_line or 'none'}")
    ctx.console.print(
        f"modbus: {counts.get(MODBUS_SN, 0)} of {len(mq.punches)} punches stored once;"
        f" {mq.pops} pops after storing, {mq.lost_pops} lost and redone"
    )
    ctx.console.print(f"  rejected by the driver (and popped): {rej_queue or 'none'}")


STEP = DemoStep("Serial and Modbus terminals (simulated) -> outbox -> HR store", run)
