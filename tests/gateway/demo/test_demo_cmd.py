"""`shiftgate demo` around its steps: the summary with the exports, --no-serve, Ctrl-C.
(The whole demo, served and stopped, runs once in tests/docs/test_documented_commands.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import demo_cmd
from gateway.cli.main import app
from gateway.demo import DemoContext, DemoStep, seed_import


def _interrupt(ctx: DemoContext) -> None:
    raise KeyboardInterrupt


def _export(ctx: DemoContext) -> None:
    out = ctx.workdir / "exports"
    out.mkdir()
    for name in ("hours.csv", "hours.xlsx"):
        (out / name).write_text("x", encoding="utf-8")
    ctx.console.print("exported")


def test_no_serve_exits_after_the_summary_of_stages_and_exports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = (seed_import.STEP, DemoStep("Exports", _export))
    monkeypatch.setattr(demo_cmd, "STEPS", steps)
    env = {"SHIFTGATE_VAR_DIR": str(tmp_path), "COLUMNS": "80"}
    result = CliRunner().invoke(app, ["demo", "--no-serve"], env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line) <= 80 for line in lines)
    unwrapped = result.output.replace("\n", "")  # long tmp paths fold at 80 columns
    assert "2. Exports" in result.output
    assert f"HR store: {tmp_path / 'demo' / 'shiftgate.db'}log: {tmp_path}/demo.log" in unwrapped
    assert unwrapped.endswith("demo.log")
    assert f"exports (2 files) in {tmp_path / 'demo' / 'exports'}/:" in unwrapped
    assert "  hours.csv hours.xlsx" in lines
    assert any(line.startswith("Summary: 2 stages in") for line in lines)
    assert "web UI" not in result.output  # nothing served
    assert (tmp_path / "demo.log").read_text(encoding="utf-8")  # the log went to its file


def test_ctrl_c_in_a_stage_stops_the_demo_with_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []
    steps = (DemoStep("Stops", _interrupt), DemoStep("Never", lambda _ctx: ran.append("x")))
    monkeypatch.setattr(demo_cmd, "STEPS", steps)
    result = CliRunner().invoke(app, ["demo"], env={"SHIFTGATE_VAR_DIR": str(tmp_path)})
    assert result.exit_code == 130
    assert "interrupted;" in result.output
    assert "Summary" not in result.output
    assert ran == []
