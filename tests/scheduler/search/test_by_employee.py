"""Rosters by group of people: residual demand, exact pricing of a group, long horizons."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path

import pytest

from scheduler.curtois import load
from scheduler.evaluate import evaluate
from scheduler.model import Assignment, Demand, Roster, Rule, SolveOptions, SolveStatus
from scheduler.search import by_employee
from scheduler.solve import solve
from tests.scheduler.builders import DAY, LATE, MONDAY, daily, policy, problem
from tests.scheduler.search.test_construct import RULES, staff

DATA = Path(__file__).resolve().parents[2] / "data" / "curtois-qu"


def test_residual_demand_takes_off_the_head_count_already_placed() -> None:
    p = problem(
        days=1,
        pol=policy(soft={Rule.COVER_UNDER: 1}),
        shifts=(DAY, LATE),
        demand=(
            Demand(MONDAY, "D", target=3, minimum=2, maximum=4),
            Demand(MONDAY, "L", target=1),
            Demand(MONDAY, "D", target=2, skill="forklift"),
        ),
    )
    placed = [
        Assignment("a", MONDAY, "D"),
        Assignment("b", MONDAY, "D", skill="forklift"),
        Assignment("c", MONDAY, "L"),
        Assignment("d", MONDAY, "L"),
    ]
    day, late, forklift = by_employee.residual_demand(p, placed)
    assert (day.target, day.minimum, day.maximum) == (1, 0, 2)  # both D people count
    assert late.target == 0  # two on a line wanting one: nobody more is wanted
    assert forklift.target == 1  # only the forklift driver counts for the skill line


def test_hard_cover_minimum_ties_people_together() -> None:
    soft = problem(days=7, pol=policy(soft={Rule.COVER_MINIMUM: 5}), demand=daily("D", 7))
    hard_min = problem(days=7, pol=policy(Rule.COVER_MINIMUM), demand=daily("D", 7, 2, minimum=1))
    assert by_employee.separable(soft)
    assert not by_employee.separable(hard_min)


def test_a_group_is_priced_exactly_against_everybody_else() -> None:
    p = load(DATA / "Instance3.txt")
    built = by_employee.construct(
        p,
        solve,
        deadline=time.monotonic() + 10,
        hard_deadline=time.monotonic() + 60,
        workers=4,
        seed=0,
    )
    assert built is not None
    roster, objective = built
    ev = evaluate(p, roster)
    assert ev.violations == () and ev.objective == objective
    group = [e.id for e in p.employees[:5]]
    others = [a for a in roster.assignments if a.employee_id not in group]
    mine = Roster(p.start, p.days, tuple(a for a in roster.assignments if a.employee_id in group))
    nobody = Roster(p.start, p.days, ())
    sub = by_employee.subproblem(p, group, others, None)
    full_delta = (
        evaluate(p, Roster(p.start, p.days, tuple(others))).objective
        - evaluate(p, roster).objective
    )
    sub_delta = evaluate(sub, nobody).objective - evaluate(sub, mine).objective
    assert full_delta == sub_delta != 0


def test_long_horizons_are_solved_person_by_person(caplog: pytest.LogCaptureFixture) -> None:
    days = 91  # beyond the horizon where the whole model is built
    p = problem(
        days=days,
        pol=policy(*RULES, soft={Rule.COVER_UNDER: 1, Rule.COVER_OVER: 1}),
        shifts=(DAY, LATE),
        employees=staff(days),
        demand=(*daily("D", days, 2), *daily("L", days, 1)),
    )
    with caplog.at_level(logging.INFO, logger="scheduler.search.by_employee"):
        res = solve(p, SolveOptions(time_limit_s=20, workers=4, explain=False))
    assert any("by-employee construction" in r.getMessage() for r in caplog.records)
    assert res.status == SolveStatus.FEASIBLE and res.roster is not None
    ev = evaluate(p, res.roster)
    assert ev.violations == () and ev.objective == res.objective
    seen = [prog.objective for prog in res.progress]
    assert seen == sorted(seen, reverse=True) and seen[-1] == res.objective


def test_a_large_model_starts_from_a_group_by_group_roster(
    caplog: pytest.LogCaptureFixture,
) -> None:
    days, people = 28, 40  # 1120 employee-days: the model is built whole, then LNS
    # weekend fairness does not split by person: no price-and-dive, a group-by-group start
    soft = {Rule.COVER_UNDER: 1, Rule.COVER_OVER: 1, Rule.FAIR_WEEKENDS: 1}
    p = problem(
        days=days,
        pol=policy(*RULES, soft=soft),
        shifts=(DAY, LATE),
        employees=tuple(replace(e, id=f"p{i}") for i, e in enumerate(staff(days) * (people // 4))),
        demand=(*daily("D", days, 12), *daily("L", days, 8)),
    )
    with caplog.at_level(logging.INFO, logger="scheduler.solve"):
        res = solve(p, SolveOptions(time_limit_s=15, workers=4, explain=False))
    warm = [r.getMessage() for r in caplog.records if r.getMessage().startswith("warm start")]
    assert len(warm) == 1
    assert res.roster is not None and res.objective is not None
    ev = evaluate(p, res.roster)
    assert ev.violations == () and ev.objective == res.objective
    assert res.objective <= int(warm[0].split("objective=")[1].split()[0])
