"""Rolling-horizon construction of a first roster for long horizons.

A monolithic model of a half-year or a year often finds no roster at all in minutes.
Here the horizon is cut into blocks of `block_days` (whole weeks); each block is solved
on its own, with the previous block's tail as history and each person's horizon-wide
limits (total minutes, shifts per type, weekends) reduced by what earlier blocks used.
Minimum total minutes, weekends and shifts per type are pro-rated; the minimum is soft
until the last block. The stitched roster is then checked by the evaluator; LNS on the
full model improves it.
"""

from __future__ import annotations

import logging
import math
import time as _time
from dataclasses import replace
from datetime import date

from scheduler.evaluate import evaluate
from scheduler.model import (
    Assignment,
    Employee,
    Policy,
    Problem,
    Roster,
    Rule,
    RuleSetting,
    ShiftLimit,
    SolveOptions,
)
from scheduler.search import Solver

log = logging.getLogger(__name__)

LOOKAHEAD_DAYS = 7
#: per minute short of the pro-rated minimum in early blocks (a shift short costs more
#: than leaving a person uncovered, so blocks keep up with the minimum)
MIN_TOTAL_WEIGHT = 10


def _soft_min_total(policy: Policy) -> Policy:
    rules = tuple(
        RuleSetting(r.rule, hard=False, weight=MIN_TOTAL_WEIGHT)
        if r.rule == Rule.MIN_TOTAL_MINUTES
        else r
        for r in policy.rules
    )
    return replace(policy, rules=rules)


def _weekends_worked(p: Problem, assignments: list[Assignment], employee_id: str) -> int:
    weeks = {
        a.day.isocalendar()[:2]
        for a in assignments
        if a.employee_id == employee_id and a.day.weekday() >= 5
    }
    return len(weeks)


def construct(
    problem: Problem, solve_fn: Solver, *, block_days: int, deadline: float, workers: int, seed: int
) -> Roster | None:
    """A roster meeting every hard rule, or None if a block could not be solved in time."""
    n = problem.days
    blocks = [(b, min(n, b + block_days)) for b in range(0, n, block_days)]
    done: list[Assignment] = []
    minutes = {s.id: s.minutes for s in problem.shifts}
    for i, (b0, keep) in enumerate(blocks):
        # solve a week beyond the block, keep only the block: runs and rest rules then
        # see past the block's end, so the next block is not left an impossible start
        b1 = min(n, keep + LOOKAHEAD_DAYS)
        final = b1 == n
        left = deadline - _time.monotonic()
        if left < 1.0:
            return None
        employees: list[Employee] = []
        for e in problem.employees:
            mine = [a for a in done if a.employee_id == e.id]
            used = sum(minutes[a.shift_id] for a in mine)
            target = e.min_total_minutes if final else math.ceil(e.min_total_minutes * b1 / n)

            def share(limit: int, b1: int = b1, final: bool = final) -> int:
                """A horizon-wide cap pro-rated to the days solved so far (rounded up), so
                early blocks do not use up what later blocks need."""
                return limit if final else math.ceil(limit * b1 / n)

            employees.append(
                replace(
                    e,
                    min_total_minutes=max(0, target - used),
                    max_total_minutes=None
                    if e.max_total_minutes is None
                    else max(0, e.max_total_minutes - used),
                    max_shifts=tuple(
                        ShiftLimit(
                            lim.shift_id,
                            max(
                                0,
                                share(lim.max_count)
                                - sum(1 for a in mine if a.shift_id == lim.shift_id),
                            ),
                        )
                        for lim in e.max_shifts
                    ),
                    max_weekends=None
                    if e.max_weekends is None
                    else max(0, share(e.max_weekends) - _weekends_worked(problem, done, e.id)),
                )
            )
        start, end = problem.date_of(b0), problem.date_of(b1)
        if b0 == 0:
            history, hist_days = problem.history, problem.history_days
        else:
            hist_days = min(b0, 28)
            first = problem.date_of(b0 - hist_days)
            history = tuple(a for a in done if first <= a.day < start)

        def inside(day: date, start: date = start, end: date = end) -> bool:
            return start <= day < end

        sub = replace(
            problem,
            start=start,
            days=b1 - b0,
            employees=tuple(employees),
            demand=tuple(d for d in problem.demand if inside(d.day)),
            absences=tuple(a for a in problem.absences if inside(a.day)),
            requests=tuple(r for r in problem.requests if inside(r.day)),
            pins=tuple(x for x in problem.pins if inside(x.day)),
            history=history,
            history_days=hist_days,
            policy=problem.policy if final else _soft_min_total(problem.policy),
            name=f"{problem.name}[{b0}:{b1}]",
        )
        budget = left / (len(blocks) - i)
        res = solve_fn(
            sub,
            SolveOptions(
                time_limit_s=budget,
                workers=workers,
                seed=seed,
                explain=False,
                feasibility_first=True,
            ),
        )
        if res.roster is None:
            log.info("construction failed block=%d..%d status=%s", b0, b1, res.status)
            return None
        cut = problem.date_of(n if final else keep)
        done.extend(a for a in res.roster.assignments if a.day < cut)
        log.info("constructed block=%d..%d objective=%s", b0, keep, res.objective)
        if final:
            break
    roster = Roster(problem.start, n, tuple(done))
    ev = evaluate(problem, roster)
    if ev.violations:
        log.info("constructed roster breaks %d hard rules; dropped", len(ev.violations))
        return None
    return roster
