"""The Modbus driver against pymodbus's own server with a record queue (and its faults)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from drivers.base import RejectedRecord, RejectKind
from drivers.errors import DeviceUnreachable
from drivers.modbus.driver import ModbusConfig, ModbusDriver
from drivers.modbus.simulator import ModbusSimulator
from drivers.punch import Punch
from gateway.testing.waiting import wait_until

START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
ZONE = "Asia/Shanghai"


def make_driver(sim: ModbusSimulator, **overrides: object) -> ModbusDriver:
    settings: dict[str, object] = {
        "host": "127.0.0.1",
        "port": sim.port,
        "serial": "MB-1",
        "timezone": ZONE,
        "timeout": 1.0,
        "poll_s": 0.05,
        "reconnect_delay_s": 0.05,
    }
    settings.update(overrides)
    return ModbusDriver(ModbusConfig.model_validate(settings))


def drain(driver: ModbusDriver, sim: ModbusSimulator, *, ack: bool = True) -> list[Punch]:
    """Live punches, acknowledged as the gateway does, until the queue is empty."""
    stop = threading.Event()
    got: list[Punch] = []

    def stopper() -> None:
        wait_until(lambda: sim.pending == 0, timeout=20)
        stop.set()

    threading.Thread(target=stopper, daemon=True).start()
    with driver:
        for p in driver.live_punches(stop):
            got.append(p)
            if ack:
                driver.acknowledge([p])
    return got


@pytest.fixture
def sim() -> Iterator[ModbusSimulator]:
    with ModbusSimulator(records=6, timezone=ZONE, start=START) as s:
        yield s


def test_the_queue_drains_into_one_punch_per_record(sim: ModbusSimulator) -> None:
    driver = make_driver(sim)
    info = driver.info()
    assert (info.serial_number, info.record_count, driver.pending()) == ("MB-1", None, 6)
    got = drain(driver, sim)
    assert len(got) == 6 and len({p.id for p in got}) == 6
    assert sim.stats.popped_seqs == [1, 2, 3, 4, 5, 6]
    assert got[0].local.isoformat() == "2026-03-02T08:00:00+08:00"
    assert got[0].device_sn == "MB-1" and got[0].source == "modbus"


def test_nothing_is_popped_before_acknowledge(sim: ModbusSimulator) -> None:
    driver = make_driver(sim)
    with driver:
        first = driver.read_punches()
        again = driver.read_punches()  # the same head, not delivered twice
        assert len(first.punches) == 1 and again.punches == []
        assert sim.pending == 6 and sim.stats.pops == 0
        driver.acknowledge(first.punches)
        assert sim.pending == 5 and sim.stats.popped_seqs == [1]
        nxt = driver.read_punches().punches
        assert len(nxt) == 1 and nxt[0].id != first.punches[0].id


def test_a_lost_pop_brings_the_record_again_still_one_punch() -> None:
    with ModbusSimulator(records=4, timezone=ZONE, start=START, lose_pops=frozenset({2})) as sim:
        got = drain(make_driver(sim), sim)
    assert sim.stats.lost_pops == 1
    assert len(got) == 4 and len({p.id for p in got}) == 4
    assert sim.stats.popped_seqs == [1, 2, 3, 4]


def test_a_connection_dropped_mid_read_is_reconnected() -> None:
    with ModbusSimulator(
        records=5, timezone=ZONE, start=START, drop_on_reads=frozenset({2, 3})
    ) as sim:
        got = drain(make_driver(sim), sim)
    assert sim.stats.drops == 2
    assert len(got) == 5 and len({p.id for p in got}) == 5


def test_bad_records_are_rejected_popped_and_never_hold_the_queue() -> None:
    rejects: list[RejectedRecord] = []
    with ModbusSimulator(records=2, bad_records=2, timezone=ZONE, start=START) as sim:
        sim.add_record()  # a good one behind the bad ones
        driver = make_driver(sim)
        driver.on_reject(rejects.append)
        got = drain(driver, sim)
    assert len(got) == 3
    assert [r.kind for r in rejects] == [RejectKind.OUT_OF_RANGE, RejectKind.BAD_TIME]
    assert all(len(r.raw) == 16 for r in rejects)


def test_coil_pop(sim: ModbusSimulator) -> None:
    driver = make_driver(sim, map={"ack": {"kind": "coil", "address": 0}})
    got = drain(driver, sim)
    assert len(got) == 6 and sim.stats.popped_seqs == [1, 2, 3, 4, 5, 6]


def test_live_follows_new_records() -> None:
    with ModbusSimulator(records=0, live_rate=20, timezone=ZONE, start=START) as sim:
        driver = make_driver(sim)
        stop = threading.Event()
        got: list[Punch] = []
        with driver:
            for p in driver.live_punches(stop):
                got.append(p)
                driver.acknowledge([p])
                if len(got) == 3:
                    stop.set()
    assert len({p.id for p in got}) == 3


def test_no_server_is_unreachable() -> None:
    with ModbusSimulator(records=0) as sim:
        port = sim.port
    driver = ModbusDriver(
        ModbusConfig(host="127.0.0.1", port=port, serial="X", timezone=ZONE, timeout=0.5)
    )
    with pytest.raises(DeviceUnreachable):
        driver.info()


def test_a_server_that_stays_away_raises_for_the_gateway_backoff() -> None:
    with ModbusSimulator(records=0) as sim:
        driver = make_driver(sim, live_reconnects=1)
    with pytest.raises(DeviceUnreachable):
        for _ in driver.live_punches(threading.Event()):
            pass


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"transport": "tcp"}, "host"),
        ({"transport": "rtu"}, "serial_port"),
        ({"host": "h", "map": {"record_words": 4}}, "does not fit"),
    ],
)
def test_bad_settings_are_refused(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ModbusConfig.model_validate({"serial": "X", "timezone": ZONE, **settings})


def test_rtu_over_a_serial_line() -> None:
    from drivers.serial.nullmodem import PtyNullModem

    with PtyNullModem() as cable:
        with ModbusSimulator(records=3, timezone=ZONE, start=START, rtu_port=str(cable.a)) as sim:
            driver = ModbusDriver(
                ModbusConfig(
                    transport="rtu",
                    serial_port=str(cable.b),
                    baudrate=19200,
                    serial="MB-RTU",
                    timezone=ZONE,
                    timeout=1.0,
                    poll_s=0.05,
                )
            )
            got = drain(driver, sim)
    assert len({p.id for p in got}) == 3 and sim.stats.popped_seqs == [1, 2, 3]
