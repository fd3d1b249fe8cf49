"""The payroll bench, short: a small site through `main` stores a traced run (no timing)."""

from __future__ import annotations

import json

import pytest

from bench.payroll_scale import main


def test_small_run_through_main(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--employees", "60"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["employees"] == 60
    assert out["cost_centres"] == 2  # some staff punch at the second site
    assert out["lines"] > 60 * 15
    assert out["run_seconds"] >= 0 and out["run_cpu_seconds"] >= 0
