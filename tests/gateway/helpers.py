"""Small builders shared by the gateway tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from drivers.punch import Punch, PunchState
from drivers.zkteco.simulator import ZKSimulator
from gateway.punches.mapping import to_wire
from gateway.punches.wire import PunchWire
from gateway.testing.config_files import write_config_dir

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=SHANGHAI)


def make_punch(sn: str, user: str, minute: int) -> Punch:
    return Punch(sn, user, T0 + timedelta(minutes=minute), state=PunchState.IN, source="test")


def make_wire(sn: str, user: str, minute: int) -> PunchWire:
    return to_wire(
        make_punch(sn, user, minute),
        timezone="Asia/Shanghai",
        received_at=datetime(2025, 3, 3, 2, 0, tzinfo=UTC),
        clock_offset_s=0.0,
        clock_suspect=False,
    )


def write_site_config(
    config_dir: Path,
    devices: list[dict[str, object]],
    *,
    site: str = "WH1",
    gateway: dict[str, object] | None = None,
) -> None:
    """A config folder with these devices, site ``site`` (Asia/Shanghai) and gateway.yaml."""
    write_config_dir(config_dir, devices, site=site, gateway=gateway)


def zk_device(sim: ZKSimulator, **extra: object) -> dict[str, object]:
    return {
        "serial": sim.serial,
        "driver": "zkteco",
        "poll_interval_s": 0.3,
        "settings": {"host": "127.0.0.1", "port": sim.port, "timeout": 2.0},
        **extra,
    }
