"""CP-SAT roster solve: build the model from the constraint families, solve, re-score,
and explain infeasibility with an assumption core."""

from __future__ import annotations

import logging
import time as _time
from collections.abc import Callable, Sequence

from ortools.sat.python import cp_model

from scheduler.constraints import assignment, counts, cover, hours, sequence, wishes
from scheduler.constraints.context import Context
from scheduler.errors import InvalidProblem, SolverDisagreement
from scheduler.evaluate import evaluate
from scheduler.model import (
    Assignment,
    Conflict,
    InfeasibilityExplanation,
    PenaltyReport,
    Problem,
    Progress,
    Roster,
    Rule,
    SolveOptions,
    SolveResult,
    SolveStatus,
)
from scheduler.validate import validate

log = logging.getLogger(__name__)

ProgressFn = Callable[[Progress], None]

FAMILIES: tuple[Callable[[Context], None], ...] = (
    assignment.post_absences,
    assignment.post_pins,
    assignment.post_no_nights,
    cover.post_cover,
    sequence.post_successions,
    sequence.post_max_consecutive,
    sequence.post_min_consecutive,
    sequence.post_weekly_rest,
    counts.post_max_shifts,
    counts.post_total_minutes,
    counts.post_max_weekends,
    hours.post_overtime,
    wishes.post_requests,
    wishes.post_fairness,
    wishes.post_minimal_change,
)


def build(problem: Problem, *, explain: bool = False) -> Context:
    ctx = Context(problem, explain=explain)
    for family in FAMILIES:
        family(ctx)
    if not explain:
        ctx.model.minimize(sum(ctx.objective_terms()))
    return ctx


class _Watcher(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_progress: ProgressFn | None, t0: float) -> None:
        super().__init__()
        self.on_progress = on_progress
        self.t0 = t0
        self.first: float | None = None
        self.seen: list[Progress] = []

    def on_solution_callback(self) -> None:
        now = _time.monotonic() - self.t0
        if self.first is None:
            self.first = now
        prog = Progress(int(self.objective_value), self.best_objective_bound, now,
                        len(self.seen) + 1)
        self.seen.append(prog)
        if self.on_progress is not None:
            self.on_progress(prog)


def _params(options: SolveOptions, time_limit: float, workers: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = options.seed
    return solver


def extract(ctx: Context, value: Callable[[cp_model.IntVar], int]) -> Roster:
    p = ctx.p
    out = []
    for ei, e in enumerate(p.employees):
        for d in range(ctx.n):
            for (s, k), v in ctx.x[ei][d].items():
                if value(v):
                    out.append(Assignment(e.id, p.date_of(d), p.shifts[s].id, k))
    return Roster(p.start, p.days, tuple(out))


def solve(
    problem: Problem,
    options: SolveOptions | None = None,
    on_progress: ProgressFn | None = None,
) -> SolveResult:
    """Solve `problem` under its policy. The roster returned is re-scored by the
    independent evaluator; a disagreement raises `SolverDisagreement`."""
    options = options or SolveOptions()
    validate(problem)
    t0 = _time.monotonic()
    ctx = build(problem)
    log.info("model built problem=%s vars=%d terms=%d", problem.name,
             len(ctx.model.proto.variables), len(ctx.terms))
    hint_from_published(ctx)
    watcher = _Watcher(on_progress, t0)
    remaining = options.time_limit_s - (_time.monotonic() - t0)
    solver = _params(options, remaining, options.workers)
    status = solver.solve(ctx.model, watcher)
    name = solver.status_name(status)
    log.info("solved status=%s objective=%s wall=%.2f", name,
             solver.objective_value if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None,
             solver.wall_time)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        roster = extract(ctx, solver.boolean_value)
        objective = round(solver.objective_value)
        bound = solver.best_objective_bound
        st = SolveStatus.OPTIMAL if status == cp_model.OPTIMAL else SolveStatus.FEASIBLE
        report = check_agreement(problem, roster, objective)
        return SolveResult(st, roster, objective, bound, report,
                           _time.monotonic() - t0, watcher.first, None, tuple(watcher.seen))
    if status == cp_model.INFEASIBLE:
        explanation = None
        if options.explain:
            explanation = explain(problem, options)
        return SolveResult(SolveStatus.INFEASIBLE, None, None, None, PenaltyReport(()),
                           _time.monotonic() - t0, None, explanation, ())
    if status == cp_model.MODEL_INVALID:
        raise InvalidProblem(f"CP-SAT rejected the model: {ctx.model.validate()}")
    return SolveResult(SolveStatus.UNKNOWN, None, None, None, PenaltyReport(()),
                       _time.monotonic() - t0, None, None, tuple(watcher.seen))


def check_agreement(problem: Problem, roster: Roster, objective: int) -> PenaltyReport:
    ev = evaluate(problem, roster)
    if ev.violations:
        raise SolverDisagreement(
            f"solver returned a roster breaking hard rules: {ev.violations[:3]}"
        )
    if ev.objective != objective:
        raise SolverDisagreement(
            f"solver objective {objective} != evaluator objective {ev.objective}"
        )
    return ev.penalties


def hint_from_published(ctx: Context) -> None:
    """Hint the search with `problem.hint`, else the published roster; an assignment's
    skill picks the matching role variable (the first role when it names none)."""
    pub = ctx.p.hint if ctx.p.hint is not None else ctx.p.published
    if pub is None:
        return
    was = {(a.employee_id, ctx.p.index_of(a.day)): a for a in pub.assignments}
    for ei, e in enumerate(ctx.p.employees):
        for d in range(ctx.n):
            old = was.get((e.id, d))
            chosen = None
            if old is not None:
                keys = [key for key in ctx.x[ei][d] if ctx.p.shifts[key[0]].id == old.shift_id]
                chosen = next((key for key in keys if key[1] == old.skill),
                              keys[0] if keys else None)
            for key, v in ctx.x[ei][d].items():
                ctx.model.add_hint(v, key == chosen)


def explain(problem: Problem, options: SolveOptions) -> InfeasibilityExplanation:
    """Name a small set of hard-rule groups that cannot hold together."""
    t0 = _time.monotonic()
    ctx = build(problem, explain=True)
    lits = [lit for lit, _g in ctx.groups.values()]
    by_index = {lit.index: g for lit, g in ctx.groups.values()}
    core = _core(ctx, lits, options, options.explain_time_limit_s / 2)
    if not core:
        words = ("the structural rules alone (one shift a day, skills, no overlap) cannot hold"
                 if core is not None else "no small conflict found within the time limit")
        return InfeasibilityExplanation((Conflict(Rule.ONE_SHIFT_PER_DAY, words),),
                                        minimal=False)
    # shrink by deletion while time allows
    minimal = True
    i = 0
    while i < len(core):
        if _time.monotonic() - t0 > options.explain_time_limit_s:
            minimal = False
            break
        trial = core[:i] + core[i + 1:]
        sub = _core(ctx, trial, options, 5.0)
        if sub is not None:
            core = sub if len(sub) < len(trial) else trial
        else:
            i += 1
    conflicts = tuple(
        Conflict(g.rule, g.words, g.employee_id, g.day)
        for g in sorted((by_index[lit.index] for lit in core),
                        key=lambda g: (g.rule != "cover_minimum", g.words))
    )
    return InfeasibilityExplanation(conflicts, minimal)


def _core(ctx: Context, lits: Sequence[cp_model.IntVar], options: SolveOptions,
          limit: float) -> list[cp_model.IntVar] | None:
    """Infeasible core among `lits` (None if feasible or undecided)."""
    ctx.model.clear_assumptions()
    ctx.model.add_assumptions(lits)
    solver = _params(options, limit, 1)
    status = solver.solve(ctx.model)
    if status != cp_model.INFEASIBLE:
        return None
    idx = set(solver.sufficient_assumptions_for_infeasibility())
    return [lit for lit in lits if lit.index in idx]
