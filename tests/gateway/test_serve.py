"""Acceptance: `shiftgate serve` as a real process ingests from ZK simulators and exposes the
metrics; `shiftgate doctor` names a stopped simulator as the failing hop."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from drivers.punch import punch_id
from drivers.zkteco.simulator import ZKSimulator
from gateway.cli.main import app
from gateway.testing.waiting import wait_until
from hrcore.db import make_engine, make_session_factory
from hrcore.models import PunchRecord
from tests.gateway.helpers import write_site_config, zk_device

TZ = "Asia/Shanghai"
API_TOKEN = "serve-test-token"
EXAMPLE_CONFIG = Path(__file__).resolve().parents[2] / "config"
USB_EXPORT = "CKJX194960123"  # the example devices.yaml's enabled files-driver clock


def example_config_with(config_dir: Path, devices: list[dict[str, object]]) -> None:
    """The shipped example config (site, devices, gateway.yaml) plus these devices."""
    config_dir.mkdir(parents=True)
    for name in ("site.yaml", "gateway.yaml"):
        shutil.copy(EXAMPLE_CONFIG / name, config_dir / name)
    listed = yaml.safe_load((EXAMPLE_CONFIG / "devices.yaml").read_text(encoding="utf-8"))
    listed["devices"].extend(devices)
    (config_dir / "devices.yaml").write_text(yaml.safe_dump(listed), encoding="utf-8")


@pytest.fixture
def sims() -> Iterator[list[ZKSimulator]]:
    started = [ZKSimulator(users=8, records=40, seed=seed, timezone=TZ) for seed in (11, 12)]
    for s in started:
        s.start()
    yield started
    for s in started:
        s.stop()


def shiftgate_env(tmp_path: Path, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "SHIFTGATE_DATABASE_URL": database_url,
        "SHIFTGATE_VAR_DIR": str(tmp_path / "var"),
        "SHIFTGATE_CONFIG_DIR": str(tmp_path / "config"),
        "SHIFTGATE_LOG_JSON": "true",
        # /metrics needs a token; a gateway's (centre.token) will do
        "SHIFTGATE_API_TOKEN": API_TOKEN,
    }


@pytest.mark.timeout(120)
def test_serve_ingests_from_simulators_and_exports_metrics(
    sims: list[ZKSimulator], tmp_path: Path, sqlite_url: str
) -> None:
    example_config_with(tmp_path / "config", [zk_device(s) for s in sims])
    port_file = tmp_path / "port"
    stderr = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gateway.cli.main",
            "serve",
            "--port",
            "0",
            "--port-file",
            str(port_file),
        ],
        env=shiftgate_env(tmp_path, sqlite_url),
        stdout=stderr,
        stderr=stderr,
        cwd=tmp_path,
    )
    factory = make_session_factory(make_engine(sqlite_url))
    try:
        wait_until(lambda: port_file.exists() or proc.poll() is not None, timeout=60)
        assert proc.poll() is None, (tmp_path / "serve.log").read_text()
        base = f"http://127.0.0.1:{port_file.read_text()}"
        # the port file means "ready": a request right away is answered, not refused
        assert httpx.get(f"{base}/api/v1/health", timeout=30).status_code in (200, 503)
        live = sims[0].punch_now(sims[0].users()[0].user_id)
        expected = {punch_id(s.serial, r.user_id, r.time) for s in sims for r in s.attendance()}
        assert punch_id(sims[0].serial, live.user_id, live.time) in expected

        def stored() -> set[object]:
            with factory() as session:
                return set(session.scalars(select(PunchRecord.id)))

        wait_until(lambda: stored() == expected, timeout=60, interval=0.2)
        want = {**{s.serial: "up" for s in sims}, USB_EXPORT: "down"}
        with httpx.Client(base_url=base, timeout=10) as client:

            def healths() -> dict[str, str]:
                body = client.get("/api/v1/health").json()
                return {d["serial"]: d["health"] for d in body["devices"]}

            wait_until(lambda: healths() == want, timeout=30, interval=0.2)
            body = client.get("/api/v1/health").json()
            assert body["status"] == "ok"
            assert body["uploader"]["state"] == "running"
            assert body["uploader"]["last_success"] is not None
            metrics = client.get("/metrics", headers={"Authorization": f"Bearer {API_TOKEN}"}).text
        for s in sims:
            dev = f'device="{s.serial}"'
            assert f"shiftgate_device_last_success_timestamp_seconds{{{dev}}}" in metrics
            assert f'shiftgate_device_read_errors_total{{{dev},kind="unreachable"}} 0.0' in metrics
            assert f"shiftgate_device_clock_offset_seconds{{{dev}}}" in metrics
        # the example's USB-export clock has no file yet: it is counted down, the rest flows
        assert f'shiftgate_device_up{{device="{USB_EXPORT}"}} 0.0' in metrics
        usb_errors = (
            f'shiftgate_device_read_errors_total{{device="{USB_EXPORT}",kind="unreachable"}}'
        )
        assert f"{usb_errors} 0.0" not in metrics and usb_errors in metrics
        assert "shiftgate_outbox_depth 0.0" in metrics
        assert "shiftgate_upload_lag_seconds 0.0" in metrics
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        stderr.close()
    assert proc.returncode == 0
    lines = [
        json.loads(line)
        for line in (tmp_path / "serve.log").read_text().splitlines()
        if line.startswith("{")
    ]
    assert any("shiftgate serving" in entry["msg"] for entry in lines)
    assert any("device connected" in e["msg"] and sims[1].serial in e["msg"] for e in lines)
    assert any("gateway stopped depth=0" in e["msg"] for e in lines)


def test_doctor_names_the_stopped_simulator(
    sims: list[ZKSimulator], tmp_path: Path, sqlite_url: str
) -> None:
    write_site_config(tmp_path / "config", [zk_device(s) for s in sims])
    stopped = sims[1]
    stopped.stop()
    env = shiftgate_env(tmp_path, sqlite_url)
    result = CliRunner().invoke(app, ["doctor"], env=env)
    assert result.exit_code == 1, result.output
    assert f"FAILING HOP: device {stopped.serial}" in result.output
    assert f"device {sims[0].serial}" not in result.output.split("FAILING HOP")[1]
    assert "127.0.0.1:" in result.output


def test_doctor_all_green(sims: list[ZKSimulator], tmp_path: Path, sqlite_url: str) -> None:
    write_site_config(tmp_path / "config", [zk_device(s) for s in sims])
    result = CliRunner().invoke(app, ["doctor"], env=shiftgate_env(tmp_path, sqlite_url))
    assert result.exit_code == 0, result.output
    assert "all hops ok" in result.output
