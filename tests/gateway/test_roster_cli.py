"""`shiftgate roster solve --curtois FILE --out roster.csv` end to end."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from gateway.cli.main import app
from scheduler.curtois import load
from scheduler.evaluate import evaluate
from scheduler.model import Assignment, Roster

DATA = Path(__file__).resolve().parents[1] / "data" / "curtois-qu"


def test_solve_curtois_writes_csv_and_prints_objective(tmp_path: Path) -> None:
    out = tmp_path / "roster.csv"
    src = DATA / "Instance1.txt"
    res = CliRunner().invoke(
        app,
        [
            "roster",
            "solve",
            "--curtois",
            str(src),
            "--time-limit",
            "30",
            "--workers",
            "8",
            "--seed",
            "1",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "objective 607" in res.output
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["employee", "day", "shift"]
    # the CSV alone re-scores to the printed objective
    p = load(src)
    roster = Roster(
        p.start, p.days, tuple(Assignment(e, p.date_of(int(d)), s) for e, d, s in rows[1:])
    )
    ev = evaluate(p, roster)
    assert ev.violations == () and ev.objective == 607


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["roster", "solve", "--curtois", str(tmp_path / "nope.txt")])
    assert res.exit_code == 1
    assert "cannot read Curtois-Qu file" in res.output
