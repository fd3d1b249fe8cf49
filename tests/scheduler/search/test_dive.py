"""Price and dive: the column-generation roster, its Lagrangian bound, and its use."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from scheduler.curtois import load
from scheduler.evaluate import evaluate
from scheduler.model import (
    Absence,
    Building,
    Employee,
    Problem,
    Progress,
    Rule,
    ShiftRequest,
    SolveOptions,
    SolveStatus,
)
from scheduler.search import dive as price_and_dive
from scheduler.search.generation import Generator
from scheduler.search.master import Cell, Column, RowKind, cover_rows
from scheduler.solve import solve
from tests.scheduler.builders import DAY, LATE, MONDAY, daily, policy, problem
from tests.scheduler.search.test_construct import RULES, staff

DATA = Path(__file__).resolve().parents[2] / "data" / "curtois-qu"
BEST_KNOWN = {"Instance2": 828, "Instance3": 1001}


def dive(p: Problem, seconds: float = 30) -> price_and_dive.Dive:
    d = price_and_dive.dive(p, solve, deadline=time.monotonic() + seconds, seed=0, workers=4)
    assert d is not None
    ev = evaluate(p, d.roster)
    assert ev.violations == () and ev.objective == d.objective
    return d


def optimum(p: Problem) -> int:
    """The proven optimum by the complete CP-SAT search alone (no dive, no LNS)."""
    res = solve(p, SolveOptions(time_limit_s=60, workers=4, explain=False, lns=False))
    assert res.status == SolveStatus.OPTIMAL and res.objective is not None
    return res.objective


def skilled_problem(**soft: int) -> Problem:
    """Two roles on one shift, people with one or both skills, leave and requests."""
    days = 14
    people = (
        Employee("a", skills=frozenset({"pick"})),
        Employee("b", skills=frozenset({"pick"})),
        Employee("c", skills=frozenset({"pack"})),
        Employee("d", skills=frozenset({"pick", "pack"})),
        Employee("e", skills=frozenset({"pick", "pack"})),
    )
    rules = {Rule.COVER_UNDER: 1, Rule.COVER_OVER: 1, Rule.SHIFT_OFF_REQUEST: 1}
    rules.update({Rule(k): w for k, w in soft.items()})
    return problem(
        days=days,
        pol=policy(Rule.MAX_CONSECUTIVE_DAYS, Rule.WEEKLY_REST, soft=rules),
        shifts=(DAY,),
        employees=people,
        demand=(
            *daily("D", days, 2, skill="pick", under_weight=30, minimum=2, maximum=2),
            *daily("D", days, 1, skill="pack", under_weight=50, minimum=1, maximum=2),
        ),
        absences=tuple(Absence("d", MONDAY + timedelta(days=i)) for i in (2, 3, 4)),
        requests=tuple(
            ShiftRequest("e", MONDAY + timedelta(days=i), None, want=False, weight=7)
            for i in (0, 1, 5, 6)
        ),
    )


@pytest.mark.parametrize("name", sorted(BEST_KNOWN))
def test_curtois_instances_are_solved_and_proven_optimal_by_the_dive(name: str) -> None:
    p = load(DATA / f"{name}.txt")
    d = dive(p)
    assert d.objective == d.bound == BEST_KNOWN[name]
    res = solve(p, SolveOptions(time_limit_s=30, workers=4, explain=False))
    assert res.status == SolveStatus.OPTIMAL and res.objective == BEST_KNOWN[name]
    assert res.bound == BEST_KNOWN[name]


def test_the_bound_never_exceeds_the_optimum_and_the_dive_never_beats_it() -> None:
    days = 14
    p = problem(
        days=days,
        pol=policy(*RULES, soft={Rule.COVER_UNDER: 1, Rule.COVER_OVER: 1}),
        shifts=(DAY, LATE),
        employees=staff(days),
        demand=(*daily("D", days, 2, under_weight=10), *daily("L", days, 2, under_weight=7)),
    )
    best = optimum(p)
    d = dive(p)
    assert d.bound <= best <= d.objective
    assert d.root_lp <= best


@pytest.mark.parametrize(
    "soft",
    [{}, {"cover_minimum": 40}, {"cover_maximum": 20}, {"cover_minimum": 40, "cover_maximum": 20}],
    ids=["target", "soft-minimum", "soft-maximum", "both"],
)
def test_skill_lines_and_soft_limits_are_priced_like_the_evaluator(soft: dict[str, int]) -> None:
    p = skilled_problem(**soft)
    best = optimum(p)
    d = dive(p)
    assert d.bound <= best <= d.objective
    rows = cover_rows(p)
    kinds = {r.kind for r in rows}
    assert (RowKind.MINIMUM in kinds) == ("cover_minimum" in soft)
    assert (RowKind.MAXIMUM in kinds) == ("cover_maximum" in soft)


def test_the_dive_is_used_only_when_the_objective_splits_by_person() -> None:
    p = skilled_problem()
    assert price_and_dive.usable(p)
    fair = replace(p, policy=policy(soft={Rule.COVER_UNDER: 1, Rule.FAIR_WEEKENDS: 1}))
    hard_min = replace(p, policy=policy(Rule.COVER_MINIMUM, soft={Rule.COVER_UNDER: 1}))
    assert not price_and_dive.usable(fair)
    assert not price_and_dive.usable(hard_min)
    assert price_and_dive.dive(fair, solve, deadline=time.monotonic() + 5) is None


def test_a_person_without_any_valid_row_leaves_it_to_the_explanation() -> None:
    days = 7
    # at least 5 days of work but on leave 3 of 7 days: no row meets the hard rules
    ann = Employee("ann", min_total_minutes=5 * 480)
    p = problem(
        days=days,
        pol=policy(Rule.MIN_TOTAL_MINUTES, Rule.UNAVAILABLE, soft={Rule.COVER_UNDER: 1}),
        employees=(ann, Employee("bob")),
        demand=daily("D", days, 1),
        absences=tuple(Absence("ann", MONDAY + timedelta(days=i)) for i in (0, 2, 4)),
    )
    assert price_and_dive.dive(p, solve, deadline=time.monotonic() + 10) is None
    res = solve(p, SolveOptions(time_limit_s=10, workers=4))
    assert res.status == SolveStatus.INFEASIBLE and res.explanation is not None
    assert any(c.rule == Rule.MIN_TOTAL_MINUTES for c in res.explanation.conflicts)


def test_the_solve_starts_from_the_dive_and_reports_it(caplog: pytest.LogCaptureFixture) -> None:
    p = load(DATA / "Instance1.txt")  # LP bound 558 < optimum 607: the dive cannot prove it
    with caplog.at_level(logging.INFO, logger="scheduler.search.dive"):
        res = solve(p, SolveOptions(time_limit_s=20, workers=4, explain=False))
    dove = [r.getMessage() for r in caplog.records if r.getMessage().startswith("dive objective")]
    assert len(dove) == 1
    dive_value = int(dove[0].split("objective=")[1].split()[0])
    assert res.objective is not None and res.objective <= dive_value
    assert res.progress[0].objective == dive_value
    assert res.status == SolveStatus.OPTIMAL and res.objective == 607
    # the dive's proven bound is reported from its roster on (CP-SAT's own may be lower)
    dive_bound = int(dove[0].split("bound=")[1].split()[0])
    assert 0 < dive_bound < 607
    assert res.progress[0].bound == dive_bound
    assert all(p.bound >= dive_bound for p in res.progress)


def test_a_master_moved_to_a_fresh_lp_gives_the_same_solution() -> None:
    """The fallback for GLOP's rare 'abnormal' warm re-solve: the same LP, values, prices."""
    p = load(DATA / "Instance2.txt")
    gen = Generator(p, seed=0, threads=1)
    try:
        for _ in range(3):
            assert gen.round(time.monotonic() + 30) is not None
        master = gen.master
        master.fix(0, 0)
        before = master.solve()
        master._afresh()
        after = master.solve()
    finally:
        gen.close()
    assert after[0] == pytest.approx(before[0])  # (an optimal basis may differ)
    # the fixed row stays fixed and new rows can still enter the moved master
    assert master.weights(0)[0] == 1
    col = master.columns[1][0]
    size = master.lp.NumVariables()
    assert master.add(1, Column(col.cells[:-1], col.cost + 1))
    assert master.lp.NumVariables() == size + 1
    assert master.solve()[0] <= after[0] + 1e-9


def test_the_dive_reports_people_placed_and_the_bound_as_it_goes() -> None:
    p = load(DATA / "Instance3.txt")
    reports: list[Building] = []
    start = time.monotonic()
    d = price_and_dive.dive(
        p, solve, deadline=start + 30, seed=0, workers=4, report=reports.append, since=start
    )
    assert d is not None and reports
    assert {b.people for b in reports} == {len(p.employees)}
    assert reports[0].placed == 0 and reports[0].bound is None  # before any pricing
    assert reports[-1].placed == len(p.employees) and reports[-1].bound == d.bound
    placed = [b.placed for b in reports]
    assert placed == sorted(placed) and len(reports) > 2  # the rounds came in between
    seconds = [b.seconds for b in reports]
    assert seconds == sorted(seconds) and seconds[-1] <= time.monotonic() - start
    bounds = [b.bound for b in reports if b.bound is not None]
    assert bounds == sorted(bounds) and bounds[-1] <= d.objective


def test_the_solve_reports_the_build_before_the_first_roster_with_its_bound() -> None:
    p = load(DATA / "Instance2.txt")
    building: list[Building] = []
    progress: list[Progress] = []
    res = solve(
        p,
        SolveOptions(time_limit_s=30, workers=4, explain=False),
        on_progress=progress.append,
        on_building=building.append,
    )
    assert res.status == SolveStatus.OPTIMAL and res.objective == BEST_KNOWN["Instance2"]
    assert building and progress
    assert building[-1].seconds <= progress[0].seconds
    assert progress[0].objective == res.objective and progress[0].bound == res.bound


def test_a_fixing_is_followed_by_one_round_even_past_the_deadline() -> None:
    """A dive step whose share of the time is already spent still re-solves the master:
    its weights pick the next step's rows."""
    p = load(DATA / "Instance2.txt")
    gen = Generator(p, seed=0, threads=1)
    try:
        assert gen.converge(3, time.monotonic() + 30) is not None
        gen.master.fix(0, 0)
        assert gen.converge(5, deadline=time.monotonic() - 1) is False
        assert gen.master.weights(0)[0] == 1  # the LP with the fixing was solved
    finally:
        gen.close()


def test_fixed_days_keep_only_the_rows_that_spend_them_so() -> None:
    """The dive's day fixings: rows that work a fixed day otherwise leave the LP, and the
    person's pricing finds only rows that agree."""
    p = load(DATA / "Instance2.txt")
    gen = Generator(p, seed=0, threads=1)
    try:
        assert gen.converge(3, time.monotonic() + 30) is not None
        master = gen.master
        heaviest = master.columns[0][
            max(range(len(master.columns[0])), key=master.weights(0).__getitem__)
        ]
        worked = heaviest.by_day()
        off = next(d for d in range(p.days) if d not in worked)
        on = next(iter(worked))
        fixed: dict[int, Cell | None] = {on: worked[on], off: None}
        others = [c for c in master.columns[0] if c.by_day().get(on) != worked[on]]
        assert others  # some rows spend the day otherwise before the fixing
        master.fix_days(0, fixed)
        gen.pricers[0].fix_days(fixed)
        assert master.fixed_days[0] == fixed and master.restricted()
        for col, v in zip(master.columns[0], master.vars[0], strict=True):
            assert (v.ub() > 0) == master.fits(0, col)
        assert not any(master.fits(0, c) for c in others)
        gen.lp, gen.prices, gen.pi = master.solve()
        priced = gen.pricers[0].solve(gen.prices, 10)
        assert priced.columns and all(master.fits(0, c) for c in priced.columns)
    finally:
        gen.close()


def test_a_dive_short_of_time_fixes_days_and_gives_a_valid_roster(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(price_and_dive, "PEOPLE_A_STEP", 0)  # every step after the first fixes days
    p = load(DATA / "Instance3.txt")
    with caplog.at_level(logging.DEBUG, logger="scheduler.search.dive"):
        d = dive(p)  # checks the roster against the evaluator
    # (people fixed, days fixed) after each step
    found = (re.match(r"dive step people=(\d+) days=(\d+)", r.getMessage()) for r in caplog.records)
    steps = [(int(m[1]), int(m[2])) for m in found if m]
    assert steps[0][1] == 0  # the first step fixes people
    assert any(days > 0 and people < len(p.employees) for people, days in steps)
    assert d.bound <= d.objective
