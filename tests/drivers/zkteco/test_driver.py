"""ZKTecoDriver against the simulator on loopback (TCP and UDP, all record layouts)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from drivers.base import Capability, DurableProof
from drivers.errors import DeviceUnreachable, DriverConfigError, DriverError
from drivers.punch import DeviceUser, Punch, PunchState, VerifyMode
from drivers.registry import load_driver
from drivers.zkteco.codec import Cmd
from drivers.zkteco.driver import LogNotCovered, ZKTecoDriver, map_state, map_verify
from drivers.zkteco.records import AttendanceRecord
from drivers.zkteco.simulator import ZKSimulator
from gateway.testing.waiting import wait_until

from .conftest import make_driver

BERLIN = ZoneInfo("Europe/Berlin")


def as_truth(punches: list[Punch]) -> list[tuple[str, datetime, PunchState, VerifyMode]]:
    return [(p.device_user, p.local.replace(tzinfo=None), p.state, p.verify_mode) for p in punches]


def truth(records: list[AttendanceRecord]) -> list[tuple[str, datetime, PunchState, VerifyMode]]:
    return [(r.user_id, r.time, map_state(r.state), map_verify(r.verify)) for r in records]


def test_registered_under_the_entry_point() -> None:
    assert load_driver("zkteco") is ZKTecoDriver
    assert {
        Capability.PULL,
        Capability.LIVE,
        Capability.CLOCK,
        Capability.USERS,
        Capability.CLEAR_LOG,
    } == ZKTecoDriver.capabilities


def test_config_rejects_unknown_zone_and_bad_port() -> None:
    with pytest.raises(ValidationError, match="unknown IANA time zone"):
        ZKTecoDriver.from_settings({"host": "h", "timezone": "Mars/Base"})
    with pytest.raises(ValidationError, match="port"):
        ZKTecoDriver.from_settings({"host": "h", "port": 70000})


def test_info(sim: ZKSimulator, driver: ZKTecoDriver) -> None:
    info = driver.info()
    assert info.serial_number == sim.serial == "ZKSIM0000007"
    assert (info.family, info.firmware, info.platform) == ("zkteco", sim.firmware, sim.platform)
    assert (info.user_count, info.record_count) == (12, 3000)
    assert info.record_capacity is not None and info.record_capacity >= 3000
    assert info.clock is not None and info.clock.tzinfo == BERLIN


def test_device_without_serial_is_refused_with_hint(sim: ZKSimulator) -> None:
    """Never fall back to host:port: punch ids would change with the address."""
    sim.serial = ""
    with pytest.raises(DriverConfigError, match=r"reports no serial number; set `serial`"):
        make_driver(sim).info()
    with pytest.raises(DriverConfigError, match="reports no serial number"):
        make_driver(sim).read_punches()


def test_configured_serial_is_used_when_the_device_reports_none(sim: ZKSimulator) -> None:
    sim.serial = ""
    punches = make_driver(sim, serial="GATE-A").read_punches().punches
    assert punches and {p.device_sn for p in punches} == {"GATE-A"}
    # the same punches read through another address keep their ids
    again = make_driver(sim, serial="GATE-A", host="localhost").read_punches().punches
    assert [p.id for p in again] == [p.id for p in punches]


def test_reported_serial_wins_over_the_configured_one(sim: ZKSimulator) -> None:
    assert make_driver(sim, serial="OTHER").info().serial_number == sim.serial


@pytest.mark.parametrize("udp", [False, True], ids=["tcp", "udp"])
@pytest.mark.parametrize("variant", [8, 16, 40])
def test_full_read_equals_the_device_log(udp: bool, variant: int) -> None:
    with ZKSimulator(
        users=9,
        records=2500,
        seed=variant,
        udp=udp,
        firmware_variant=variant,
        timezone="Europe/Berlin",
    ) as sim:
        result = make_driver(sim).read_punches()
        assert as_truth(result.punches) == truth(sim.attendance())
        first = result.punches[0]
        assert first.source == "zkteco" and first.device_sn == sim.serial
        assert first.raw == sim.attendance()[0].raw.hex()
        assert first.local.tzinfo == BERLIN
        assert first.clock_offset_s is not None and abs(first.clock_offset_s) < 5


def test_clock_offset_is_reported(sim: ZKSimulator, driver: ZKTecoDriver) -> None:
    sim.move_clock(-600)
    punch = driver.read_punches().punches[0]
    assert punch.clock_offset_s is not None and -605 < punch.clock_offset_s < -595


def test_incremental_read_delivers_only_new_records(sim: ZKSimulator, driver: ZKTecoDriver) -> None:
    first = driver.read_punches()
    assert len(first.punches) == 3000
    new = [sim.punch_now("3", state=1), sim.punch_now("4", verify=15)]
    second = driver.read_punches(first.cursor)
    assert as_truth(second.punches) == truth(new)
    third = driver.read_punches(second.cursor)
    assert third.punches == [] and third.cursor == second.cursor


def test_small_chunks_give_the_same_log(sim: ZKSimulator) -> None:
    result = make_driver(sim, chunk_size=1024).read_punches()
    assert as_truth(result.punches) == truth(sim.attendance())
    assert sim.commands_seen().count(Cmd.READ_BUFFER) >= 3000 * 40 // 1024


def test_device_is_disabled_during_the_read_and_enabled_after(
    sim: ZKSimulator, driver: ZKTecoDriver
) -> None:
    driver.read_punches()
    seen = sim.commands_seen()
    assert seen.index(Cmd.DISABLEDEVICE) < seen.index(Cmd.PREPARE_BUFFER)
    assert max(i for i, c in enumerate(seen) if c == Cmd.ENABLEDEVICE) > max(
        i for i, c in enumerate(seen) if c == Cmd.READ_BUFFER
    )
    assert not sim.disabled


def test_comm_key_connects() -> None:
    with ZKSimulator(users=3, records=10, seed=1, comm_key=987654) as sim:
        assert len(make_driver(sim).read_punches().punches) == 10


def test_users_list_upsert_delete(sim: ZKSimulator, driver: ZKTecoDriver) -> None:
    users = driver.list_users()
    assert [(u.user_id, u.name, u.slot) for u in users] == [
        (u.user_id, u.name, u.uid) for u in sim.users()
    ]
    driver.upsert_user(DeviceUser("9001", "Maria Neu", card="4455", privilege=0, password="12"))
    added = next(u for u in sim.users() if u.user_id == "9001")
    assert (added.name, added.card, added.password, added.uid) == ("Maria Neu", 4455, "12", 13)
    driver.upsert_user(DeviceUser("9001", "Maria Alt"))
    assert [u.name for u in sim.users() if u.user_id == "9001"] == ["Maria Alt"]
    driver.delete_user("9001")
    assert all(u.user_id != "9001" for u in sim.users())
    driver.delete_user("9001")  # already gone: nothing to do
    assert len(sim.users()) == 12


def test_upsert_refuses_what_the_device_cannot_store(driver: ZKTecoDriver) -> None:
    with pytest.raises(DriverConfigError, match="card"):
        driver.upsert_user(DeviceUser("1", card="abc"))
    with pytest.raises(DriverConfigError, match="longer than"):
        driver.upsert_user(DeviceUser("1", name="x" * 40))


def test_users_on_udp_use_28_byte_records() -> None:
    with ZKSimulator(users=4, records=0, udp=True) as sim:
        d = make_driver(sim)
        d.upsert_user(DeviceUser("55", "Kim"))
        assert [u.user_id for u in d.list_users()] == ["1", "2", "3", "4", "55"]
        assert sim.user_record_size == 28


def test_clock_get_and_set(sim: ZKSimulator, driver: ZKTecoDriver) -> None:
    got = driver.get_clock()
    assert got.tzinfo == BERLIN
    assert abs((got.replace(tzinfo=None) - sim.device_time()).total_seconds()) <= 2
    target = datetime(2025, 7, 1, 9, 30, tzinfo=ZoneInfo("UTC"))
    driver.set_clock(target)
    wall = sim.device_time()
    assert timedelta(0) <= wall - datetime(2025, 7, 1, 11, 30) <= timedelta(seconds=3)  # noqa: DTZ001
    with pytest.raises(DriverConfigError, match="aware"):
        driver.set_clock(datetime(2025, 1, 1))  # noqa: DTZ001


def test_clear_log_needs_a_proof_covering_every_record(
    sim: ZKSimulator, driver: ZKTecoDriver
) -> None:
    result = driver.read_punches()
    assert result.cursor is not None
    with pytest.raises(LogNotCovered, match="stores 10"):
        driver.clear_log(DurableProof(result.cursor, stored_count=10))
    sim.punch_now("2")
    with pytest.raises(LogNotCovered, match="holds 3001 records"):
        driver.clear_log(DurableProof(result.cursor, stored_count=3000))
    assert len(sim.attendance()) == 3001
    newer = driver.read_punches(result.cursor)
    assert newer.cursor is not None
    driver.clear_log(DurableProof(newer.cursor, stored_count=3001))
    assert sim.attendance() == []
    after = driver.read_punches(newer.cursor)
    assert after.punches == []


@pytest.mark.parametrize("udp", [False, True], ids=["tcp", "udp"])
def test_live_punches_and_reconnect_after_reboot(udp: bool) -> None:
    with ZKSimulator(users=12, records=30, seed=7, udp=udp, timezone="Europe/Berlin") as sim:
        # UDP has no connection to lose: the idle heartbeat finds the forgotten session
        check_live(sim, make_driver(sim, live_heartbeat_s=0.3))


def follow_live(
    driver: ZKTecoDriver, stop: threading.Event
) -> tuple[threading.Thread, list[Punch]]:
    """A started thread collecting `driver.live_punches(stop)` into the list returned."""
    got: list[Punch] = []

    def consume() -> None:
        for p in driver.live_punches(stop):
            got.append(p)

    worker = threading.Thread(target=consume, daemon=True)
    worker.start()
    return worker, got


def check_live(sim: ZKSimulator, driver: ZKTecoDriver) -> None:
    stop = threading.Event()
    worker, got_live = follow_live(driver, stop)
    try:
        wait_until(lambda: sim.live_sessions() == 1, timeout=10)
        sent = [sim.punch_now("5", state=0), sim.punch_now("6", state=1)]
        wait_until(lambda: len(got_live) == 2, timeout=10)
        assert as_truth(got_live) == truth(sent)
        assert got_live[0].local.tzinfo == BERLIN
        sim.reboot()
        wait_until(lambda: sim.live_sessions() == 1, timeout=10)
        late = sim.punch_now("7")
        wait_until(lambda: len(got_live) == 3, timeout=10)
        assert as_truth(got_live[2:]) == truth([late])
    finally:
        stop.set()
        worker.join(timeout=10)
    assert not worker.is_alive()


def test_live_first_yields_what_the_log_gained_since_the_last_read(sim: ZKSimulator) -> None:
    driver = make_driver(sim)
    driver.read_punches()
    # made after the read and before the subscription: no event will ever carry it
    before = sim.punch_now("5", state=0)
    stop = threading.Event()
    worker, got = follow_live(driver, stop)
    try:
        wait_until(lambda: sim.live_sessions() == 1 and len(got) == 1, timeout=10)
        assert as_truth(got) == truth([before])
        live = sim.punch_now("6", state=1)
        wait_until(lambda: len(got) == 2, timeout=10)
        assert as_truth(got[1:]) == truth([live])
        # a reconnect catches up from the last catch-up, not from the first read
        sim.reboot()
        wait_until(lambda: sim.live_sessions() == 1, timeout=10)
        wait_until(lambda: len(got) >= 3, timeout=10)
        assert as_truth(got[2:]) == truth([live])
    finally:
        stop.set()
        worker.join(timeout=10)
    assert not worker.is_alive()


def test_live_rate_emits_events() -> None:
    with ZKSimulator(users=5, records=0, live_rate=20.0, timezone="Europe/Berlin") as sim:
        driver = make_driver(sim)
        stop = threading.Event()
        got: list[Punch] = []

        def consume() -> None:
            for p in driver.live_punches(stop):
                got.append(p)
                if len(got) >= 5:
                    stop.set()

        worker = threading.Thread(target=consume, daemon=True)
        worker.start()
        worker.join(timeout=20)
        stop.set()
        assert len(got) >= 5
        assert all(p.state in (PunchState.IN, PunchState.OUT) for p in got)


def test_live_sends_a_heartbeat_when_idle(sim: ZKSimulator) -> None:
    driver = make_driver(sim, live_heartbeat_s=0.2)
    stop = threading.Event()
    worker = threading.Thread(target=lambda: list(driver.live_punches(stop)), daemon=True)
    worker.start()
    try:
        wait_until(lambda: sim.live_sessions() == 1, timeout=10)
        seen = sim.commands_seen()
        start = len(seen) - 1 - seen[::-1].index(Cmd.REG_EVENT)
        wait_until(lambda: Cmd.GET_TIME in sim.commands_seen()[start:], timeout=10)
    finally:
        stop.set()
        worker.join(timeout=10)
    assert not worker.is_alive()


def test_live_raises_when_the_device_stays_away() -> None:
    sim = ZKSimulator(users=3, records=0)
    port = sim.start()
    driver = make_driver(sim, live_reconnects=2, reconnect_delay_s=0.05, timeout=0.5)
    errors: list[BaseException] = []

    def consume() -> None:
        try:
            for _ in driver.live_punches(threading.Event()):
                pass
        except DriverError as exc:
            errors.append(exc)

    worker = threading.Thread(target=consume, daemon=True)
    worker.start()
    try:
        wait_until(lambda: sim.live_sessions() == 1, timeout=10)
    finally:
        sim.stop()
    worker.join(timeout=20)
    assert not worker.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], DeviceUnreachable)
    assert f"127.0.0.1:{port}" in str(errors[0])
