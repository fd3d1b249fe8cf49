"""`shiftgate roster shifts --curve --shapes`: a small curve with a known optimum, the
chart, and bad files refused with the line or key to fix."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from gateway.cli.main import app
from gateway.roster.curve import load_curve, plan_as_demand
from hrcore.db import make_engine, make_session_factory
from hrcore.models import RosterAssignment
from hrcore.store import EmployeeIn, ShiftTypeIn, SiteIn, save_employee, save_shift_type, save_site
from scheduler.model import SolveStatus
from scheduler.shifts import ShiftCount, ShiftPlan

SHAPES = """\
weights: {under: 10, over: 1, shift: 2}
shapes:
  - {id: E, start: "08:00", hours: 8}
  - {id: L, start: "12:00", hours: 8}
  - {id: N, start: "22:00", hours: 8, skills: [forklift]}
"""


def _curve(tmp_path: Path) -> Path:
    rows = ["day,start,skill,people"]
    for h in range(8, 20):
        rows.append(f"2026-11-02,{h:02d}:00,picker,{4 if 12 <= h < 16 else 2}")
    for q in range(8 * 4, 16 * 4):
        rows.append(f"2026-11-02,{q // 4:02d}:{q % 4 * 15:02d},forklift,1")
    path = tmp_path / "curve.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, ["roster", "shifts", *args])
    return res.exit_code, res.output + (res.stderr if res.stderr_bytes else "")


def test_the_known_optimum_is_printed_with_its_chart(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.yaml"
    shapes.write_text(SHAPES, encoding="utf-8")
    code, out = _run("--curve", str(_curve(tmp_path)), "--shapes", str(shapes))
    assert code == 0, out
    assert "15-minute slots" in out  # the forklift series is quarter-hourly
    lines = {
        line.split("│")[1].strip(): line.split("│")[2].strip()
        for line in out.splitlines()
        if line.count("│") == 3
    }
    assert lines == {"E forklift": "1", "E picker": "2", "L picker": "2"}
    assert "5 shifts; short 0 person-hours, over 0; cost 600 (bound 600)" in out
    assert "Mon 02 Nov forklift: hour" in out  # the first skill, unless --skill says
    code, out = _run("--curve", str(_curve(tmp_path)), "--shapes", str(shapes), "--skill", "picker")
    assert code == 0, out
    assert "13:00     4     4  ████\n" in out  # the picker peak, met exactly


@pytest.mark.parametrize(
    ("curve", "shapes", "words"),
    [
        ("day,start,people\n", SHAPES, "missing column(s) skill"),
        ("day,start,skill,people\n2026-11-02,8am,picker,2\n", SHAPES, "curve.csv:2: start"),
        (
            "day,start,skill,people\n2026-11-02,08:00,,2\n2026-11-02,08:00,any,3\n",
            SHAPES,
            "already on line 2",
        ),
        ("day,start,skill,people\n2026-11-02,08:00,,2\n", "shapes: []\n", "shapes"),
        (
            "day,start,skill,people\n2026-11-02,08:00,,2\n",
            'shapes: [{id: X, start: "08:00", hours: 8, breaks: [{after_hours: 8, minutes: 30}]}]',
            "must lie inside",
        ),
    ],
)
def test_bad_files_are_refused_naming_what_to_fix(
    tmp_path: Path, curve: str, shapes: str, words: str
) -> None:
    (tmp_path / "curve.csv").write_text(curve, encoding="utf-8")
    (tmp_path / "shapes.yaml").write_text(shapes, encoding="utf-8")
    code, out = _run(
        "--curve", str(tmp_path / "curve.csv"), "--shapes", str(tmp_path / "shapes.yaml")
    )
    assert code == 2
    assert words in " ".join(out.split())


def test_a_plan_becomes_a_demand_file_of_dated_lines(tmp_path: Path) -> None:
    day = date(2026, 11, 2)
    plan = ShiftPlan(
        SolveStatus.OPTIMAL,
        60,
        (ShiftCount(day, "E", "picker", 2), ShiftCount(day, "E", None, 1)),
        (),
        0,
        0,
    )
    lines = plan_as_demand(plan).lines(day, 1)
    assert [(d.shift_id, d.skill, d.target, d.minimum) for d in lines] == [
        ("E", None, 1, 0),
        ("E", "picker", 2, 0),
    ]
    assert len(load_curve(_curve(tmp_path))) == 12 + 32


def test_with_a_site_the_planned_shifts_are_filled_with_its_people(
    database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    try:
        with factory.begin() as s:
            site = save_site(s, SiteIn("T3", "Test DC", "Asia/Shanghai"))
            save_shift_type(s, site, ShiftTypeIn("E", time(8), time(16)))
            save_shift_type(s, site, ShiftTypeIn("L", time(12), time(20)))
            for i in range(6):
                save_employee(
                    s,
                    site,
                    EmployeeIn(f"P{i}", f"Picker {i}", date(2025, 1, 1), skills=("picker",)),
                )
        rows = ["day,start,skill,people"]
        rows += [f"2026-11-02,{h:02d}:00,picker,{4 if 12 <= h < 16 else 2}" for h in range(8, 20)]
        curve = tmp_path / "curve.csv"
        curve.write_text("\n".join(rows) + "\n", encoding="utf-8")
        shapes = tmp_path / "shapes.yaml"
        shapes.write_text(
            SHAPES.replace('  - {id: N, start: "22:00", hours: 8, skills: [forklift]}\n', ""),
            encoding="utf-8",
        )
        root = Path(__file__).resolve().parents[3]
        res = CliRunner().invoke(
            app,
            [
                "roster",
                "shifts",
                "--curve",
                str(curve),
                "--shapes",
                str(shapes),
                "--site",
                "T3",
                "--policy",
                str(root / "config" / "policies" / "cn.yaml"),
                "--solve-time-limit",
                "10",
                "--skill",
                "picker",
            ],
            env={"SHIFTGATE_DATABASE_URL": database_url, "SHIFTGATE_CONFIG_DIR": str(tmp_path)},
        )
        assert res.exit_code == 0, res.output
        assert "draft roster run 1 written" in res.output
        assert "filled: 4 shifts; short 0 person-hours, over 0 (planned: 0 / 0)" in res.output
        with factory() as s:
            assert s.scalar(select(func.count()).select_from(RosterAssignment)) == 4
    finally:
        engine.dispose()
