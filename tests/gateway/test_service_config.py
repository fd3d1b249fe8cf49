from __future__ import annotations

from pathlib import Path

import pytest

from gateway.service_config import ConfigError, load_devices, load_gateway_config


def test_bad_value_names_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "devices.yaml").write_text(
        "devices:\n  - serial: SN1\n    driver: zkteco\n    timezone: Mars/Base\n"
    )
    with pytest.raises(ConfigError, match=r"devices\.yaml: key devices\.0\.timezone: .*Mars"):
        load_devices(tmp_path)


def test_duplicate_serial_is_refused(tmp_path: Path) -> None:
    dev = "  - {serial: SN1, driver: zkteco, timezone: Asia/Shanghai}\n"
    (tmp_path / "devices.yaml").write_text("devices:\n" + dev + dev)
    with pytest.raises(ConfigError, match="listed twice"):
        load_devices(tmp_path)


def test_gateway_yaml_defaults_and_typos(tmp_path: Path) -> None:
    assert load_gateway_config(tmp_path).centre.url is None
    (tmp_path / "gateway.yaml").write_text("centre:\n  ulr: http://x\n")
    with pytest.raises(ConfigError, match=r"gateway\.yaml: key centre\.ulr"):
        load_gateway_config(tmp_path)
    (tmp_path / "gateway.yaml").write_text("clock: [1, 2\n")
    with pytest.raises(ConfigError, match="cannot read YAML"):
        load_gateway_config(tmp_path)


def test_site_filter(tmp_path: Path) -> None:
    (tmp_path / "devices.yaml").write_text(
        "devices:\n"
        "  - {serial: A, driver: zkteco, timezone: Asia/Shanghai, site: WH1}\n"
        "  - {serial: B, driver: zkteco, timezone: Asia/Shanghai, site: WH2}\n"
        "  - {serial: C, driver: zkteco, timezone: Asia/Shanghai, site: WH1, enabled: false}\n"
    )
    assert [d.serial for d in load_devices(tmp_path, site="WH1")] == ["A"]
    assert [d.serial for d in load_devices(tmp_path)] == ["A", "B"]
