"""Wall time -> aware time around daylight-saving changes, the same in every driver."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from drivers.files.driver import FileImportDriver
from drivers.localtime import attach_zone
from drivers.punch import Punch, punch_id
from drivers.zkteco.driver import ZKTecoConfig, ZKTecoDriver
from drivers.zkteco.simulator import ZKSimulator

BERLIN = ZoneInfo("Europe/Berlin")
#: the repeated autumn hour: 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET)
AMBIGUOUS = datetime(2025, 10, 26, 2, 30)  # noqa: DTZ001 - a wall time is naive
#: the skipped spring hour: clocks jump from 02:00 to 03:00, 02:30 never happens
NONEXISTENT = datetime(2025, 3, 30, 2, 30)  # noqa: DTZ001
#: wall time -> the UTC instant the rule gives (first occurrence; not-yet-switched offset)
EXPECTED = {
    AMBIGUOUS: datetime(2025, 10, 26, 0, 30, tzinfo=UTC),
    NONEXISTENT: datetime(2025, 3, 30, 1, 30, tzinfo=UTC),
}
WALLS = pytest.mark.parametrize("wall", [AMBIGUOUS, NONEXISTENT], ids=["ambiguous", "gap"])


@WALLS
def test_attach_zone_uses_the_offset_before_the_change(wall: datetime) -> None:
    local = attach_zone(wall, BERLIN)
    assert local.astimezone(UTC) == EXPECTED[wall]
    assert local.replace(tzinfo=None) == wall  # the wall time is kept as shown
    assert local.utcoffset() == (timedelta(hours=2) if wall is AMBIGUOUS else timedelta(hours=1))


def test_attach_zone_refuses_an_aware_time() -> None:
    with pytest.raises(ValueError, match="naive wall time"):
        attach_zone(datetime(2025, 3, 30, 2, 30, tzinfo=UTC), BERLIN)


def check(punches: list[Punch], wall: datetime) -> None:
    (p,) = [p for p in punches if p.local.replace(tzinfo=None) == wall]
    assert p.at == EXPECTED[wall]
    assert p.id == punch_id(p.device_sn, p.device_user, attach_zone(wall, BERLIN))


def file_driver(path: Path, **extra: object) -> FileImportDriver:
    settings = {"path": str(path), "serial": "SN1", "timezone": "Europe/Berlin", **extra}
    return FileImportDriver.from_settings(settings)


@WALLS
def test_attlog_file(tmp_path: Path, wall: datetime) -> None:
    path = tmp_path / "attlog.dat"
    path.write_text(f"42\t{wall:%Y-%m-%d %H:%M:%S}\t1\t0\t1\t0\n")
    check(file_driver(path).read_punches().punches, wall)


@WALLS
def test_csv_file(tmp_path: Path, wall: datetime) -> None:
    path = tmp_path / "export.csv"
    path.write_text(f"AC-No.,Time\n42,{wall:%Y-%m-%d %H:%M:%S}\n")
    mapping = {"user": "AC-No.", "timestamp": "Time", "timestamp_format": "%Y-%m-%d %H:%M:%S"}
    check(file_driver(path, format="csv", csv=mapping).read_punches().punches, wall)


@WALLS
def test_zkteco_device(wall: datetime) -> None:
    # a device clock showing ``wall``: for the gap, one that was not switched (1 h behind CEST)
    instant = EXPECTED[wall]
    shown = instant.astimezone(BERLIN).replace(tzinfo=None)
    with ZKSimulator(
        users=1,
        records=0,
        timezone="Europe/Berlin",
        clock=lambda: instant,
        clock_offset_s=(wall - shown).total_seconds(),
    ) as sim:
        record = sim.punch_now(sim.users()[0].user_id)
        assert record.time == wall
        driver = ZKTecoDriver(
            ZKTecoConfig(host="127.0.0.1", port=sim.port, timeout=5, timezone="Europe/Berlin")
        )
        check(driver.read_punches().punches, wall)
