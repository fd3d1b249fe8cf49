"""`shiftgate roster solve --site / publish / show` against a migrated store."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from gateway.cli.main import app
from gateway.cli.roster_cmd import _ProgressLine
from hrcore.db import make_engine, make_session_factory
from hrcore.models import AuditEntry, Employee, Leave, LeaveKind, RosterAssignment, RosterRun
from hrcore.models import RosterStatus as RS
from hrcore.store import EmployeeIn, ShiftTypeIn, SiteIn, save_employee, save_shift_type, save_site
from scheduler.model import Building, Progress

ROOT = Path(__file__).resolve().parents[3]
POLICY = ROOT / "config" / "policies" / "cn.yaml"
MON = date(2026, 3, 2)
SUN = date(2026, 3, 8)
WED, THU = date(2026, 3, 4), date(2026, 3, 5)

DEMAND = """\
under_weight: 1000
base:
  D: {picker: {min: 4, target: 4, max: 4}}
"""
FORKLIFT_DEMAND = """\
base:
  D: {picker: {min: 2, target: 2, max: 3}}
dates:
  2026-03-05: {D: {forklift: {min: 3, target: 3}}}
"""


def seed(factory: sessionmaker[Session], staff: int = 7, forklift: int = 0) -> None:
    with factory.begin() as s:
        site = save_site(s, SiteIn("T1", "Test DC", "Asia/Shanghai"))
        save_shift_type(s, site, ShiftTypeIn("D", time(8), time(16), name="day"))
        for i in range(staff):
            skills = ("picker", "forklift") if i < forklift else ("picker",)
            save_employee(
                s, site, EmployeeIn(f"E{i:02d}", f"Person {i}", date(2025, 1, 1), skills=skills)
            )


def add_leave(factory: sessionmaker[Session], code: str, start: date, end: date) -> None:
    with factory.begin() as s:
        emp = s.scalars(select(Employee).where(Employee.code == code)).one()
        s.add(
            Leave(
                employee_id=emp.id,
                kind=LeaveKind.SICK,
                start_date=start,
                end_date=end,
                approved=True,
            )
        )


def cli(url: str, tmp_path: Path, *args: str, demand: str = DEMAND) -> tuple[int, str]:
    path = tmp_path / "demand.yaml"
    path.write_text(demand, encoding="utf-8")
    env = {"SHIFTGATE_DATABASE_URL": url, "SHIFTGATE_CONFIG_DIR": str(tmp_path)}
    if args[:2] == ("roster", "solve"):
        args = (*args, "--policy", str(POLICY), "--demand", str(path), "--time-limit", "20")
    res = CliRunner().invoke(app, list(args), env=env)
    return res.exit_code, res.output


def cells(s: Session, run_id: int) -> dict[tuple[str, date], int]:
    rows = s.execute(
        select(Employee.code, RosterAssignment.date, RosterAssignment.shift_type_id)
        .join(Employee, Employee.id == RosterAssignment.employee_id)
        .where(RosterAssignment.roster_run_id == run_id)
    )
    return {(e, d): sh for e, d, sh in rows}


def test_solve_publish_sick_call_reroster_moves_only_the_cover(
    database_url: str, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    seed(session_factory)
    code, out = cli(
        database_url,
        tmp_path,
        "roster",
        "solve",
        "--site",
        "T1",
        "--from",
        str(MON),
        "--to",
        str(SUN),
    )
    assert code == 0, out
    assert "best objective" in out and "draft roster run 1 written" in out
    with session_factory() as s:
        run = s.get(RosterRun, 1)
        assert run is not None and run.status == RS.DRAFT
        first = cells(s, 1)
    assert len(first) == 7 * 4  # exactly 4 pickers every day (min = max = 4)
    assert all(
        sum(1 for (_e, d) in first if d == day) == 4
        for day in (date(2026, 3, i) for i in range(2, 9))
    )

    code, out = cli(
        database_url,
        tmp_path,
        "roster",
        "publish",
        "--site",
        "T1",
        "--from",
        str(MON),
        "--to",
        str(SUN),
    )
    assert code == 0, out
    assert "published roster run 1" in out

    # someone rostered on both Wed and Thu calls in sick for those two days
    sick = sorted(e for (e, d) in first if d == WED and (e, THU) in first)[0]
    add_leave(session_factory, sick, WED, THU)
    code, out = cli(
        database_url,
        tmp_path,
        "roster",
        "solve",
        "--site",
        "T1",
        "--from",
        str(WED),
        "--to",
        str(SUN),
    )
    assert code == 0, out
    assert "changes against the published roster: 4 assignments" in out
    with session_factory() as s:
        second = cells(s, 2)
    before = {k: v for k, v in first.items() if k[1] >= WED}
    changed = {k for k in set(before) | set(second) if before.get(k) != second.get(k)}
    assert len(changed) == 4
    assert {(sick, WED), (sick, THU)} <= changed
    covers = changed - {(sick, WED), (sick, THU)}
    assert {d for _e, d in covers} == {WED, THU} and all(k in second for k in covers)

    code, out = cli(database_url, tmp_path, "roster", "publish", "--run", "2")
    assert code == 0, out
    assert "still in force outside this range: 1" in out
    with session_factory() as s:
        statuses = {i: st for i, st in s.execute(select(RosterRun.id, RosterRun.status))}
        audit = list(
            s.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "roster.publish")
                .order_by(AuditEntry.id)
            )
        )
    assert statuses == {1: RS.PUBLISHED, 2: RS.PUBLISHED}
    assert [a.entity_id for a in audit] == ["1", "2"]
    assert audit[1].detail["overridden"] == [1] and audit[1].detail["superseded"] == []

    code, out = cli(
        database_url,
        tmp_path,
        "roster",
        "show",
        "--site",
        "T1",
        "--from",
        str(MON),
        "--to",
        str(SUN),
    )
    assert code == 0, out
    assert "published roster (runs 1, 2)" in out
    grid = {
        row[0]: row[1:]
        for line in out.splitlines()
        if (row := [c.strip() for c in line.strip("│ ").split("│")]) and row[0].startswith("E")
    }
    assert grid[sick][2:4] == ["·", "·"]  # Wed and Thu off
    on = "D pi"  # the shift and the skill covered (pi: picker)
    assert grid[sick][:2] == [on if (sick, d) in first else "·" for d in (MON, MON.replace(day=3))]
    assert sum(v.count(on) for v in grid.values()) == 28
    assert "shift and skill covered: pi picker" in out
    with session_factory() as s:
        assert set(s.scalars(select(RosterAssignment.skill))) == {"picker"}


def test_full_week_republish_supersedes(sqlite_url: str, tmp_path: Path) -> None:
    factory = make_session_factory(make_engine(sqlite_url))
    seed(factory)
    args = ("roster", "solve", "--site", "T1", "--from", str(MON), "--to", str(SUN))
    for expected_run in (1, 2):
        code, out = cli(sqlite_url, tmp_path, *args)
        assert code == 0, out
        code, out = cli(sqlite_url, tmp_path, "roster", "publish", "--run", str(expected_run))
        assert code == 0, out
    assert "superseded runs: 1" in out
    code, out = cli(sqlite_url, tmp_path, "roster", "publish", "--run", "1")
    assert code == 1 and "is superseded, not a draft" in out
    with factory() as s:
        assert s.get(RosterRun, 1).status == RS.SUPERSEDED  # type: ignore[union-attr]


def test_infeasible_demand_is_explained_in_words_and_nothing_is_written(
    sqlite_url: str, tmp_path: Path
) -> None:
    factory = make_session_factory(make_engine(sqlite_url))
    seed(factory, staff=7, forklift=3)
    add_leave(factory, "E01", THU, THU)
    code, out = cli(
        sqlite_url,
        tmp_path,
        "roster",
        "solve",
        "--site",
        "T1",
        "--from",
        str(MON),
        "--to",
        str(SUN),
        demand=FORKLIFT_DEMAND,
    )
    assert code == 1, out
    assert "status infeasible" in out
    assert (
        "demand of at least 3 forklift staff on Thu 05 Mar 2026 (shift D), but only 2 of the 3 "
        "qualified people are not on leave or off that day"
    ) in out
    assert "nothing was written" in out
    with factory() as s:
        assert s.scalars(select(RosterRun)).all() == []


@pytest.mark.parametrize(
    ("demand", "words"),
    [
        (
            "base:\n  X: {picker: {target: 1}}\n",
            "key base.X: site 'T1' has no shift type 'X' (known: D)",
        ),
        (
            "base:\n  D: {picker: {min: 3, target: 2}}\n",
            "base.D.picker: min 3 is above target 2",
        ),
        ("weekdays:\n  funday: {}\n", "weekdays.funday: Input should be 'mon'"),
    ],
)
def test_bad_demand_file_names_file_and_key(
    sqlite_url: str, tmp_path: Path, demand: str, words: str
) -> None:
    factory = make_session_factory(make_engine(sqlite_url))
    seed(factory)
    code, out = cli(
        sqlite_url,
        tmp_path,
        "roster",
        "solve",
        "--site",
        "T1",
        "--from",
        str(MON),
        "--to",
        str(SUN),
        demand=demand,
    )
    assert code == 1
    flat = " ".join(out.split())
    assert str(tmp_path / "demand.yaml") in flat.replace(" ", "") or "demand.yaml" in flat
    assert words in flat


def test_unknown_site_and_missing_draft_are_clear(sqlite_url: str, tmp_path: Path) -> None:
    code, out = cli(
        sqlite_url,
        tmp_path,
        "roster",
        "solve",
        "--site",
        "NOPE",
        "--from",
        str(MON),
        "--to",
        str(SUN),
    )
    assert code == 1 and "site 'NOPE' does not exist" in out
    factory = make_session_factory(make_engine(sqlite_url))
    seed(factory)
    code, out = cli(
        sqlite_url,
        tmp_path,
        "roster",
        "publish",
        "--site",
        "T1",
        "--from",
        str(MON),
        "--to",
        str(SUN),
    )
    assert code == 1 and "no draft roster for 2026-03-02..2026-03-08" in out
    code, out = cli(
        sqlite_url,
        tmp_path,
        "roster",
        "solve",
        "--site",
        "T1",
        "--from",
        str(SUN),
        "--to",
        str(MON),
    )
    assert code == 1 and "is before --from" in out


def test_the_live_line_shows_the_first_rosters_construction_until_a_roster_exists() -> None:
    line = _ProgressLine(Console(record=True, width=200), 60)
    assert line._text().plain.endswith("no roster yet")
    line.update_building(Building(3.21, placed=12, people=30, bound=1297))
    assert line._text().plain.endswith(
        "3.2 s  building the first roster: 12/30 people placed, lower bound 1297"
    )
    line.update(Progress(1310, 1297.0, 40.0, 1))
    assert "best objective 1310  bound 1297  rosters found 1" in line._text().plain
