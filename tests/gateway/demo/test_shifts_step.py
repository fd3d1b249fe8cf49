"""The demo's demand-curve step: a plan from the demo forecast, charted within 80 columns."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from gateway.demo.runner import DemoContext
from gateway.demo.shifts_step import STEP


def test_the_step_plans_the_forecast_and_charts_it_in_80_columns(tmp_path: Path) -> None:
    console = Console(record=True, width=80)
    STEP.run(DemoContext(console, tmp_path, f"sqlite:///{tmp_path / 'x.db'}"))
    text = console.export_text()
    lines = text.splitlines()
    assert max(map(len, lines)) <= 80
    assert "shifts (optimal)" in text
    chart = [ln for ln in lines if ln[:2].isdigit() and ln[2:3] == ":"]
    assert [ln[:5] for ln in chart] == [f"{h:02d}:00" for h in range(6, 23)]
    assert "shiftgate roster shifts --curve curve.csv --shapes shapes.yaml" in text
