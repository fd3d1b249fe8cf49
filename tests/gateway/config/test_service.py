from __future__ import annotations

from datetime import time
from ipaddress import IPv4Network
from pathlib import Path

import pytest

from gateway.config.service import load_devices, load_gateway_config, load_service_config
from gateway.errors import ConfigError
from gateway.testing.config_files import write_config_dir


def zk(serial: str, **extra: object) -> dict[str, object]:
    return {"serial": serial, "driver": "zkteco", "settings": {"host": "10.0.0.5"}, **extra}


def test_devices_come_from_the_site_with_gateway_keys(tmp_path: Path) -> None:
    write_config_dir(
        tmp_path,
        [
            zk("A"),
            zk(
                "B",
                timezone="Europe/Berlin",
                live=False,
                site="WH1",
                rediscover_subnet="10.0.0.0/24",
            ),
            zk("C", enabled=False),
        ],
    )
    cfg = load_service_config(tmp_path)
    assert cfg.site == "WH1"
    a, b = cfg.devices
    assert (a.serial, a.site, a.timezone, a.live) == ("A", "WH1", "Asia/Shanghai", True)
    assert (b.timezone, b.live, b.rediscover_subnet) == (
        "Europe/Berlin",
        False,
        IPv4Network("10.0.0.0/24"),
    )
    assert b.settings["host"] == "10.0.0.5" and b.address == "10.0.0.5:4370"
    assert load_service_config(tmp_path, site="OTHER").devices == ()
    assert [d.serial for d in load_devices(tmp_path)] == ["A", "B"]


def test_device_of_another_site_is_refused(tmp_path: Path) -> None:
    write_config_dir(tmp_path, [zk("A", site="WH9")])
    with pytest.raises(ConfigError, match=r"devices\[0\]\.site: 'WH9' is not this site"):
        load_service_config(tmp_path)


def test_gateway_yaml_defaults_and_typos(tmp_path: Path) -> None:
    assert load_gateway_config(tmp_path).centre.url is None
    (tmp_path / "gateway.yaml").write_text("centre:\n  ulr: http://x\n")
    with pytest.raises(ConfigError, match=r"gateway\.yaml: centre\.ulr: unknown key"):
        load_gateway_config(tmp_path)
    (tmp_path / "gateway.yaml").write_text("clock:\n  alert_threshold_s: soon\n")
    with pytest.raises(ConfigError, match=r"clock\.alert_threshold_s"):
        load_gateway_config(tmp_path)


def test_shift_starts_default_to_the_site_shift_types(tmp_path: Path) -> None:
    write_config_dir(tmp_path, [zk("A")])
    site = tmp_path / "site.yaml"
    site.write_text(
        site.read_text()
        + (
            "shift_types:\n"
            "  - {code: D, start: '08:00', end: '17:00'}\n"
            "  - {code: N, start: '22:00', end: '06:00'}\n"
        )
    )
    assert load_service_config(tmp_path).gateway.clock.shift_starts == (time(8), time(22))


def test_example_gateway_yaml_is_valid() -> None:
    example = Path(__file__).resolve().parents[3] / "config"
    cfg = load_gateway_config(example)
    assert cfg.clock.auto_correct is False and cfg.centre.url is None
