"""Large-neighbourhood search around an incumbent roster.

Each round frees one neighbourhood - a window of consecutive days for everybody, or all
days of a group of people - fixes every other assignment literal to the incumbent, and
lets CP-SAT re-optimise the rest with the incumbent as hint. Better rosters replace the
incumbent; the neighbourhood size adapts (grows after a proven-optimal round, shrinks
after a timed-out one). The model is the full model, so every round's objective is the
true objective of the whole roster.
"""

from __future__ import annotations

import logging
import random
import time as _time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.constraints.context import Context
from scheduler.model import Progress

log = logging.getLogger(__name__)

ROUND_SECONDS = 2.0  # per neighbourhood
MAX_WORKERS = 4  # small sub-problems: fewer workers waste less on a loaded machine
FIRST_DAY_SPAN = 4  # days freed for everybody (adapts between 3 and the horizon)
FIRST_EMPLOYEE_SHARE = 0.15  # share of people freed over the whole horizon (adapts)


@dataclass
class Incumbent:
    values: dict[int, int]  # proto index of every assignment literal -> 0/1
    objective: int


def assignment_vars(ctx: Context) -> list[list[list[cp_model.IntVar]]]:
    """[employee][day] -> the assignment literals of that person on that day."""
    return [[list(ctx.x[ei][d].values()) for d in range(ctx.n)]
            for ei in range(len(ctx.p.employees))]


def improve(
    ctx: Context,
    start: Incumbent,
    *,
    deadline: float,
    seed: int,
    workers: int,
    on_better: Callable[[Incumbent], None],
) -> tuple[Incumbent, int]:
    """Run LNS rounds until `deadline`; return the best incumbent and the rounds run."""
    rng = random.Random(seed)
    grid = assignment_vars(ctx)
    n_emp, n = len(grid), ctx.n
    best = start
    day_span = min(n, FIRST_DAY_SPAN)
    emp_share = FIRST_EMPLOYEE_SHARE
    workers = min(workers, MAX_WORKERS)
    rounds = 0
    while True:
        left = deadline - _time.monotonic()
        if left < 0.5 or best.objective == 0:
            break
        rounds += 1
        free_days: set[int]
        free_emps: set[int]
        if rng.random() < 0.5:
            first = rng.randrange(0, max(1, n - day_span + 1))
            free_days, free_emps = set(range(first, first + day_span)), set(range(n_emp))
        else:
            k = max(2, round(emp_share * n_emp))
            free_days, free_emps = set(range(n)), set(rng.sample(range(n_emp), min(k, n_emp)))
        model = ctx.model.clone()
        model.proto.clear_solution_hint()
        hint = model.proto.solution_hint
        for ei in range(n_emp):
            for d in range(n):
                fixed = ei not in free_emps or d not in free_days
                for v in grid[ei][d]:
                    val = best.values[v.index]
                    if fixed:
                        dom = model.proto.variables[v.index].domain
                        dom[0] = val
                        dom[1] = val
                    else:
                        hint.vars.append(v.index)
                        hint.values.append(val)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = min(left, ROUND_SECONDS)
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = rng.randrange(1 << 30)
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        obj = ctx.objective_value(solver)
        if status == cp_model.OPTIMAL:
            day_span = min(n, day_span + 1)
            emp_share = min(1.0, emp_share + 0.03)
        else:
            day_span = max(3, day_span - 1)
            emp_share = max(0.1, emp_share - 0.03)
        if obj < best.objective:
            values = {v.index: solver.value(v) for row in grid for cell in row for v in cell}
            best = Incumbent(values, obj)
            on_better(best)
            log.info("lns improved objective=%d round=%d", obj, rounds)
    return best, rounds


def progress_of(inc: Incumbent, bound: float, t0: float, count: int) -> Progress:
    return Progress(inc.objective, bound, _time.monotonic() - t0, count)
