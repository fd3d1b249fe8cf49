"""`shiftgate devices pull|info` against the ZKTeco simulator."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from drivers.zkteco.simulator import ZKSimulator
from gateway.cli.main import app

runner = CliRunner()


def flat(text: str) -> str:
    """Output with rich's line wrapping undone."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def sim() -> Iterator[ZKSimulator]:
    with ZKSimulator(users=8, records=400, seed=4, comm_key=55, timezone="Asia/Tokyo") as s:
        yield s


def device_args(sim: ZKSimulator, *extra: str) -> list[str]:
    return [
        "--driver",
        "zkteco",
        "--host",
        "127.0.0.1",
        "--port",
        str(sim.port),
        "--commkey",
        "55",
        "--tz",
        "Asia/Tokyo",
        *extra,
    ]


def test_pull_writes_every_punch_to_csv(sim: ZKSimulator, tmp_path: Path) -> None:
    out = tmp_path / "punches.csv"
    result = runner.invoke(app, ["devices", "pull", *device_args(sim, "--out", str(out))])
    assert result.exit_code == 0, result.output
    assert "wrote 400 punches" in result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    truth = sim.attendance()
    assert len(rows) == len(truth)
    first = rows[0]
    assert set(first) >= {"device_serial", "device_user_id", "timestamp", "state", "verify_mode"}
    assert first["device_serial"] == sim.serial
    assert [(r["device_user_id"], r["timestamp"]) for r in rows] == [
        (t.user_id, t.time.replace(tzinfo=ZoneInfo("Asia/Tokyo")).isoformat()) for t in truth
    ]
    assert first["timestamp"].endswith("+09:00")
    assert datetime.fromisoformat(first["utc"]) == datetime.fromisoformat(first["timestamp"])


def test_pull_with_a_cursor_file_reads_only_new_punches(sim: ZKSimulator, tmp_path: Path) -> None:
    cursor = tmp_path / "cursor.json"
    out = tmp_path / "a.csv"
    first = runner.invoke(
        app, ["devices", "pull", *device_args(sim, "--out", str(out), "--cursor-file", str(cursor))]
    )
    assert first.exit_code == 0, first.output
    new = sim.punch_now("3", state=1)
    second = runner.invoke(
        app, ["devices", "pull", *device_args(sim, "--out", str(out), "--cursor-file", str(cursor))]
    )
    assert second.exit_code == 0, second.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["device_user_id"], r["state"]) for r in rows] == [(new.user_id, "out")]
    third = runner.invoke(app, ["devices", "pull", *device_args(sim, "--cursor-file", str(cursor))])
    assert third.exit_code == 0, third.output
    assert "no new punches" in third.output


def test_pull_prints_a_table(sim: ZKSimulator) -> None:
    result = runner.invoke(app, ["devices", "pull", *device_args(sim, "--limit", "3")])
    assert result.exit_code == 0, result.output
    last = sim.attendance()[-1]
    assert f"punches from {sim.serial}" in result.output
    assert last.time.strftime("%Y-%m-%dT%H:%M:%S+09:00") in result.output
    assert "last 3 of" in result.output


def test_info(sim: ZKSimulator) -> None:
    result = runner.invoke(app, ["devices", "info", *device_args(sim)])
    assert result.exit_code == 0, result.output
    for text in (sim.serial, sim.firmware, sim.platform, "+09:00"):
        assert text in result.output


def test_wrong_comm_key_is_a_clear_error(sim: ZKSimulator) -> None:
    args = ["devices", "info", "--host", "127.0.0.1", "--port", str(sim.port), "--commkey", "56"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "rejected the comm key" in flat(result.output)


def test_bad_zone_and_unknown_driver(sim: ZKSimulator) -> None:
    bad_tz = runner.invoke(app, ["devices", "pull", "--host", "127.0.0.1", "--tz", "Nowhere/Land"])
    assert bad_tz.exit_code == 2
    assert "unknown IANA time zone" in flat(bad_tz.output)
    bad_driver = runner.invoke(app, ["devices", "info", "--driver", "nope", "--host", "x"])
    assert bad_driver.exit_code == 2
    assert "unknown driver 'nope'" in flat(bad_driver.output)
