"""The warehouse bench, short: its overtime floor, and one small run through `main`."""

from __future__ import annotations

import json
from datetime import date, time, timedelta

import pytest

from bench.roster_store import main, overtime_floor_hours
from scheduler.model import (
    Absence,
    Demand,
    Employee,
    HoursCycle,
    HoursSystem,
    Policy,
    Problem,
    ShiftType,
)

MON = date(2026, 3, 2)
D = ShiftType("D", time(6), 480)


def _week(target: int, absent_days: int = 0, days: int = 7) -> Problem:
    demand = tuple(Demand(MON + timedelta(days=i), "D", target=target) for i in range(6))
    absences = tuple(Absence("a", MON + timedelta(days=i)) for i in range(absent_days))
    emps = (Employee("a"), Employee("b"))
    return Problem(MON, days, (D,), emps, demand, Policy("t", ()), absences=absences)


def test_the_floor_is_demand_beyond_everyones_regular_hours() -> None:
    # 2 a day on 6 days: 96 h of work, 2 x 40 h regular -> 16 h no roster avoids
    assert overtime_floor_hours(_week(target=2)) == pytest.approx(16)
    # leave on Mon-Tue: a can give regular hours only Wed-Sat (32 h; Sunday has no demand)
    assert overtime_floor_hours(_week(target=2, absent_days=2)) == pytest.approx(24)
    assert overtime_floor_hours(_week(target=2, absent_days=3)) == pytest.approx(32)
    # 1 a day fits in regular hours: no floor
    assert overtime_floor_hours(_week(target=1)) == pytest.approx(0)


def test_a_short_block_at_the_end_has_the_whole_weeks_hours_as_the_solver_counts_it() -> None:
    assert overtime_floor_hours(_week(target=2, days=6)) == pytest.approx(16)


def test_comprehensive_hours_move_between_the_weeks_of_a_cycle() -> None:
    demand = tuple(Demand(MON + timedelta(days=i), "D", target=1) for i in range(6))  # 48 h, week 1

    def floor(e: Employee) -> float:
        return overtime_floor_hours(Problem(MON, 14, (D,), (e,), demand, Policy("t", ())))

    comp = HoursSystem.COMPREHENSIVE
    assert floor(Employee("a")) == pytest.approx(8)
    assert floor(Employee("a", hours_system=comp, cycle_days=14)) == pytest.approx(0)
    assert floor(Employee("a", hours_system=HoursSystem.FLEXIBLE)) == pytest.approx(0)
    # March 2026 from Mon 2 Mar, 14 days: one month, its share of 40 h a week is 80 h
    assert floor(Employee("a", hours_system=comp, cycle=HoursCycle.MONTH)) == pytest.approx(0)


def test_overlapping_lines_ask_for_the_same_people_once() -> None:
    # each weekday: 1 of anyone and 1 with skill x on D - one person with x covers both
    lines = tuple(
        Demand(MON + timedelta(days=i), "D", target=1, skill=skill)
        for i in range(5)
        for skill in (None, "x")
    )
    one = (Employee("a", skills=frozenset({"x"})),)
    assert overtime_floor_hours(
        Problem(MON, 7, (D,), one, lines, Policy("t", ()))
    ) == pytest.approx(0)
    # two skills on the same shift need two people: 80 h of work for one person's 40 h
    two_skills = tuple(
        Demand(MON + timedelta(days=i), "D", target=1, skill=skill)
        for i in range(5)
        for skill in ("x", "y")
    )
    assert overtime_floor_hours(
        Problem(MON, 7, (D,), one, two_skills, Policy("t", ()))
    ) == pytest.approx(40)


def test_a_small_run_has_no_breaches_and_covers_as_much_as_the_greedy(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        ["--employees", "40", "--weeks", "1", "--time-limit", "20", "--workers", "2", "--json"]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "overtime no roster can avoid" in out and "overtime cut vs greedy" in out
    assert "vs rule-aware greedy" in out
    rows = {r["method"]: r for r in map(json.loads, out.splitlines()[-3:])}
    greedy, careful, cpsat = rows["greedy"], rows["greedy-rules"], rows["cp-sat"]
    assert careful["rest_breaches"] == 0  # the rule-aware baseline keeps the rest rules
    assert cpsat["overtime_cap_breaches"] == cpsat["rest_breaches"] == 0
    assert cpsat["other_breaches"] == 0
    assert cpsat["uncovered_hours"] <= greedy["uncovered_hours"]
    assert cpsat["overtime_hours"] <= greedy["overtime_hours"]
