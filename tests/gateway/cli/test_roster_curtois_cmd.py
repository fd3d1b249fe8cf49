"""`shiftgate roster solve --curtois FILE --out roster.csv` end to end."""

from __future__ import annotations

import csv
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from gateway.cli.main import app
from gateway.cli.roster_cmd import BUILDING_EVERY_S, building_printer
from scheduler.curtois import load
from scheduler.evaluate import evaluate
from scheduler.model import Assignment, Building, Roster

DATA = Path(__file__).resolve().parents[2] / "data" / "curtois-qu"


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
    # the first roster is built by price and dive: its progress comes before any roster
    people = len(load(src).employees)
    building = res.output.index(f"building the first roster: 0/{people} people placed")
    assert building < res.output.index("best objective 607")
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


def test_the_first_rosters_construction_is_printed_at_most_every_few_seconds() -> None:
    console = Console(record=True, width=200)
    show = building_printer(console)
    step = BUILDING_EVERY_S / 2
    for n in range(5):  # at 0, 0.5, 1, 1.5, 2 x BUILDING_EVERY_S
        show(Building(n * step, placed=n, people=30, bound=None if n == 0 else 1297))
    lines = console.export_text().splitlines()
    assert [line.split(" s ")[0].strip() for line in lines] == [
        f"{t:.2f}" for t in (0, 2 * step, 4 * step)
    ]
    assert lines[0].endswith("building the first roster: 0/30 people placed")
    assert lines[-1].endswith("building the first roster: 4/30 people placed, lower bound 1297")
