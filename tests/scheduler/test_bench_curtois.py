"""The Curtois-Qu bench runs several seeds and summarises the spread of their gaps."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bench.roster_curtois import main

DATA = Path(__file__).resolve().parents[1] / "data" / "curtois-qu"


def test_several_seeds_give_one_row_each_and_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(DATA / "Instance1.txt", tmp_path / "Instance1.txt")
    (tmp_path / "bks.csv").write_text("instance,lower_bound,best_known\nInstance1,607,607\n")
    code = main(
        ["--instances", "1", "--time-limit", "10", "--seeds", "0,1", "--data", str(tmp_path)]
    )
    assert code == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    runs, summary = lines[:2], lines[2]
    assert [r["seed"] for r in runs] == [0, 1]
    assert all(r["hard_violations"] == 0 and r["objective"] >= 607 for r in runs)
    gaps = sorted(r["gap_pct"] for r in runs)
    assert summary["runs"] == summary["runs_with_roster"] == 2
    assert (summary["gap_pct_min"], summary["gap_pct_max"]) == (gaps[0], gaps[1])
    assert summary["gap_pct_median"] == round((gaps[0] + gaps[1]) / 2, 2)
    assert summary["hard_violations_max"] == 0
