"""The block-by-block construction stitches a valid roster."""

from __future__ import annotations

import time

from scheduler.evaluate import evaluate
from scheduler.model import Employee, Problem, Rule, ShiftLimit, SolveOptions, SolveResult
from scheduler.search.construct import construct
from scheduler.solve import solve
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
