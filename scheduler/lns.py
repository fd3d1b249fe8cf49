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
import threading
import time as _time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.constraints.context import Context
from scheduler.evaluate import evaluate
from scheduler.model import Assignment, Progress, Roster

log = logging.getLogger(__name__)

ROUND_SECONDS = 2.0  # per neighbourhood
MAX_WORKERS = 4  # small sub-problems: fewer workers waste less on a loaded machine
FIRST_DAY_SPAN = 4  # days freed for everybody (adapts between 3 and the horizon)
FIRST_EMPLOYEE_SHARE = 0.15  # share of people freed over the whole horizon (adapts)
THREADS = 2  # neighbourhoods solved at once (CP-SAT releases the GIL while it solves)


@dataclass
class Incumbent:
    values: dict[int, int]  # proto index of every assignment literal -> 0/1
    objective: int


def assignment_vars(ctx: Context) -> list[list[list[cp_model.IntVar]]]:
    """[employee][day] -> the assignment literals of that person on that day."""
    return [
        [list(ctx.x[ei][d].values()) for d in range(ctx.n)] for ei in range(len(ctx.p.employees))
    ]


@dataclass
class _Shared:
    """State the search threads share (guarded by `lock`)."""

    best: Incumbent
    day_span: int
    emp_share: float
    rounds: int = 0
    hot: tuple[list[int], list[int]] | None = None


def improve(
    ctx: Context,
    start: Incumbent,
    *,
    deadline: float,
    seed: int,
    workers: int,
    on_better: Callable[[Incumbent], None],
    threads: int = THREADS,
) -> tuple[Incumbent, int]:
    """Run LNS rounds in `threads` parallel threads until `deadline`; return the best
    incumbent and the rounds run. A round that improves on the best roster known when it
    ends replaces it (its fixed part came from an older incumbent: still a whole roster
    priced by the full model)."""
    grid = assignment_vars(ctx)
    shared = _Shared(start, min(ctx.n, FIRST_DAY_SPAN), FIRST_EMPLOYEE_SHARE)
    lock = threading.Lock()
    per_round = max(1, min(MAX_WORKERS, workers // max(1, threads)))
    pool = [
        threading.Thread(
            target=_search,
            args=(ctx, grid, shared, lock, random.Random(seed + 7919 * i), deadline, per_round),
            kwargs={"on_better": on_better},
            daemon=True,
        )
        for i in range(max(1, threads))
    ]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return shared.best, shared.rounds


def _search(
    ctx: Context,
    grid: list[list[list[cp_model.IntVar]]],
    shared: _Shared,
    lock: threading.Lock,
    rng: random.Random,
    deadline: float,
    workers: int,
    *,
    on_better: Callable[[Incumbent], None],
) -> None:
    n_emp, n = len(grid), ctx.n
    while True:
        left = deadline - _time.monotonic()
        with lock:
            best = shared.best
            if left < 0.5 or best.objective == 0:
                return
            shared.rounds += 1
            if shared.hot is None:
                shared.hot = _hot_spots(ctx, best)
            hot_days, hot_emps = shared.hot
            day_span, emp_share = shared.day_span, shared.emp_share
        free_days: set[int]
        free_emps: set[int]
        if rng.random() < 0.5:
            centre = rng.choice(hot_days) if hot_days and rng.random() < 0.7 else rng.randrange(n)
            first = min(max(0, centre - rng.randrange(day_span)), max(0, n - day_span))
            free_days, free_emps = set(range(first, first + day_span)), set(range(n_emp))
        else:
            k = min(n_emp, max(2, round(emp_share * n_emp)))
            chosen: set[int] = set()
            if hot_emps and rng.random() < 0.7:
                chosen.update(rng.sample(hot_emps, min(len(hot_emps), max(1, k // 2))))
            rest = [e for e in range(n_emp) if e not in chosen]
            chosen.update(rng.sample(rest, max(0, min(len(rest), k - len(chosen)))))
            free_days, free_emps = set(range(n)), chosen
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
        values = None
        if obj < best.objective:
            values = {v.index: solver.value(v) for row in grid for cell in row for v in cell}
        with lock:
            if status == cp_model.OPTIMAL:
                shared.day_span = min(n, shared.day_span + 1)
                shared.emp_share = min(1.0, shared.emp_share + 0.03)
            else:
                shared.day_span = max(3, shared.day_span - 1)
                shared.emp_share = max(0.1, shared.emp_share - 0.03)
            if values is None or obj >= shared.best.objective:
                continue
            shared.best = Incumbent(values, obj)
            shared.hot = None
            on_better(shared.best)
            log.info("lns improved objective=%d round=%d", obj, shared.rounds)


def extract(ctx: Context, value: Callable[[cp_model.IntVar], int]) -> Roster:
    p = ctx.p
    out = []
    for ei, e in enumerate(p.employees):
        for d in range(ctx.n):
            for (s, k), v in ctx.x[ei][d].items():
                if value(v):
                    out.append(Assignment(e.id, p.date_of(d), p.shifts[s].id, k))
    return Roster(p.start, p.days, tuple(out))


def _hot_spots(ctx: Context, inc: Incumbent) -> tuple[list[int], list[int]]:
    """Days and people the incumbent's penalties fall on (repeated by cost share), so
    neighbourhoods go where the cost is."""
    p = ctx.p
    report = evaluate(p, extract(ctx, lambda v: inc.values[v.index])).penalties
    index = {e.id: i for i, e in enumerate(p.employees)}
    days: list[int] = []
    emps: list[int] = []
    for pen in report.items:
        if pen.day is not None and 0 <= p.index_of(pen.day) < ctx.n:
            days.append(p.index_of(pen.day))
        if pen.employee_id is not None:
            emps.append(index[pen.employee_id])
    return days, emps


def progress_of(inc: Incumbent, bound: float, t0: float, count: int) -> Progress:
    return Progress(inc.objective, bound, _time.monotonic() - t0, count)
