"""Tiny problems for rule tests: one or two people, a few days, one rule switched on."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from scheduler.evaluate import evaluate
from scheduler.model import (
    Demand,
    Employee,
    Policy,
    Problem,
    Rule,
    RuleSetting,
    ShiftType,
    SolveOptions,
    SolveResult,
    SolveStatus,
)
from scheduler.solve import solve

MONDAY = date(2026, 12, 7)  # Sat 12 Dec 2026 is day 5
DAY = ShiftType("D", time(8, 0), 480)
NIGHT = ShiftType("N", time(22, 0), 480, night=True)
LATE = ShiftType("L", time(14, 0), 480)


def policy(*hard: Rule, soft: dict[Rule, int] | None = None, **numbers: int) -> Policy:
    rules = [RuleSetting(r, hard=True) for r in hard]
    rules += [RuleSetting(r, hard=False, weight=w) for r, w in (soft or {}).items()]
    return Policy(name="test", rules=tuple(rules), **numbers)


def daily(
    shift: str, days: int, target: int = 1, *, start: date = MONDAY, **kw: object
) -> tuple[Demand, ...]:
    return tuple(
        Demand(start + timedelta(days=d), shift, target=target, **kw)  # type: ignore[arg-type]
        for d in range(days)
    )


def problem(
    *,
    days: int,
    pol: Policy,
    shifts: tuple[ShiftType, ...] = (DAY,),
    employees: tuple[Employee, ...] = (Employee("ann"),),
    demand: tuple[Demand, ...] = (),
    **kw: Any,
) -> Problem:
    return Problem(
        start=MONDAY,
        days=days,
        shifts=shifts,
        employees=employees,
        demand=demand,
        policy=pol,
        name="tiny",
        **kw,
    )


def run(p: Problem, **kw: object) -> SolveResult:
    r = solve(p, SolveOptions(time_limit_s=30, workers=1, seed=0, **kw))  # type: ignore[arg-type]
    if r.roster is not None:  # every test solve is re-scored independently
        ev = evaluate(p, r.roster)
        assert ev.violations == ()
        assert ev.objective == r.objective == r.penalties.total
    return r


def solved(p: Problem) -> SolveResult:
    r = run(p)
    assert r.status == SolveStatus.OPTIMAL, r.explanation
    assert r.roster is not None
    return r


def worked(r: SolveResult, employee: str) -> list[tuple[int, str]]:
    """(day index, shift) worked by `employee`, by day."""
    assert r.roster is not None
    return sorted(
        ((a.day - MONDAY).days, a.shift_id)
        for a in r.roster.assignments
        if a.employee_id == employee
    )


def day(i: int) -> date:
    return MONDAY + timedelta(days=i)
