"""A comprehensive person's calendar month: its regular minutes come from the problem's
working days when it gives them (8 h each, as hrcore's payroll counts), else from the
contracted week pro rata - in the constraints and the evaluator alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from scheduler.evaluate import evaluate
from scheduler.model import (
    Assignment,
    Employee,
    HoursCycle,
    HoursSystem,
    Pin,
    Problem,
    Roster,
    Rule,
)
from scheduler.rules.hours import block_allowance, blocks
from tests.scheduler.builders import DAY, policy, run

OCTOBER = date(2026, 10, 1)
WEEKDAYS = [d for d in (OCTOBER + timedelta(days=i) for i in range(31)) if d.weekday() < 5]
#: CN 2026: National Day 1-7 October off (Thu 1, Fri 2, Mon 5 - Wed 7 are weekdays), Sat 10
#: worked in exchange: 18 working days
HOLIDAYS = {date(2026, 10, d) for d in (1, 2, 5, 6, 7)}
WORKING = frozenset({*(d for d in WEEKDAYS if d not in HOLIDAYS), date(2026, 10, 10)})
ANN = Employee("ann", hours_system=HoursSystem.COMPREHENSIVE, cycle=HoursCycle.MONTH)


def october(start: date = OCTOBER, days: int = 31, **kw: object) -> Problem:
    return Problem(
        start=start,
        days=days,
        shifts=(DAY,),
        employees=(ANN,),
        demand=(),
        policy=policy(soft={Rule.OVERTIME: 1}),
        name="october",
        **kw,  # type: ignore[arg-type]
    )


def weekdays_worked(p: Problem) -> Roster:
    """Every weekday of the horizon worked, 8 h each."""
    inside = [d for d in WEEKDAYS if 0 <= p.index_of(d) < p.days]
    return Roster(p.start, p.days, tuple(Assignment("ann", d, "D") for d in inside))


def test_october_2026_has_18_working_days() -> None:
    assert len(WEEKDAYS) == 22 and len(WORKING) == 18


@pytest.mark.parametrize(
    ("working", "regular", "overtime"),
    [
        (None, 2400 * 31 // 7, 0),  # 177 h 8 min: 22 days of 8 h (176 h) are all regular
        (WORKING, 18 * 480, (22 - 18) * 480),  # 144 h: 32 h over
    ],
)
def test_the_working_days_set_the_months_regular_minutes(
    working: frozenset[date] | None, regular: int, overtime: int
) -> None:
    p = october(working_days=working)
    assert [block_allowance(p, ANN, b) for b in blocks(p, ANN)] == [regular]
    roster = weekdays_worked(p)
    ev = evaluate(p, roster)
    assert ev.violations == () and ev.objective == overtime
    # the CP-SAT model prices the same roster the same (solve re-scores with the evaluator)
    pinned = replace(p, pins=tuple(Pin("ann", p.date_of(d), _on(roster, p, d)) for d in range(31)))
    r = run(pinned, explain=False)
    assert r.objective == overtime


def test_a_month_cut_by_the_horizon_gets_its_working_days_inside_it() -> None:
    # 20 October - 10 November: October's part has 9 working days (20-23, 26-30)
    p = october(start=date(2026, 10, 20), days=22, working_days=WORKING)
    assert [block_allowance(p, ANN, b) for b in blocks(p, ANN)] == [9 * 480, 0]
    # November's days are not in the set given: no regular minutes there, all overtime
    roster = Roster(p.start, p.days, (Assignment("ann", date(2026, 11, 2), "D"),))
    assert evaluate(p, roster).objective == 480


def _on(roster: Roster, p: Problem, d: int) -> str | None:
    day = p.date_of(d)
    return next((a.shift_id for a in roster.assignments if a.day == day), None)
