"""LNS improves an incumbent roster and stays exact."""

from __future__ import annotations

import time

from scheduler.constraints.context import Context
from scheduler.evaluate import evaluate
from scheduler.model import Employee, Rule
from scheduler.search.lns import Incumbent, assignment_vars, improve
from scheduler.solve import build, extract
from tests.scheduler.builders import DAY, LATE, daily, policy, problem


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
