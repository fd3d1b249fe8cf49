"""Large-neighbourhood search around an incumbent roster.

Each round frees one neighbourhood - a window of consecutive days for everybody, all
days of a few people, or a window of one to two weeks for a third of the people - fixes
every other assignment literal to the incumbent, and lets CP-SAT re-optimise the rest
with the incumbent as hint. Better rosters replace the incumbent. Each kind of
neighbourhood adapts its own size: it grows after a round proven optimal and shrinks
after a timed-out one, so rounds stay small enough to finish. The model is the full
model, so every round's objective is the true objective of the whole roster.
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
#: first size of each kind of neighbourhood: days freed for everybody; people freed
#: over the whole horizon; people freed over a window of 7-14 days
FIRST_SIZE = {"days": 4.0, "people": 4.0, "block": 6.0}
MIN_SIZE = 2.0
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
    size: dict[str, float]
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
    threads: int | None = None,
    stop_at: int = 0,
) -> tuple[Incumbent, int]:
    """Run LNS rounds in `threads` parallel threads until `deadline` or a roster costing
    at most `stop_at` (a known lower bound); return the best incumbent and the rounds
    run. A round that improves on the best roster known when it
    ends replaces it (its fixed part came from an older incumbent: still a whole roster
    priced by the full model)."""
    threads = threads or THREADS
    grid = assignment_vars(ctx)
    shared = _Shared(start, dict(FIRST_SIZE))
    lock = threading.Lock()
    per_round = max(1, min(MAX_WORKERS, workers // max(1, threads)))
    pool = [
        threading.Thread(
            target=_search,
            args=(ctx, grid, shared, lock, random.Random(seed + 7919 * i), deadline, per_round),
            kwargs={"on_better": on_better, "stop_at": stop_at},
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
    stop_at: int,
) -> None:
    n_emp, n = len(grid), ctx.n
    while True:
        left = deadline - _time.monotonic()
        with lock:
            best = shared.best
            if left < 0.5 or best.objective <= stop_at:
                return
            shared.rounds += 1
            if shared.hot is None:
                shared.hot = _hot_spots(ctx, best)
            hot_days, hot_emps = shared.hot
            kind = rng.choice(tuple(shared.size))
            size = shared.size[kind]
        free_days, free_emps = _neighbourhood(kind, size, rng, hot_days, hot_emps, n, n_emp)
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
        log.debug(
            "lns round by=%s status=%s size=%d wall=%.2f",
            kind,
            solver.status_name(status),
            len(free_days) * len(free_emps),
            solver.wall_time,
        )
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        obj = ctx.objective_value(solver)
        values = None
        if obj < best.objective:
            values = {v.index: solver.value(v) for row in grid for cell in row for v in cell}
        with lock:
            limit = n if kind == "days" else n_emp
            grown = size * 1.1 + 0.5 if status == cp_model.OPTIMAL else size * 0.9 - 0.5
            shared.size[kind] = min(float(limit), max(MIN_SIZE, grown))
            if values is None or obj >= shared.best.objective:
                continue
            shared.best = Incumbent(values, obj)
            shared.hot = None
            on_better(shared.best)
            log.info(
                "lns improved objective=%d round=%d by=%s status=%s size=%d",
                obj,
                shared.rounds,
                kind,
                solver.status_name(status),
                len(free_days) * len(free_emps),
            )


def _neighbourhood(
    kind: str,
    size: float,
    rng: random.Random,
    hot_days: list[int],
    hot_emps: list[int],
    n: int,
    n_emp: int,
) -> tuple[set[int], set[int]]:
    """(days, people) to free; two in three neighbourhoods centre on the cost."""
    if kind == "days":
        return _window(min(n, round(size)), rng, hot_days, n), set(range(n_emp))
    k = min(n_emp, round(size))
    chosen: set[int] = set()
    if hot_emps and rng.random() < 0.7:
        chosen.update(rng.sample(hot_emps, min(len(hot_emps), max(1, k // 2))))
    rest = [e for e in range(n_emp) if e not in chosen]
    chosen.update(rng.sample(rest, max(0, min(len(rest), k - len(chosen)))))
    if kind == "people":
        return set(range(n)), chosen
    return _window(min(n, rng.randrange(7, 15)), rng, hot_days, n), chosen


def _window(span: int, rng: random.Random, hot_days: list[int], n: int) -> set[int]:
    """`span` consecutive days, around a costly day two times in three."""
    centre = rng.choice(hot_days) if hot_days and rng.random() < 0.7 else rng.randrange(n)
    first = min(max(0, centre - rng.randrange(span)), max(0, n - span))
    return set(range(first, first + span))


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
