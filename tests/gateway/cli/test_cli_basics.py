"""The console script: help, installed drivers, schema upgrade."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from gateway.cli.main import app
from hrcore.migrate import check, current, head

runner = CliRunner()


def test_help_lists_the_command_groups() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    for group in ("drivers", "db", "punches", "devices", "simulate", "roster", "attendance"):
        assert group in result.output


def test_drivers_list_shows_each_registered_family() -> None:
    result = runner.invoke(app, ["drivers", "list"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    [row] = [line for line in result.output.splitlines() if "FileImportDriver" in line]
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    assert cells[:3] == ["files", "drivers.files.driver:FileImportDriver", "yes"]  # pull
    assert cells[3:8] == ["", "", "", "", ""]  # push, live, clock, users, clear_log
    assert "attlog.dat" in cells[8]


def test_db_upgrade_migrates_the_configured_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {"SHIFTGATE_DATABASE_URL": url, "COLUMNS": "200"}
    before = runner.invoke(app, ["db", "current"], env=env)
    assert before.exit_code == 1
    assert "shiftgate db upgrade" in before.output

    result = runner.invoke(app, ["db", "upgrade"], env=env)
    assert result.exit_code == 0, result.output
    assert f"revision {head()}" in result.output
    assert current(url).up_to_date
    assert check(url) == []

    assert runner.invoke(app, ["db", "check"], env=env).exit_code == 0
    assert runner.invoke(app, ["db", "current"], env=env).exit_code == 0


def test_bad_environment_is_a_clear_error_not_a_traceback() -> None:
    result = runner.invoke(app, ["db", "current"], env={"SHIFTGATE_LOG_JSON": "maybe"})
    assert result.exit_code == 2
    assert "SHIFTGATE_LOG_JSON: Input should be a valid boolean" in result.output
    assert "Traceback" not in result.output
