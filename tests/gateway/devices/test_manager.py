from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest

from drivers.base import Driver
from gateway.config.service import ClockPolicy, DeviceSpec
from gateway.devices.manager import DeviceManager, DeviceWorker, WorkerOptions
from gateway.metrics import GatewayMetrics
from gateway.sync.outbox import Outbox
from gateway.testing.waiting import wait_until
from tests.gateway.devices.fake_device import FakeClockDevice, FakeConfig, FakeDriver

FAST = WorkerOptions(
    retry_base_s=0.01, retry_cap_s=0.05, live_resync_s=0.2, rediscover_after_failures=2
)


def spec(
    sn: str, *, live: bool = False, subnet: str | None = None, host: str = "127.0.0.1"
) -> DeviceSpec:
    return DeviceSpec(
        serial=sn,
        name=sn,
        driver="fake",
        timezone="Asia/Shanghai",
        site=None,
        poll_interval_s=0.05,
        live=live,
        rediscover_subnet=IPv4Network(subnet) if subnet else None,
        settings={"host": host, "port": 4370},
    )


def factory_for(device: FakeClockDevice):  # type: ignore[no-untyped-def]
    def make(_spec: DeviceSpec, settings: Mapping[str, Any]) -> Driver:
        return FakeDriver(device, FakeConfig.model_validate(dict(settings)))

    return make


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    box = Outbox(tmp_path / "outbox.db")
    yield box
    box.close()


class Running:
    def __init__(self, worker: DeviceWorker) -> None:
        self.worker = worker
        self.stop = threading.Event()
        self.thread = threading.Thread(target=worker.run, args=(self.stop,), daemon=True)

    def __enter__(self) -> DeviceWorker:
        self.thread.start()
        return self.worker

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(10)
        assert not self.thread.is_alive()


def sample(metrics: GatewayMetrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


def ids_in(outbox: Outbox) -> set[object]:
    return {i.punch.id for i in outbox.peek(10_000)}


def test_poll_commits_punches_and_cursor(outbox: Outbox) -> None:
    dev = FakeClockDevice("SN1")
    expected = {dev.punch("1", m).id for m in range(5)}
    metrics = GatewayMetrics()
    w = DeviceWorker(
        spec("SN1"), outbox=outbox, metrics=metrics, factory=factory_for(dev), options=FAST
    )
    with Running(w):
        wait_until(lambda: ids_in(outbox) == expected)
        dev.punch("2", 9)
        wait_until(lambda: len(ids_in(outbox)) == 6)
    assert outbox.cursor("SN1") == "6"
    assert sample(metrics, "shiftgate_device_up", device="SN1") == 1
    assert sample(metrics, "shiftgate_device_last_success_timestamp_seconds", device="SN1") > 0
    assert w.status().clock_offset_s is not None


def test_device_faults_are_survived_and_logged(
    outbox: Outbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gateway.devices.manager")
    dev = FakeClockDevice("SN1")
    metrics = GatewayMetrics()
    w = DeviceWorker(
        spec("SN1"), outbox=outbox, metrics=metrics, factory=factory_for(dev), options=FAST
    )
    want = {dev.punch("1", m).id for m in range(3)}
    with Running(w):
        wait_until(lambda: ids_in(outbox) == want)
        # drop mid-transfer
        dev.drop_reads = 2
        want.add(dev.punch("1", 10).id)
        wait_until(lambda: ids_in(outbox) == want and dev.drop_reads == 0)
        wait_until(lambda: sample(metrics, "shiftgate_device_up", device="SN1") == 1)
        # reboot: refused for a few connects
        dev.down_for = 3
        want.add(dev.punch("1", 11).id)
        wait_until(lambda: ids_in(outbox) == want and dev.down_for == 0, timeout=10)
        # slow answers (still within the driver timeout)
        dev.slow_s = 0.1
        want.add(dev.punch("1", 12).id)
        wait_until(lambda: ids_in(outbox) == want, timeout=10)
        dev.slow_s = 0.0
        # clock moved by an hour
        dev.clock_offset = timedelta(hours=1)
        wait_until(
            lambda: sample(metrics, "shiftgate_device_clock_drift_alerts_total", device="SN1") >= 1
        )
        suspect = dev.punch("1", 13)
        want.add(suspect.id)
        wait_until(lambda: ids_in(outbox) == want)
        dev.clock_offset = timedelta(0)
        # log cleared, then new punches
        dev.clear_log()
        want.add(dev.punch("1", 14).id)
        wait_until(lambda: ids_in(outbox) == want, timeout=10)
        wait_until(lambda: sample(metrics, "shiftgate_device_log_shrinks_total", device="SN1") == 1)
    by_id = {i.punch.id: i.punch for i in outbox.peek(100)}
    assert by_id[suspect.id].clock_suspect is True
    assert by_id[suspect.id].clock_offset_s == pytest.approx(3600, abs=5)
    assert len(by_id) == len(want)
    assert sample(metrics, "shiftgate_device_read_errors_total", device="SN1", kind="protocol") == 2
    assert (
        sample(metrics, "shiftgate_device_read_errors_total", device="SN1", kind="unreachable") == 3
    )
    messages = [r.getMessage() for r in caplog.records]
    assert sum("device unavailable" in m for m in messages) == 2  # drop, reboot
    assert sum("device recovered" in m for m in messages) == 2
    assert sum("device clock drift" in m for m in messages) == 1
    assert sum("back in tolerance" in m for m in messages) == 1
    assert sum("device log shrank" in m for m in messages) == 1


def test_live_mode_takes_events_and_catches_up(outbox: Outbox) -> None:
    dev = FakeClockDevice("SN1")
    early = dev.punch("1", 0)
    metrics = GatewayMetrics()
    committed = threading.Event()
    w = DeviceWorker(
        spec("SN1", live=True),
        outbox=outbox,
        metrics=metrics,
        factory=factory_for(dev),
        options=FAST,
        on_committed=committed.set,
    )
    with Running(w):
        wait_until(lambda: ids_in(outbox) == {early.id})
        connects = dev.connects
        live = dev.punch("2", 1, live=True)
        wait_until(lambda: live.id in ids_in(outbox))
        assert dev.connects == connects  # arrived over the held connection
        quiet = dev.punch("3", 2)  # in the log only: picked up by the periodic catch-up
        wait_until(lambda: quiet.id in ids_in(outbox))
    assert committed.is_set()
    assert len(ids_in(outbox)) == 3


def test_clock_auto_correction_is_applied_within_policy(outbox: Outbox) -> None:
    dev = FakeClockDevice("SN1", clock_offset=timedelta(minutes=20))
    always = ClockPolicy(auto_correct=True, max_step_s=300, allowed_hours=(0, 24))
    opts = WorkerOptions(clock_policy=always, retry_base_s=0.01, retry_cap_s=0.05)
    metrics = GatewayMetrics()
    w = DeviceWorker(
        spec("SN1"), outbox=outbox, metrics=metrics, factory=factory_for(dev), options=opts
    )
    with Running(w):
        wait_until(lambda: abs(dev.clock_offset.total_seconds()) < 60, timeout=10)
    # 1200 s brought back in steps of at most 300 s
    assert len(dev.set_clock_calls) >= 4
    assert sample(metrics, "shiftgate_device_clock_corrections_total", device="SN1") >= 4


def test_address_change_is_found_on_subnet_and_logged(
    outbox: Outbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gateway.devices.manager")
    dev = FakeClockDevice("SN1", host="127.0.0.1")
    metrics = GatewayMetrics()
    first = DeviceWorker(
        spec("SN1"), outbox=outbox, metrics=metrics, factory=factory_for(dev), options=FAST
    )
    dev.punch("1", 0)
    with Running(first):
        wait_until(lambda: outbox.depth() == 1)
    dev.host = "127.0.0.3"  # DHCP moved the clock
    dev.punch("1", 1)
    w = DeviceWorker(
        spec("SN1", subnet="127.0.0.0/29"),
        outbox=outbox,
        metrics=metrics,
        factory=factory_for(dev),
        options=FAST,
    )
    with Running(w):
        wait_until(lambda: outbox.depth() == 2, timeout=10)
    assert w.status().address == "127.0.0.3:4370"
    assert sample(metrics, "shiftgate_device_address_changes_total", device="SN1") == 1
    messages = [r.getMessage() for r in caplog.records]
    assert any("device rediscovered" in m and "127.0.0.3" in m for m in messages)
    assert any("device address changed" in m for m in messages)


def test_wrong_serial_is_refused_with_hint(outbox: Outbox) -> None:
    dev = FakeClockDevice("OTHER")
    dev.punch("1", 0)
    w = DeviceWorker(
        spec("SN1"), outbox=outbox, metrics=GatewayMetrics(), factory=factory_for(dev), options=FAST
    )
    with Running(w):
        wait_until(lambda: w.status().last_error is not None)
    assert "config/devices.yaml" in str(w.status().last_error)
    assert outbox.depth() == 0


def test_manager_runs_every_device(outbox: Outbox) -> None:
    devs = [FakeClockDevice(f"SN{i}") for i in range(3)]
    for d in devs:
        d.punch("1", 0)
    by_sn = {d.serial: d for d in devs}

    def make(s: DeviceSpec, settings: Mapping[str, Any]) -> Driver:
        return FakeDriver(by_sn[s.serial], FakeConfig.model_validate(dict(settings)))

    m = DeviceManager.build(
        [spec(d.serial) for d in devs],
        outbox=outbox,
        metrics=GatewayMetrics(),
        options=FAST,
        factory=make,
        clock=lambda: datetime.now(UTC),
    )
    m.start()
    try:
        wait_until(lambda: outbox.depth() == 3)
    finally:
        m.stop()
    assert {s.serial for s in m.status()} == {"SN0", "SN1", "SN2"}


def test_flapping_live_link_leaves_no_timer_threads_behind(outbox: Outbox) -> None:
    """Each broken live session ends its resync timer at once, not after live_resync_s."""
    dev = FakeClockDevice("SN1", drop_live=8)
    w = DeviceWorker(
        spec("SN1", live=True),
        outbox=outbox,
        metrics=GatewayMetrics(),
        factory=factory_for(dev),
        options=WorkerOptions(retry_base_s=0.01, retry_cap_s=0.02, live_resync_s=60),
    )

    def live_timers() -> int:
        return sum(t.name == "live-timer-SN1" for t in threading.enumerate())

    with Running(w):
        wait_until(lambda: dev.drop_live == 0, timeout=20)
        # the session after the last drop holds; every earlier timer has ended
        wait_until(lambda: live_timers() <= 1)
        live = dev.punch("2", 1, live=True)
        wait_until(lambda: live.id in ids_in(outbox))
    wait_until(lambda: live_timers() == 0)


def test_checksum_mismatches_of_a_zkteco_device_reach_the_metrics(outbox: Outbox) -> None:
    """A device answering in pyzk's checksum form is read, and every such reply is counted
    in shiftgate_device_checksum_mismatch_total{device,kind} (what /metrics renders)."""
    from drivers.zkteco.codec import ChecksumForm
    from drivers.zkteco.driver import ZKTecoDriver
    from drivers.zkteco.simulator import ZKSimulator

    with ZKSimulator(users=4, records=30, seed=9, checksum_variant=ChecksumForm.PYZK) as sim:

        def zk(_spec: DeviceSpec, settings: Mapping[str, Any]) -> Driver:
            return ZKTecoDriver.from_settings(dict(settings))

        device = DeviceSpec(
            serial=sim.serial,
            name="clone",
            driver="zkteco",
            timezone="Asia/Shanghai",
            site=None,
            poll_interval_s=0.05,
            live=False,
            rediscover_subnet=None,
            settings={"host": "127.0.0.1", "port": sim.port, "timezone": "Asia/Shanghai"},
        )
        metrics = GatewayMetrics()
        w = DeviceWorker(device, outbox=outbox, metrics=metrics, factory=zk, options=FAST)
        with Running(w):
            wait_until(lambda: len(ids_in(outbox)) == 30)
    series = "shiftgate_device_checksum_mismatch_total"
    assert sample(metrics, series, device=sim.serial, kind="pyzk") >= 10
    assert sample(metrics, series, device=sim.serial, kind="neither_accepted") == 0
    # the family's series exist at 0 before any such reply
    assert f'{series}{{device="{sim.serial}",kind="neither_retried"}} 0.0' in (
        metrics.render().decode()
    )
    assert f'{series}{{device="{sim.serial}",kind="pyzk"}}' in metrics.render().decode()
