"""The complete CP-SAT search of the whole model: its parameters, the callback that
hears of every roster, and the feasibility-only run for a model with no roster yet."""

from __future__ import annotations

import logging
import threading
import time as _time
from collections.abc import Callable

from ortools.sat.python import cp_model

from scheduler.constraints.context import Context
from scheduler.evaluate import evaluate
from scheduler.model import Progress, SolveOptions
from scheduler.search import lns
from scheduler.search.lns import extract

log = logging.getLogger(__name__)

ProgressFn = Callable[[Progress], None]


class Watcher(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_progress: ProgressFn | None, t0: float) -> None:
        super().__init__()
        self.on_progress = on_progress
        self.t0 = t0
        self.first: float | None = None
        self.seen: list[Progress] = []
        #: monotonic time after which the search stops at its next solution
        self.stop_after: float | None = None
        #: the search stops at a solution costing at most this (nothing can be better)
        self.stop_at: int | None = None
        #: a bound proven before the search (the dive's), reported if CP-SAT's is lower
        self.floor = 0.0

    def on_solution_callback(self) -> None:
        now = _time.monotonic() - self.t0
        if self.first is None:
            self.first = now
        bound = max(self.best_objective_bound, self.floor)
        prog = Progress(int(self.objective_value), bound, now, len(self.seen) + 1)
        self.seen.append(prog)
        if self.on_progress is not None:
            self.on_progress(prog)
        if self.stop_after is not None and _time.monotonic() >= self.stop_after:
            self.stop_search()
        if self.stop_at is not None and prog.objective <= self.stop_at:
            self.stop_search()

    def announce(self, objective: int, bound: float = 0.0) -> None:
        """A roster found outside the complete search (a dive, a construction, LNS)."""
        now = _time.monotonic() - self.t0
        if self.first is None:
            self.first = now
        prog = Progress(objective, bound, now, len(self.seen) + 1)
        self.seen.append(prog)
        if self.on_progress is not None:
            self.on_progress(prog)


def first_search(
    ctx: Context, options: SolveOptions, watcher: Watcher, deadline: float, phase_end: float
) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
    """The complete search, stopped at `phase_end` if it has a roster by then, else at its
    first roster after that (or at the deadline)."""
    solver = params(options, deadline - _time.monotonic(), options.workers)
    if phase_end >= deadline:
        return solver, solver.solve(ctx.model, watcher)
    watcher.stop_after = phase_end

    def check() -> None:
        if watcher.first is not None:
            solver.stop_search()

    timer = threading.Timer(max(0.0, phase_end - _time.monotonic()), check)
    timer.start()
    try:
        status = solver.solve(ctx.model, watcher)
    finally:
        timer.cancel()
        watcher.stop_after = None
    return solver, status


def params(options: SolveOptions, time_limit: float, workers: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = options.seed
    if options.light_presolve:
        light_presolve(solver)
    return solver


def light_presolve(solver: cp_model.CpSolver) -> None:
    solver.parameters.max_presolve_iterations = 1
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0


def feasible_only(
    ctx: Context,
    grid: list[list[list[cp_model.IntVar]]],
    options: SolveOptions,
    deadline: float,
    watcher: Watcher,
) -> lns.Incumbent | None:
    """No roster yet: look for any roster satisfying the hard rules (no objective), then
    price it with the evaluator so LNS can start from it."""
    model = ctx.model.clone()
    model.proto.clear_objective()
    solver = params(options, deadline - _time.monotonic(), options.workers)
    solver.parameters.stop_after_first_solution = True
    status = solver.solve(model)
    log.info("feasibility solve status=%s wall=%.2f", solver.status_name(status), solver.wall_time)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    values = {v.index: solver.value(v) for row in grid for cell in row for v in cell}
    roster = extract(ctx, lambda v: values[v.index])
    inc = lns.Incumbent(values, evaluate(ctx.p, roster).objective)
    watcher.announce(inc.objective)
    return inc
