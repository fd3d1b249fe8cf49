"""Reliability tests of issue #5: crash, network cut (see test_uploader), device faults."""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import socket
import threading
from collections.abc import Iterator, Mapping
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from drivers.base import Driver
from drivers.punch import punch_id
from drivers.registry import load_driver
from drivers.zkteco.simulator import ZKSimulator
from gateway.config.service import ClockPolicy, DeviceSpec
from gateway.devices.manager import DeviceWorker, WorkerOptions
from gateway.metrics import GatewayMetrics
from gateway.sync.outbox import OUTBOX_FILENAME, Outbox
from gateway.testing.crash_harness import (
    central_server,
    issue_gateway_token,
    run_crash_soak,
    spawn_gateway,
    write_config,
)
from gateway.testing.waiting import wait_until
from hrcore.db import make_engine, make_session_factory
from hrcore.models import PunchRecord

TZ = "Asia/Shanghai"


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_crash_sigkill_20_times_store_holds_exactly_the_device_log(tmp_path: Path) -> None:
    report = run_crash_soak(tmp_path, cycles=20, seed=7)
    assert report.cycles == 20
    assert report.kills_with_pending >= 1  # some kills hit with punches still in flight
    assert report.device_punches > 300  # the initial log plus live punches
    assert (report.missing, report.unexpected, report.duplicated) == (0, 0, 0)
    assert report.stored == report.device_punches


@pytest.fixture
def sim() -> Iterator[ZKSimulator]:
    s = ZKSimulator(users=10, records=50, seed=3, timezone=TZ)
    s.start()
    yield s
    s.stop()


def zk_spec(sim: ZKSimulator, *, live: bool) -> DeviceSpec:
    return DeviceSpec(
        serial=sim.serial,
        name="zk",
        driver="zkteco",
        timezone=TZ,
        site=None,
        poll_interval_s=0.1,
        live=live,
        rediscover_subnet=None,
        settings={
            "host": "127.0.0.1",
            "port": sim.port,
            "timezone": TZ,
            "timeout": 1.0,
            "retries": 1,
            "reconnect_delay_s": 0.05,
        },
    )


def zk_factory(spec: DeviceSpec, settings: Mapping[str, Any]) -> Driver:
    return load_driver("zkteco").from_settings(dict(settings))


def truth(sim: ZKSimulator) -> set[object]:
    return {punch_id(sim.serial, r.user_id, r.time) for r in sim.attendance()}


def sample(metrics: GatewayMetrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


class Worker:
    def __init__(
        self, sim: ZKSimulator, outbox: Outbox, metrics: GatewayMetrics, *, live: bool
    ) -> None:
        opts = WorkerOptions(
            clock_policy=ClockPolicy(alert_threshold_s=60),
            retry_base_s=0.05,
            retry_cap_s=0.2,
            live_resync_s=0.5,
        )
        self.worker = DeviceWorker(
            zk_spec(sim, live=live),
            outbox=outbox,
            metrics=metrics,
            factory=zk_factory,
            options=opts,
        )
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.worker.run, args=(self.stop,), daemon=True)

    def __enter__(self) -> DeviceWorker:
        self.thread.start()
        return self.worker

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(15)


@pytest.mark.timeout(120)
def test_device_faults_survived_and_logged(
    sim: ZKSimulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    outbox = Outbox(tmp_path / "outbox.db")
    metrics = GatewayMetrics()
    users = [u.user_id for u in sim.users()]
    seen: set[object] = set()

    def ids() -> set[object]:
        return {i.punch.id for i in outbox.peek(100_000)}

    def errors(kind: str) -> float:
        return sample(metrics, "shiftgate_device_read_errors_total", device=sim.serial, kind=kind)

    def all_errors() -> float:
        return sum(errors(k) for k in ("unreachable", "protocol", "driver"))

    def arrived() -> bool:
        seen.update(truth(sim))
        return ids() >= seen

    def up() -> bool:
        return sample(metrics, "shiftgate_device_up", device=sim.serial) == 1

    with Worker(sim, outbox, metrics, live=False):
        wait_until(arrived, timeout=20)
        # 1. the connection drops mid-transfer
        before = all_errors()
        sim.punch_now(users[0])
        sim.drop_after(3)
        wait_until(lambda: all_errors() > before, timeout=20)
        wait_until(lambda: arrived() and up(), timeout=20)
        # 2. answers slower than the timeout, then slow but in time
        before = all_errors()
        sim.answer_slowly(1.5)
        sim.punch_now(users[1])
        wait_until(lambda: all_errors() > before, timeout=20)
        sim.answer_slowly(0.05)
        wait_until(lambda: arrived() and up(), timeout=30)
        sim.answer_slowly(0)
        # 3. the clock is moved by an hour: alert, and punches flagged
        sim.move_clock(3600)
        wait_until(
            lambda: (
                sample(metrics, "shiftgate_device_clock_drift_alerts_total", device=sim.serial) >= 1
            ),
            timeout=20,
        )
        late = sim.punch_now(users[2])
        wait_until(arrived, timeout=20)
        sim.move_clock(-3600)
        # 4. someone clears the log, then people punch again
        sim.clear_log()
        sim.punch_now(users[3])
        wait_until(arrived, timeout=20)
        wait_until(
            lambda: sample(metrics, "shiftgate_device_log_shrinks_total", device=sim.serial) >= 1,
            timeout=20,
        )
    # 5. reboot while a live connection is held: events after it still arrive
    with Worker(sim, outbox, metrics, live=True):
        wait_until(lambda: sim.live_sessions() >= 1, timeout=20)
        sim.reboot()
        sim.punch_now(users[4])
        wait_until(arrived, timeout=20)
        wait_until(lambda: sim.live_sessions() >= 1, timeout=20)
        sim.punch_now(users[5])
        wait_until(arrived, timeout=20)

    flagged = {i.punch.id: i.punch for i in outbox.peek(100_000)}
    suspect = flagged[punch_id(sim.serial, late.user_id, late.time)]
    assert suspect.clock_suspect is True
    assert suspect.clock_offset_s == pytest.approx(3600, abs=30)
    assert ids() == seen  # every punch once, nothing invented
    messages = [r.getMessage() for r in caplog.records]
    assert sum("device unavailable" in m for m in messages) >= 2  # drop, timeout
    assert sum("device recovered" in m for m in messages) >= 2
    assert any("device clock drift" in m for m in messages)
    assert any("device log shrank" in m for m in messages)
    assert any(
        r.levelno >= logging.WARNING and r.name.startswith("drivers.zkteco")
        for r in caplog.records
        if "unavailable" in r.getMessage()
    )  # the reboot
    outbox.close()


@pytest.mark.timeout(120)
def test_network_cut_outbox_grows_then_drains_end_to_end(tmp_path: Path, sqlite_url: str) -> None:
    """A real gateway process with its centre down: the outbox grows; the centre comes up on
    its address; the outbox drains fully into the store."""
    sim = ZKSimulator(users=10, records=40, seed=9, timezone=TZ)
    sim.start()
    with socket.socket() as probe:  # the centre's future address, nobody listening yet
        probe.bind(("127.0.0.1", 0))
        centre_port = probe.getsockname()[1]
    write_config(
        tmp_path / "config",
        serial=sim.serial,
        port=sim.port,
        centre_url=f"http://127.0.0.1:{centre_port}",
        centre_token=issue_gateway_token(sqlite_url),
    )
    var_dir = tmp_path / "var"
    env = {
        **os.environ,
        "SHIFTGATE_CONFIG_DIR": str(tmp_path / "config"),
        "SHIFTGATE_VAR_DIR": str(var_dir),
        "SHIFTGATE_DATABASE_URL": f"sqlite:///{tmp_path / 'local.db'}",
    }
    factory = make_session_factory(make_engine(sqlite_url))

    def depth() -> int:
        if not (var_dir / OUTBOX_FILENAME).exists():
            return 0
        box = Outbox(var_dir / OUTBOX_FILENAME)
        try:
            return box.depth()
        finally:
            box.close()

    def stored() -> set[object]:
        with factory() as s:
            return set(s.scalars(select(PunchRecord.id)))

    proc = spawn_gateway(tmp_path, env, tmp_path / "ready")
    try:
        wait_until(lambda: depth() == 40, timeout=60, interval=0.1)
        for user in ("1", "2", "3"):
            sim.punch_now(user)
        wait_until(lambda: depth() == 43, timeout=30, interval=0.1)
        assert stored() == set()
        with central_server(sqlite_url, tmp_path / "centre", port=centre_port):
            wait_until(lambda: depth() == 0, timeout=60, interval=0.1)
            assert stored() == truth(sim)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        sim.stop()
    log_text = (tmp_path / "gateway.log").read_text()
    assert log_text.count("upload failing") == 1
    assert log_text.count("upload recovered") == 1


@pytest.mark.timeout(60)
def test_clock_moved_is_corrected_in_guarded_steps(tmp_path: Path) -> None:
    sim = ZKSimulator(users=3, records=5, seed=4, timezone=TZ, clock_offset_s=900)
    sim.start()
    outbox = Outbox(tmp_path / "outbox.db")
    metrics = GatewayMetrics()
    policy = ClockPolicy(
        alert_threshold_s=60, auto_correct=True, max_step_s=400, allowed_hours=(0, 24)
    )
    worker = DeviceWorker(
        zk_spec(sim, live=False),
        outbox=outbox,
        metrics=metrics,
        factory=zk_factory,
        options=WorkerOptions(clock_policy=policy, retry_base_s=0.05, retry_cap_s=0.2),
    )
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_until(lambda: abs(worker.status().clock_offset_s or 900) < 60, timeout=30)
    finally:
        stop.set()
        thread.join(15)
        sim.stop()
        outbox.close()
    corrections = sample(metrics, "shiftgate_device_clock_corrections_total", device=sim.serial)
    assert corrections == 3  # 900 s -> 500 -> 100 -> 0, never more than 400 s at once


@pytest.mark.timeout(60)
def test_device_found_again_on_its_subnet_after_an_address_change(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gateway.devices.manager")
    sim = ZKSimulator(users=3, records=7, seed=5, timezone=TZ, host="127.0.0.3")
    port = sim.start()
    outbox = Outbox(tmp_path / "outbox.db")
    outbox.remember_address(sim.serial, f"127.0.0.2:{sim.port}")  # where it used to be
    spec = dataclasses.replace(
        zk_spec(sim, live=False),
        rediscover_subnet=IPv4Network("127.0.0.0/29"),
        settings={"host": "127.0.0.2", "port": sim.port, "timezone": TZ, "timeout": 1.0},
    )
    metrics = GatewayMetrics()
    worker = DeviceWorker(
        spec,
        outbox=outbox,
        metrics=metrics,
        factory=zk_factory,
        options=WorkerOptions(retry_base_s=0.05, retry_cap_s=0.2, rediscover_after_failures=2),
    )
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_until(lambda: outbox.depth() == len(truth(sim)), timeout=30)
    finally:
        stop.set()
        thread.join(15)
        sim.stop()
        outbox.close()
    assert worker.status().address == f"127.0.0.3:{port}"
    assert sample(metrics, "shiftgate_device_address_changes_total", device=sim.serial) == 1
    messages = [r.getMessage() for r in caplog.records]
    assert any("device rediscovered" in m and "127.0.0.3" in m for m in messages)
    assert any("device address changed" in m and "old=127.0.0.2" in m for m in messages)
