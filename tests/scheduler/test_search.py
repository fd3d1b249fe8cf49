"""LNS improves an incumbent; the block-by-block construction stitches a valid roster."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from scheduler import columns
from scheduler import solve as solve_module
from scheduler.constraints.context import Context
from scheduler.construct import construct
from scheduler.curtois import load
from scheduler.evaluate import evaluate
from scheduler.lns import Incumbent, assignment_vars, improve
from scheduler.model import (
    Employee,
    Problem,
    Rule,
    ShiftLimit,
    SolveOptions,
    SolveResult,
    SolveStatus,
)
from scheduler.solve import build, extract, solve
from tests.scheduler.builders import DAY, LATE, daily, policy, problem

DATA = Path(__file__).resolve().parents[1] / "data" / "curtois-qu"

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
    calls: list[tuple[Problem, SolveResult]] = []

    def recording_solve(sub: Problem, options: SolveOptions) -> SolveResult:
        res = solve(sub, options)
        calls.append((sub, res))
        return res

    roster = construct(
        p, recording_solve, block_days=28, deadline=time.monotonic() + 30, workers=4, seed=0
    )
    assert roster is not None
    assert evaluate(p, roster).violations == ()
    # blocks of 28 days, each solved with a week's look-ahead; the last block runs to the end
    assert [(sub.start, sub.days) for sub, _ in calls] == [(p.date_of(0), 35), (p.date_of(28), 35)]
    first, last = (res.roster for _, res in calls)
    assert first is not None and last is not None
    kept = tuple(a for a in first.assignments if a.day < p.date_of(28))
    # the first block's look-ahead week is dropped; its kept days are the next block's history
    assert roster.assignments == kept + last.assignments
    assert calls[1][0].history == kept and calls[1][0].history_days == 28
    # horizon-wide limits are shared out: the last block gets what the first one left
    used = {
        e.id: sum(1 for a in kept if a.employee_id == e.id and a.shift_id == "L")
        for e in p.employees
    }
    assert {e.id: e.max_shifts[0].max_count for e in calls[1][0].employees} == {
        e_id: days // 4 - n for e_id, n in used.items()
    }


def test_a_dive_past_the_complete_searchs_share_hands_its_roster_straight_to_lns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dives: list[columns.Dive] = []

    def unproven_dive(*args: Any, **kwargs: Any) -> columns.Dive:
        found = real_dive(*args, **kwargs)
        assert found is not None
        dives.append(replace(found, bound=0))  # so the solve goes on after it
        return dives[-1]

    def complete_search(ctx: Context, *args: Any) -> Any:
        if ctx.p is p:  # not the dive's own end-game solves
            raise AssertionError("the complete search ran")
        return real_search(ctx, *args)

    real_dive, real_search = columns.dive, solve_module._first_search
    monkeypatch.setattr(columns, "dive", unproven_dive)
    monkeypatch.setattr(solve_module, "_first_search", complete_search)
    monkeypatch.setattr(solve_module, "SMALL_MODEL_CELLS", 0)  # Instance1 counts as large
    p = load(DATA / "Instance1.txt")
    # the complete search's share ends at once: the dive always ends after it
    r = solve(p, SolveOptions(time_limit_s=4, workers=2, first_solve_share=0.0))
    assert r.status == SolveStatus.FEASIBLE and r.roster is not None  # re-scored by solve
    assert len(dives) == 1 and r.objective is not None and r.objective <= dives[0].objective
    assert r.first_solution_s is not None and r.first_solution_s <= dives[0].seconds + 1
    # with the whole limit as its share, the same solve goes through the complete search
    with pytest.raises(AssertionError, match="the complete search ran"):
        solve(p, SolveOptions(time_limit_s=60, workers=2, first_solve_share=1.0))
