"""LNS improves an incumbent; the block-by-block construction stitches a valid roster."""

from __future__ import annotations

import time

from scheduler.constraints.context import Context
from scheduler.construct import construct
from scheduler.evaluate import evaluate
from scheduler.lns import Incumbent, assignment_vars, improve
from scheduler.model import Employee, Rule, ShiftLimit
from scheduler.solve import build, extract, solve
from tests.scheduler.builders import DAY, LATE, daily, policy, problem

RULES = (
    Rule.MAX_CONSECUTIVE_DAYS,
    Rule.MIN_CONSECUTIVE_DAYS,
    Rule.MIN_CONSECUTIVE_DAYS_OFF,
    Rule.MIN_TOTAL_MINUTES,
    Rule.MAX_TOTAL_MINUTES,
    Rule.MAX_SHIFTS_PER_TYPE,
    Rule.MAX_WEEKENDS,
)


def staff(days: int) -> tuple[Employee, ...]:
    return tuple(
        Employee(
            f"e{i}",
            max_consecutive_days=5,
            min_consecutive_days=2,
            min_consecutive_days_off=2,
            min_total_minutes=480 * days // 3,
            max_total_minutes=480 * days * 5 // 7,
            max_weekends=days // 7 - 1,
            max_shifts=(ShiftLimit("L", days // 4),),
        )
        for i in range(4)
    )


def test_lns_improves_an_empty_roster_and_stays_exact() -> None:
    p = problem(
        days=14,
        pol=policy(Rule.MAX_CONSECUTIVE_DAYS),
        shifts=(DAY, LATE),
        employees=tuple(Employee(f"e{i}") for i in range(3)),
        demand=(*daily("D", 14), *daily("L", 14)),
    )
    ctx: Context = build(p)
    grid = assignment_vars(ctx)
    zero = {v.index: 0 for row in grid for cell in row for v in cell}
    start = Incumbent(zero, evaluate(p, extract(ctx, lambda v: 0)).objective)
    assert start.objective == 28 * 100
    seen: list[int] = []
    best, rounds = improve(
        ctx,
        start,
        deadline=time.monotonic() + 5,
        seed=3,
        workers=2,
        on_better=lambda inc: seen.append(inc.objective),
    )
    assert rounds >= 1 and best.objective < start.objective
    assert seen == sorted(seen, reverse=True) and seen[-1] == best.objective
    roster = extract(ctx, lambda v: best.values[v.index])
    ev = evaluate(p, roster)
    assert ev.violations == () and ev.objective == best.objective


def test_construction_stitches_blocks_into_a_valid_roster() -> None:
    days = 63
    p = problem(
        days=days,
        pol=policy(*RULES),
        shifts=(DAY, LATE),
        employees=staff(days),
        demand=(*daily("D", days, 2), *daily("L", days, 1)),
    )
    roster = construct(p, solve, block_days=28, deadline=time.monotonic() + 30, workers=4, seed=0)
    assert roster is not None
    ev = evaluate(p, roster)
    assert ev.violations == ()
    assert {a.day for a in roster.assignments} == {p.date_of(d) for d in range(days)}
