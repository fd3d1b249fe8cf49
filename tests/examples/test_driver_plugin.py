"""The example plug-in under examples/textclock, installed the way a third party's would be
(``pip install``, here into a temporary folder put on ``sys.path``) and loaded only through the
``shiftgate.drivers`` entry point: the registry, devices.yaml and the CLI all find it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drivers.registry import discover, load_driver
from gateway.cli.main import app
from gateway.config.site import load_devices
from gateway.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "textclock"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The example installed by pip (no index, no network, no dependencies: shiftgate and
    pydantic are here already) into a folder that is then put on ``sys.path``."""
    target = tmp_path_factory.mktemp("plugin-site")
    build = tmp_path_factory.mktemp("plugin-src") / "textclock"
    shutil.copytree(EXAMPLE, build)  # a copy, so the build leaves nothing in the source tree
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "--target",
            str(target),
            str(build),
        ],
        check=True,
        timeout=240,
        capture_output=True,
    )
    assert list(target.glob("shiftgate_textclock-*.dist-info/entry_points.txt"))
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(target))
        yield target
    for name in [m for m in sys.modules if m.startswith("shiftgate_textclock")]:
        del sys.modules[name]


def test_the_registry_loads_the_plugin_through_its_entry_point(installed: Path) -> None:
    entries = {e.name: e for e in discover()}
    assert "textclock" in entries
    entry = entries["textclock"]
    assert not entry.broken, entry.error
    assert entry.target == "shiftgate_textclock.driver:TextClockDriver"
    driver = load_driver("textclock")
    assert driver.family == "textclock"
    assert Path(sys.modules[driver.__module__].__file__ or "").is_relative_to(installed)


def _devices_yaml(tmp_path: Path, settings: str) -> Path:
    path = tmp_path / "devices.yaml"
    path.write_text(
        "devices:\n"
        "  - serial: TC-42\n"
        "    driver: textclock\n"
        "    timezone: Europe/Berlin\n"
        f"    settings: {settings}\n",
        encoding="utf-8",
    )
    return path


def test_devices_yaml_configures_it_and_it_reads_its_simulator(
    installed: Path, tmp_path: Path
) -> None:
    from shiftgate_textclock.simulator import TextClockSimulator

    with TextClockSimulator("TC-42") as sim:
        sim.punch("7", datetime(2026, 7, 1, 9, 0))  # noqa: DTZ001 - device wall time
        path = _devices_yaml(tmp_path, f"{{host: 127.0.0.1, port: {sim.port}}}")
        (device,) = load_devices(path, site_timezone="Asia/Shanghai")
        # serial and timezone are handed down from the device entry to the driver's schema
        assert device.settings.model_dump()["serial"] == "TC-42"
        assert device.settings.model_dump()["timezone"] == "Europe/Berlin"
        with device.make_driver() as driver:
            (punch,) = driver.read_punches().punches
    assert punch.device_sn == "TC-42"
    assert punch.at == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)  # 09:00 CEST


def test_its_config_schema_checks_devices_yaml(installed: Path, tmp_path: Path) -> None:
    path = _devices_yaml(tmp_path, "{host: 127.0.0.1, port: 99999}")
    with pytest.raises(ConfigError) as raised:
        load_devices(path, site_timezone="Asia/Shanghai")
    assert "devices[0].settings.port" in str(raised.value)


def test_drivers_list_shows_it(installed: Path) -> None:
    result = CliRunner().invoke(app, ["drivers", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "textclock" in result.output
    assert "example plug-in" in result.output


def test_the_plugins_own_tests_pass(installed: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(installed)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLE / "tests")],
        cwd=EXAMPLE,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 passed" in done.stdout
