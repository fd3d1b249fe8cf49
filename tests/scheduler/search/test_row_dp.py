"""A person's pricing by dynamic programming agrees with the CP-SAT pricing model."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import time, timedelta

import pytest

from scheduler.evaluate import evaluate
from scheduler.model import (
    Absence,
    Assignment,
    Employee,
    Pin,
    Problem,
    Roster,
    Rule,
    ShiftLimit,
    ShiftRequest,
    ShiftType,
)
from scheduler.search import row_dp
from scheduler.search.master import Column, RowIndex, cover_rows
from scheduler.search.pricing import SCALE, Pricer
from tests.scheduler.builders import MONDAY, daily, policy, problem

EARLY = ShiftType("E", time(6, 0), 480, forbidden_next=frozenset())
DAY = ShiftType("D", time(9, 0), 600)
NIGHT = ShiftType("N", time(22, 0), 480, night=True, forbidden_next=frozenset({"E"}))
SHIFTS = (EARLY, DAY, NIGHT)
#: every hard rule the program prices, in a fixed order for the random draws
SEQUENCE_RULES = sorted(row_dp.PRICED_HARD)


def random_person_problem(rng: random.Random) -> Problem:
    """One person, 9-16 days from a Monday, a random set of the program's rules."""
    days = rng.randint(9, 16)
    hard = [r for r in SEQUENCE_RULES if rng.random() < 0.6]
    person = Employee(
        "ann",
        max_consecutive_days=rng.choice([None, 2, 3, 4, 5]),
        min_consecutive_days=rng.choice([1, 2, 3]),
        min_consecutive_days_off=rng.choice([1, 2, 3]),
        max_weekends=rng.choice([None, 0, 1]),
        max_shifts=tuple(ShiftLimit(s.id, rng.randint(0, 4)) for s in SHIFTS if rng.random() < 0.5),
        min_total_minutes=rng.choice([0, 480 * 3, 480 * 5]),
        max_total_minutes=rng.choice([None, 480 * 6, 600 * 7]),
        no_night_days=frozenset(
            MONDAY + timedelta(days=d) for d in range(days) if rng.random() < 0.3
        ),
    )
    day = [MONDAY + timedelta(days=d) for d in range(days)]
    requests = tuple(
        ShiftRequest(
            "ann", rng.choice(day), rng.choice([None, "E", "D", "N"]), want, rng.randint(1, 9)
        )
        for want in (True, False)
        for _ in range(rng.randint(0, 3))
    )
    return problem(
        days=days,
        pol=policy(
            *hard,
            soft={
                Rule.COVER_UNDER: 1,
                Rule.COVER_OVER: 1,
                Rule.SHIFT_ON_REQUEST: 2,
                Rule.SHIFT_OFF_REQUEST: 3,
            },
            min_rest_minutes=rng.choice([8 * 60, 11 * 60]),
        ),
        shifts=SHIFTS,
        employees=(person,),
        demand=tuple(d for s in SHIFTS for d in daily(s.id, days, 1)),
        absences=tuple(Absence("ann", d) for d in rng.sample(day, rng.randint(0, 2))),
        pins=tuple(
            Pin("ann", d, rng.choice([None, "E", "D"])) for d in rng.sample(day, rng.randint(0, 1))
        ),
        requests=requests,
    )


def own_cost_and_breaches(p: Problem, cells: tuple[tuple[int, str, str | None], ...]) -> tuple:
    """A row re-scored by the evaluator with the cover costing nothing."""
    free = tuple(
        replace(x, target=0, minimum=0, maximum=None, under_weight=0, over_weight=0)
        for x in p.demand
    )
    roster = Roster(
        p.start, p.days, tuple(Assignment("ann", p.date_of(d), s, k) for d, s, k in cells)
    )
    ev = evaluate(replace(p, demand=free), roster)
    return ev.objective, ev.violations


def test_the_program_finds_the_cheapest_row_cp_sat_finds() -> None:
    rng = random.Random(7)
    compared = proven = limited = 0
    for _case in range(60):
        p = random_person_problem(rng)
        rows = cover_rows(p)
        pricer = Pricer(p, "ann", RowIndex(rows), seed=0)
        assert pricer.program is not None  # every rule drawn is one the program prices
        prices = [rng.uniform(-20, 60) for _ in rows]
        exact = pricer.solve(prices, 10)
        got = pricer.program.price(prices)
        if exact.infeasible:
            assert got is None
            continue
        assert exact.complete
        cheapest = min(c.cost - pricer.index.covered(c, prices) for c in exact.columns)
        tolerance = 0.5 * p.days / SCALE + 1e-6  # CP-SAT's prices are rounded
        if got is None:
            # the surcharges found no row within their walks: allowed, but rare
            continue
        compared += 1
        limited += bool(pricer.program.limited)
        for cells, cost in got.rows:
            assert own_cost_and_breaches(p, cells) == (cost, ())
        best = min(cost - pricer.index.covered(Column(c, cost), prices) for c, cost in got.rows)
        assert got.low <= cheapest + tolerance
        assert best >= cheapest - tolerance
        if got.complete:
            proven += 1
            assert best == pytest.approx(cheapest, abs=tolerance)
    assert compared >= 50 and proven >= 40 and limited >= 10


def test_the_program_declines_what_it_does_not_price() -> None:
    p = random_person_problem(random.Random(1))
    index = RowIndex(cover_rows(p))

    def program(q: Problem) -> object:
        return Pricer(q, "ann", index, seed=0).program

    assert program(p) is not None
    weekly = replace(p, policy=policy(Rule.WEEKLY_REST, soft={Rule.COVER_UNDER: 1}))
    soft_run = replace(p, policy=policy(soft={Rule.MAX_CONSECUTIVE_DAYS: 5}))
    history = replace(
        p, history=(Assignment("ann", MONDAY - timedelta(days=1), "D"),), history_days=1
    )
    for q in (weekly, soft_run, history):
        assert program(q) is None


def test_a_pinned_shift_the_person_cannot_work_leaves_it_to_cp_sat() -> None:
    p = random_person_problem(random.Random(3))
    person = replace(p.employees[0], max_shifts=(ShiftLimit("N", 0),))
    q = replace(
        p,
        employees=(person,),
        pins=(Pin("ann", MONDAY, "N"),),
        policy=policy(Rule.MAX_SHIFTS_PER_TYPE, soft={Rule.COVER_UNDER: 1}),
    )
    index = RowIndex(cover_rows(q))
    pricer = Pricer(q, "ann", index, seed=0)
    assert pricer.program is not None
    assert pricer.program.price([0.0] * len(index.rows)) is None
    assert pricer.solve([0.0] * len(index.rows), 5).infeasible
