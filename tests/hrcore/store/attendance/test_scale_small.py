"""The scale benchmark's short version: same generator and compute, 20 employees x 7 days."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bench.attendance_scale import build, measure


def test_small_synthetic_site_computes_every_employee_day(tmp_path: Path) -> None:
    built = build(
        f"sqlite:///{tmp_path / 'bench.db'}", employees=20, days=7, first=date(2025, 3, 3)
    )
    result = measure(built, late_punch=True)
    assert result["rows_written"] == 20 * 7
    assert result["punches"] == built.punches > 20 * 5 * 3
    assert result["incremental_days_rewritten"] == 0
    assert (result["one_punch_employees"], result["one_punch_days_rewritten"]) == (1, 1)
    statuses = result["statuses"]
    assert isinstance(statuses, dict)
    assert sum(statuses.values()) == 140
    assert statuses["rest_day"] == 20  # one day off in seven, staggered
    assert statuses["present"] > 50
