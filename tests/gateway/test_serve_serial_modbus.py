"""Acceptance (#25): `shiftgate serve` with a serial terminal on a pty and a Modbus terminal in
devices.yaml stores each of their punches once, and acknowledges them only once stored."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from drivers.modbus.simulator import ModbusSimulator
from drivers.punch import punch_id
from drivers.serial.simulator import SerialSimulator
from gateway.testing.serve_process import serve_process
from gateway.testing.waiting import wait_until
from hrcore.db import make_engine, make_session_factory
from hrcore.models import PunchRecord
from tests.gateway.test_serve import API_TOKEN, example_config_with, shiftgate_env

TZ = "Asia/Shanghai"
START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


@pytest.mark.timeout(120)
def test_serve_stores_serial_and_modbus_punches_once(tmp_path: Path, sqlite_url: str) -> None:
    serial_sim = SerialSimulator(
        records=8, rate=5, resend_s=0.5, garbage=0.5, corrupt=0.5, timezone=TZ, start=START
    )
    modbus_sim = ModbusSimulator(
        records=8,
        bad_records=1,
        timezone=TZ,
        start=START,
        seed=5,
        lose_pops=frozenset({3}),
        drop_on_reads=frozenset({4}),
    )
    with serial_sim, modbus_sim:
        devices: list[dict[str, object]] = [
            {
                "serial": "SER-1",
                "driver": "serial",
                "timezone": TZ,
                "live": True,
                "poll_interval_s": 0.3,
                "settings": {"port": str(serial_sim.path), "reconnect_delay_s": 0.1},
            },
            {
                "serial": "MB-1",
                "driver": "modbus",
                "timezone": TZ,
                "live": True,
                "poll_interval_s": 0.3,
                "settings": {
                    "host": "127.0.0.1",
                    "port": modbus_sim.port,
                    "timeout": 1.0,
                    "poll_s": 0.1,
                    "reconnect_delay_s": 0.1,
                },
            },
        ]
        example_config_with(tmp_path / "config", devices)
        factory = make_session_factory(make_engine(sqlite_url))

        def stored() -> set[object]:
            with factory() as session:
                return set(session.scalars(select(PunchRecord.id)))

        with serve_process(shiftgate_env(tmp_path, sqlite_url), tmp_path, timeout=60) as (
            base,
            proc,
        ):
            wait_until(lambda: serial_sim.done and modbus_sim.pending == 0, timeout=60)
            expected = {punch_id("SER-1", p.user, p.local) for p in serial_sim.stats.punches}
            expected |= {punch_id("MB-1", user, at) for user, at in modbus_sim.stats.punches}
            wait_until(lambda: stored() == expected, timeout=30, interval=0.2)
            with factory() as session:
                rows = session.scalar(select(func.count()).select_from(PunchRecord))
            assert rows == len(expected) == 16
            auth = {"Authorization": f"Bearer {API_TOKEN}"}
            metrics = httpx.get(f"{base}/metrics", headers=auth, timeout=10).text
    assert proc.returncode == 0
    assert serial_sim.stats.resent >= 1 and modbus_sim.stats.lost_pops == 1
    for dev in ("SER-1", "MB-1"):
        assert f'shiftgate_device_up{{device="{dev}"}} 1.0' in metrics
    rejected = "shiftgate_device_records_rejected_total"
    serial_rejects = [
        m for m in metrics.splitlines() if m.startswith(f'{rejected}{{device="SER-1"')
    ]
    assert serial_rejects and not any(m.endswith(" 0.0") for m in serial_rejects)
    assert f'{rejected}{{device="MB-1",kind="out_of_range"}} 1.0' in metrics
