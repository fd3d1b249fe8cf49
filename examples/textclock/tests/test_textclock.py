"""The plug-in's own tests: codec round trip, and the driver against its simulator."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from shiftgate_textclock.codec import Record, encode_record, parse_record
from shiftgate_textclock.driver import TextClockDriver
from shiftgate_textclock.simulator import TextClockSimulator

from drivers.errors import DeviceUnreachable, ProtocolViolation
from drivers.punch import PunchState


@pytest.fixture
def sim() -> Iterator[TextClockSimulator]:
    with TextClockSimulator("TC-42") as s:
        yield s


def driver_for(port: int, timezone: str = "Asia/Shanghai") -> TextClockDriver:
    return TextClockDriver.from_settings(
        {"host": "127.0.0.1", "port": port, "serial": "TC-42", "timezone": timezone}
    )


def test_a_record_survives_the_wire() -> None:
    record = Record(7, "1001", datetime(2026, 3, 2, 8, 1, 5), PunchState.BREAK_OUT)  # noqa: DTZ001
    line = encode_record(record).decode("ascii").rstrip("\n")
    assert parse_record(line) == record


def test_a_malformed_record_is_a_protocol_violation() -> None:
    with pytest.raises(ProtocolViolation, match="bad record"):
        parse_record("REC 1 1001 2026-13-01T08:00:00 I")


def test_reads_punches_in_the_device_zone_after_the_cursor(sim: TextClockSimulator) -> None:
    sim.punch("1001", datetime(2026, 3, 2, 8, 0, 0))  # noqa: DTZ001 - device wall time
    sim.punch("1002", datetime(2026, 3, 2, 17, 30, 0), PunchState.OUT)  # noqa: DTZ001
    driver = driver_for(sim.port)
    first = driver.read_punches()
    assert [p.device_user for p in first.punches] == ["1001", "1002"]
    assert first.punches[0].at == datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    assert first.punches[1].state is PunchState.OUT
    assert first.cursor == "2"
    sim.punch("1001", datetime(2026, 3, 3, 8, 0, 0))  # noqa: DTZ001
    again = driver.read_punches(first.cursor)
    assert [p.local.day for p in again.punches] == [3]
    assert driver.info().record_count == 3


def test_a_closed_port_is_unreachable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DeviceUnreachable, match=f"127.0.0.1:{port}"):
        driver_for(port).read_punches()
