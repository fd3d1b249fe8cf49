"""Both checksum forms end to end: a device answering in pyzk's form is read over TCP and UDP
(full, incremental, live); a strict device accepts our requests; the setting `checksum: pyzk`
reaches a device that only takes that form; every deviation is counted and logged once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from zk import ZK

from drivers.base import Anomaly, AnomalyKind
from drivers.errors import DeviceUnreachable
from drivers.punch import Punch
from drivers.zkteco.codec import ChecksumForm
from drivers.zkteco.codes import map_state, map_verify
from drivers.zkteco.driver import ZKTecoDriver
from drivers.zkteco.records import AttendanceRecord
from drivers.zkteco.simulator import ZKSimulator
from gateway.testing.waiting import wait_until

from .conftest import make_driver

PYZK = ChecksumForm.PYZK


def truth(records: list[AttendanceRecord]) -> list[tuple[object, ...]]:
    return [(r.user_id, r.time, map_state(r.state), map_verify(r.verify)) for r in records]


def rows(punches: list[Punch]) -> list[tuple[object, ...]]:
    return [(p.device_user, p.local.replace(tzinfo=None), p.state, p.verify_mode) for p in punches]


def once(punches: list[Punch]) -> list[Punch]:
    """Live punches without the copies a catch-up read may add (same id: one punch)."""
    out: dict[object, Punch] = {}
    for p in punches:
        out.setdefault(p.id, p)
    return list(out.values())


def watched(driver: ZKTecoDriver) -> list[Anomaly]:
    notes: list[Anomaly] = []
    driver.watch_anomalies(notes.append)
    return notes


@pytest.fixture(params=[False, True], ids=["tcp", "udp"])
def pyzk_device(request: pytest.FixtureRequest) -> Iterator[ZKSimulator]:
    with ZKSimulator(
        users=15, records=2500, seed=4, udp=request.param, checksum_variant=PYZK, timezone="UTC"
    ) as sim:
        yield sim


def test_a_pyzk_checksum_device_is_read_full_incremental_and_live(
    pyzk_device: ZKSimulator,
) -> None:
    sim = pyzk_device
    driver = make_driver(sim, timezone="UTC", live_heartbeat_s=600)
    notes = watched(driver)
    full = driver.read_punches()
    assert rows(full.punches) == truth(sim.attendance())
    more = sim.add_punches(7)
    assert rows(driver.read_punches(full.cursor).punches) == truth(more)
    stop = threading.Event()
    live: list[Punch] = []

    def collect() -> None:
        for p in driver.live_punches(stop):
            live.append(p)

    worker = threading.Thread(target=collect, daemon=True)
    worker.start()
    try:
        wait_until(lambda: sim.live_sessions() == 1, timeout=10)
        sent = [sim.punch_now("3", state=0, verify=4), sim.punch_now("9", state=1, verify=15)]
        wait_until(lambda: len(once(live)) == 2, timeout=10)
    finally:
        stop.set()
        worker.join(timeout=10)
    assert rows(once(live)) == truth(sent)
    assert notes and set(notes) == {Anomaly(AnomalyKind.CHECKSUM, "pyzk")}


def test_pyzk_form_is_logged_once_per_connection(
    pyzk_device: ZKSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="drivers.zkteco.client")
    driver = make_driver(pyzk_device, timezone="UTC")
    notes = watched(driver)
    driver.read_punches()
    driver.get_clock()
    warned = [r for r in caplog.records if "detail=pyzk" in r.getMessage()]
    assert len(warned) == 2  # two connections, one line each
    assert len(notes) > 10  # every reply counted


@pytest.mark.parametrize("udp", [False, True], ids=["tcp", "udp"])
def test_a_strict_device_accepts_our_requests(udp: bool) -> None:
    with ZKSimulator(users=10, records=1500, seed=2, udp=udp, strict=True, timezone="UTC") as sim:
        driver = make_driver(sim, timezone="UTC")
        notes = watched(driver)
        result = driver.read_punches()
        assert rows(result.punches) == truth(sim.attendance())
        users = driver.list_users()
        driver.set_clock(driver.get_clock())
        more = sim.add_punches(3)
        assert rows(driver.read_punches(result.cursor).punches) == truth(more)
        stop = threading.Event()
        live: list[Punch] = []

        def collect() -> None:
            for p in driver.live_punches(stop):
                live.append(p)

        worker = threading.Thread(target=collect, daemon=True)
        worker.start()
        try:
            wait_until(lambda: sim.live_sessions() == 1, timeout=10)
            sent = [sim.punch_now("2"), sim.punch_now("7", state=1)]
            wait_until(lambda: len(once(live)) == 2, timeout=10)
        finally:
            stop.set()
            worker.join(timeout=10)
        assert rows(once(live)) == truth(sent)
        assert len(users) == 10
        assert sim.rejected_requests == 0  # event acks and the goodbye included
        assert notes == []


def test_the_checksum_setting_reaches_a_device_that_takes_only_pyzks_form() -> None:
    with ZKSimulator(
        users=5, records=300, seed=6, checksum_variant=PYZK, strict=True, timezone="UTC"
    ) as sim:
        with pytest.raises(DeviceUnreachable, match="no reply to CONNECT"):
            make_driver(sim, timezone="UTC", timeout=0.3, retries=1).read_punches()
        assert sim.rejected_requests >= 1
        sim.rejected_requests = 0
        driver = make_driver(sim, timezone="UTC", checksum="pyzk")
        assert rows(driver.read_punches().punches) == truth(sim.attendance())
        assert sim.rejected_requests == 0


def pyzk_client(sim: ZKSimulator) -> Any:
    return ZK("127.0.0.1", port=sim.port, timeout=10, force_udp=sim.udp, ommit_ping=True)


@pytest.mark.parametrize("udp", [False, True], ids=["tcp", "udp"])
def test_pyzk_reads_a_strict_device_and_a_pyzk_form_device(udp: bool) -> None:
    """pyzk's requests pass a device that checks the ones' complement; pyzk never checks
    replies, so a device answering in its form is what such installations run."""
    for variant in ChecksumForm:
        with ZKSimulator(
            users=8, records=400, seed=3, udp=udp, checksum_variant=variant, strict=True
        ) as sim:
            if variant is PYZK:
                sim.strict = False  # pyzk's requests carry the ones' complement
            conn = pyzk_client(sim).connect()
            try:
                got = conn.get_attendance()
            finally:
                conn.disconnect()
            assert [(a.user_id, a.timestamp) for a in got] == [
                (r.user_id, r.time) for r in sim.attendance()
            ]
            assert sim.rejected_requests == 0
