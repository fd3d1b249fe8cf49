from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from drivers.base import Driver
from gateway.config.service import DeviceSpec
from gateway.doctor import HopState, run_checks
from gateway.settings import Settings
from gateway.testing.config_files import write_config_dir
from tests.gateway.devices.fake_device import FakeClockDevice, FakeConfig, FakeDriver


def write_config(folder: Path, centre: str | None) -> None:
    devices = [
        {
            "serial": sn,
            "driver": "zkteco",
            "name": f"Gate {sn}",
            "settings": {"host": "127.0.0.1", "port": 4370 + i},
        }
        for i, sn in enumerate(["SN1", "SN2"])
    ]
    write_config_dir(folder, devices, gateway={"centre": {"url": centre}})


def test_doctor_names_the_stopped_device(tmp_path: Path, store_url: str) -> None:
    write_config(tmp_path / "config", "http://centre")
    up = FakeClockDevice("SN1")

    def factory(spec: DeviceSpec, settings: Mapping[str, Any]) -> Driver:
        dev = up if spec.serial == "SN1" else FakeClockDevice("SN2", host="unplugged")
        return FakeDriver(dev, FakeConfig.model_validate(dict(settings)))

    healthy = httpx.MockTransport(lambda r: httpx.Response(200, json={"status": "ok"}))
    settings = Settings(
        config_dir=tmp_path / "config", var_dir=tmp_path / "var", database_url=store_url
    )
    results = {r.hop: r for r in run_checks(settings, factory=factory, transport=healthy)}
    assert [h for h, r in results.items() if r.failed] == ["device SN2"]
    assert "127.0.0.1:4371" in results["device SN2"].hint
    assert results["centre"].state == HopState.OK


def test_doctor_names_config_and_centre(tmp_path: Path, store_url: str) -> None:
    settings = Settings(
        config_dir=tmp_path / "none", var_dir=tmp_path / "var", database_url=store_url
    )
    failed = [r.hop for r in run_checks(settings) if r.failed]
    assert failed == ["config"]
    write_config(tmp_path / "config", "http://centre")
    down = httpx.MockTransport(lambda r: (_ for _ in ()).throw(httpx.ConnectError("refused")))
    settings = Settings(
        config_dir=tmp_path / "config",
        var_dir=tmp_path / "var",
        database_url=f"sqlite:///{tmp_path / 'empty.db'}",
    )

    def factory(spec: DeviceSpec, settings: Mapping[str, Any]) -> Driver:
        return FakeDriver(FakeClockDevice(spec.serial), FakeConfig.model_validate(dict(settings)))

    results = {r.hop: r for r in run_checks(settings, factory=factory, transport=down)}
    assert [h for h, r in results.items() if r.failed] == ["database", "centre"]
    assert "shiftgate db upgrade" in results["database"].hint
    assert "centre.url" in results["centre"].hint
