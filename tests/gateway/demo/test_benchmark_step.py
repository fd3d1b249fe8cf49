"""The demo's benchmark step: Curtois-Qu Instance3 solved and proven optimal."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from gateway.demo import STEPS, benchmark_step
from gateway.demo.runner import DemoContext


def test_benchmark_step_prints_a_proven_optimum(tmp_path: Path) -> None:
    console = Console(record=True, width=160)
    ctx = DemoContext(console, tmp_path, f"sqlite:///{tmp_path / 'x.db'}")
    benchmark_step.run_benchmark(ctx)
    text = console.export_text()
    assert "Curtois-Qu Instance3: 14 days, 20 staff" in text
    assert "status optimal, objective 1001 (best known 1001), lower bound 1001" in text
    assert benchmark_step.STEP in STEPS


def test_benchmark_step_says_what_to_do_without_the_instance(tmp_path: Path) -> None:
    ctx = DemoContext(Console(record=True), tmp_path, "sqlite://")
    with pytest.raises(FileNotFoundError, match="shiftgate checkout"):
        benchmark_step.run_benchmark(ctx, tmp_path / "Instance3.txt")
