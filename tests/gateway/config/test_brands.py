"""The brand catalogue (config/brands.yaml): it loads, every default is a real setting of its
driver, the README's driver table names the same families, a family said to have a simulator
is run against it by the test suite, and `shiftgate drivers brands` prints it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli.main import app
from gateway.config.brands import BRANDS_FILE, load_brands
from gateway.errors import ConfigError

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = ROOT / "config" / BRANDS_FILE


def test_the_shipped_catalogue_loads_and_covers_the_new_families() -> None:
    entries, checks = load_brands(SHIPPED)
    families = {e.family for e in entries}
    assert {"zkteco", "files", "serial", "modbus"} <= families
    assert all(e.source.strip() for e in entries)
    by_family = {c.family: c.simulator for c in checks}
    assert by_family["serial"] == "drivers.serial.simulator"
    assert by_family["modbus"] == "drivers.modbus.simulator"
    assert by_family["files"] is None


def test_the_readme_driver_table_matches_the_catalogue() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Drivers", 1)[1].split("\n\n", 3)[2]
    in_readme = set(re.findall(r"^\| `([a-z0-9_]+)` \|", table, flags=re.M))
    entries, _ = load_brands(SHIPPED)
    assert in_readme == {e.family for e in entries}


def test_every_family_with_a_simulator_is_tested_against_it() -> None:
    _, checks = load_brands(SHIPPED)
    sources = [p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py")]
    for check in checks:
        if check.simulator is not None:
            assert any(f"from {check.simulator} import" in s for s in sources), check.family


def test_unknown_family_and_setting_are_named(tmp_path: Path) -> None:
    path = tmp_path / BRANDS_FILE
    path.write_text(
        "brands:\n"
        "  - {brand: A, models: m, family: nosuch, source: s}\n"
        "  - {brand: B, models: m, family: serial, defaults: {baud: 9600}, source: s}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_brands(path)
    text = str(err.value)
    assert "brands[0].family" in text and "nosuch" in text
    assert "brands[1].defaults" in text and "baud" in text


def test_drivers_brands_prints_the_catalogue() -> None:
    result = CliRunner().invoke(
        app, ["drivers", "brands", "--config-dir", str(ROOT / "config")], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    for word in ("ZKTeco", "Hikvision", "serial", "modbus", "drivers.serial.simulator"):
        assert word in result.output
    assert "sources:" in result.output
    assert max(len(line) for line in result.output.splitlines()[:40]) <= 80


def test_drivers_brands_without_a_catalogue_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["drivers", "brands", "--config-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "brands.yaml" in result.output
