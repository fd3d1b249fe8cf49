"""The serial driver against the pty terminal simulator: acks, resends, faults, a lost port."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from drivers.base import RejectedRecord, RejectKind
from drivers.errors import DeviceUnreachable, DriverConfigError
from drivers.punch import Punch, PunchState
from drivers.serial.driver import SerialConfig, SerialDriver
from drivers.serial.presets import PresetName
from drivers.serial.simulator import SerialSimulator
from gateway.testing.waiting import wait_until

START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
ZONE = "Asia/Shanghai"


def make_driver(sim: SerialSimulator, **overrides: object) -> SerialDriver:
    settings: dict[str, object] = {
        "port": str(sim.path),
        "serial": "SIM-1",
        "timezone": ZONE,
        "preset": sim.preset.name.value,
        "reconnect_delay_s": 0.05,
        "live_reconnects": 200,
        "read_timeout_s": 0.05,
    }
    settings.update(overrides)
    return SerialDriver(SerialConfig.model_validate(settings))


class Consumer:
    """Takes live punches on a thread, as the gateway worker does (optionally acknowledging)."""

    def __init__(self, driver: SerialDriver, *, ack: bool = True) -> None:
        self.driver = driver
        self.ack = ack
        self.punches: list[Punch] = []
        self.rejects: list[RejectedRecord] = []
        self.error: BaseException | None = None
        self.stop = threading.Event()
        driver.on_reject(self.rejects.append)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            for p in self.driver.live_punches(self.stop):
                self.punches.append(p)
                if self.ack:
                    self.driver.acknowledge([p])
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            self.error = exc

    def __enter__(self) -> Consumer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._thread.join(5)
        self.driver.close()


@pytest.fixture
def sim() -> Iterator[SerialSimulator]:
    with SerialSimulator(records=5, rate=50, resend_s=0.2, timezone=ZONE, start=START) as s:
        yield s


def test_every_line_is_one_punch_acked_after_it_is_stored(sim: SerialSimulator) -> None:
    with Consumer(make_driver(sim)) as c:
        wait_until(lambda: sim.done)
    assert c.error is None
    assert len(c.punches) == 5 and len({p.id for p in c.punches}) == 5
    assert sorted(sim.stats.acked_seqs) == [1, 2, 3, 4, 5]
    first = min(c.punches, key=lambda p: p.local)  # a line sent before the port opened comes later
    assert first.device_sn == "SIM-1" and first.source == "serial"
    assert first.local.isoformat() == "2026-03-02T08:00:00+08:00"  # the terminal's wall time
    assert first.raw.startswith("EV,1,1,2026-03-02T08:00:00,")


def test_nothing_is_acked_before_acknowledge_and_resends_are_one_punch(
    sim: SerialSimulator,
) -> None:
    driver = make_driver(sim)
    with Consumer(driver, ack=False) as c:
        wait_until(lambda: len(c.punches) == 5 and sim.stats.resent >= 10)
        assert sim.unacked == [1, 2, 3, 4, 5]  # not stored: never acknowledged
        assert len(c.punches) == 5  # each line came several times, delivered once
        driver.acknowledge(sorted(c.punches, key=lambda p: p.local)[:2])
        wait_until(lambda: sim.unacked == [3, 4, 5])
    assert c.error is None


def test_a_resend_after_a_lost_ack_is_acked_again_not_delivered_again() -> None:
    with SerialSimulator(records=1, rate=50, resend_s=0.2, timezone=ZONE, start=START) as sim:
        driver = make_driver(sim)
        with Consumer(driver, ack=False) as c:
            wait_until(lambda: len(c.punches) == 1)
            sim.drop_next_ack = True  # the ack is lost on the line
            driver.acknowledge(c.punches)
            wait_until(lambda: sim.done)
        assert len(c.punches) == 1 and sim.stats.resent >= 1


def test_faults_are_rejected_by_kind_and_never_stop_later_lines() -> None:
    with SerialSimulator(
        records=30,
        rate=100,
        resend_s=0.2,
        garbage=0.5,
        partial=0.3,
        corrupt=0.3,
        bad_time=0.2,
        seed=3,
        timezone=ZONE,
        start=START,
    ) as sim:
        with Consumer(make_driver(sim)) as c:
            wait_until(lambda: sim.done, timeout=20)
    assert c.error is None
    assert len(c.punches) == 30 and len({p.id for p in c.punches}) == 30
    kinds = Counter(r.kind for r in c.rejects)
    assert kinds[RejectKind.GARBAGE] and kinds[RejectKind.CHECKSUM] and kinds[RejectKind.BAD_TIME]
    assert all(r.raw for r in c.rejects)


def test_a_vanished_port_is_reopened_and_said_once_per_loss(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="drivers.serial.driver")
    with SerialSimulator(
        records=6,
        rate=10,  # slow enough for the driver to be on each pty before it vanishes
        resend_s=0.2,
        vanish_after=3,
        vanish_for_s=0.5,
        timezone=ZONE,
        start=START,
    ) as sim:
        with Consumer(make_driver(sim)) as c:
            wait_until(lambda: sim.done, timeout=20)
    assert c.error is None
    assert len({p.id for p in c.punches}) == 6 == len(c.punches)
    said = [r.getMessage() for r in caplog.records]
    lost = [m for m in said if m.startswith("serial port unavailable")]
    back = [m for m in said if m.startswith("serial port recovered")]
    # once per outage the driver saw (under load it may sleep through a short second one)
    assert sim.stats.vanished == 2
    assert 1 <= len(lost) == len(back) <= 2


def test_a_port_that_stays_away_raises_for_the_gateway_backoff() -> None:
    with SerialSimulator(records=3, rate=50, vanish_after=1, vanish_for_s=60, timezone=ZONE) as sim:
        driver = make_driver(sim, live_reconnects=2)
        with Consumer(driver) as c:
            wait_until(lambda: c.error is not None)
    assert isinstance(c.error, DeviceUnreachable)


def test_pull_reads_a_window_and_acks_on_acknowledge(sim: SerialSimulator) -> None:
    driver = make_driver(sim, read_window_s=0.5)
    with driver:
        result = driver.read_punches()
        assert len(result.punches) == 5 and sim.unacked == [1, 2, 3, 4, 5]
        driver.acknowledge(result.punches)
        wait_until(lambda: sim.done)


def test_an_ack_the_vanished_port_could_not_take_is_sent_for_the_resend(
    sim: SerialSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Storing happened, the port died before the ack: no error, no second punch; the
    terminal resends and that resend is acknowledged."""
    driver = make_driver(sim, read_window_s=0.5)
    with driver:
        first = driver.read_punches().punches
        assert len(first) == 5

        def vanished(data: bytes) -> None:
            raise DeviceUnreachable(str(sim.path), None, "write failed: [Errno 5] I/O error")

        with monkeypatch.context() as m:
            m.setattr(driver.port, "write", vanished)
            driver.acknowledge(first)  # must not raise: the records wait on the terminal
        assert sim.unacked == [1, 2, 3, 4, 5]
        again = driver.read_punches().punches  # the resends, known as stored
        assert again == []
        wait_until(lambda: sim.done)


def test_stx_lrc_terminal_with_a_bare_ack_byte() -> None:
    with SerialSimulator(
        preset=PresetName.STX_LRC, records=4, rate=50, resend_s=0.2, timezone=ZONE, start=START
    ) as sim:
        with Consumer(make_driver(sim)) as c:
            wait_until(lambda: sim.done)
    assert len({p.id for p in c.punches}) == 4


def test_lines_of_another_terminal_on_the_bus_are_left_alone(sim: SerialSimulator) -> None:
    with Consumer(make_driver(sim, device_id="2")) as c:
        wait_until(lambda: len(c.rejects) >= 5)
    assert c.punches == []
    assert {r.kind for r in c.rejects} == {RejectKind.OTHER_DEVICE}
    assert sim.stats.acked == 0


def test_missing_port_is_unreachable() -> None:
    driver = SerialDriver(SerialConfig(port="/nonexistent/ttyUSB9", serial="X", timezone=ZONE))
    with pytest.raises(DeviceUnreachable, match="ttyUSB9"):
        driver.info()


def test_rs485_on_a_port_without_it_says_what_to_do(sim: SerialSimulator) -> None:
    driver = make_driver(sim, rs485={"rts_level_for_tx": True})
    with pytest.raises(DriverConfigError, match="RS-485"):
        driver.info()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"pattern": r"(?P<user>\d+)"}, "time"),
        ({"time_format": "%H"}, "date"),
        ({"timezone": "Mars/Olympus"}, "IANA"),
        ({"parity": "sometimes"}, "parity"),
    ],
)
def test_bad_settings_are_refused(override: dict[str, object], message: str) -> None:
    settings = {"port": "/dev/null", "serial": "X", "timezone": ZONE, **override}
    with pytest.raises(ValueError, match=message):
        SerialConfig.model_validate(settings)


def test_state_map_from_yaml_takes_integer_keys() -> None:
    import yaml

    settings = yaml.safe_load(
        "port: /dev/null\nserial: X\ntimezone: UTC\nstate_map: {0: in, 7: overtime_out}\n"
    )
    cfg = SerialConfig.model_validate(settings)
    assert cfg.state_map == {"0": PunchState.IN, "7": PunchState.OVERTIME_OUT}
