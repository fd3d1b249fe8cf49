"""CP-SAT roster solve: build the model from the constraint families, solve, re-score,
and explain infeasibility with an assumption core."""

from __future__ import annotations

import logging
import time as _time
from collections.abc import Callable

from ortools.sat.python import cp_model

from scheduler import explain
from scheduler.constraints import build
from scheduler.constraints.context import Context
from scheduler.errors import InvalidProblem, SolverDisagreement
from scheduler.evaluate import evaluate
from scheduler.model import (
    Building,
    InfeasibilityExplanation,
    PenaltyReport,
    Problem,
    Progress,
    Roster,
    SolveOptions,
    SolveResult,
    SolveStatus,
    whole_bound,
)
from scheduler.search import by_employee, complete, dive, lns
from scheduler.search.construct import construct
from scheduler.search.lns import extract
from scheduler.validate import validate

log = logging.getLogger(__name__)

ProgressFn = Callable[[Progress], None]
BuildingFn = Callable[[Building], None]

#: horizons longer than this get a block-by-block first roster before LNS
CONSTRUCT_ABOVE_DAYS = 84
CONSTRUCT_BLOCK_DAYS = 28
CONSTRUCT_SHARE = 0.6
#: up to this many employee-days the complete search gets the whole time (it proves
#: optimality on small models, and its own LNS beat ours on Curtois-Qu 5-9)
SMALL_MODEL_CELLS = 1000
#: seconds per group re-solved by the by-employee search of long horizons
BY_EMPLOYEE_ROUND_S = 3.0
#: share of the time limit the by-employee construction aims at (it runs on past it
#: until every person has a row: a roster first)
BY_EMPLOYEE_CONSTRUCT_SHARE = 0.4
#: share of the time limit for a group-by-group warm start of a model built whole
WARM_START_SHARE = 0.05
#: share of the time limit the price-and-dive warm start aims at (search/dive.py)
DIVE_SHARE = 0.8


def solve(
    problem: Problem,
    options: SolveOptions | None = None,
    on_progress: ProgressFn | None = None,
    on_building: BuildingFn | None = None,
) -> SolveResult:
    """Solve `problem` under its policy. The roster returned is re-scored by the
    independent evaluator; a disagreement raises `SolverDisagreement`. `on_progress`
    hears of every better roster; `on_building` of the first roster's construction by
    price and dive, which comes before any roster."""
    options = options or SolveOptions()
    validate(problem)
    t0 = _time.monotonic()
    watcher = complete.Watcher(on_progress, t0)
    watcher.stop_at = options.stop_at_objective
    deadline = t0 + options.time_limit_s
    first_roster: Roster | None = None
    long_horizon = options.lns and problem.days > CONSTRUCT_ABOVE_DAYS
    if long_horizon and by_employee.separable(problem):
        done = _solve_by_employee(problem, options, watcher)
        if done is not None:
            return done
        if deadline - _time.monotonic() < 1.0:
            return _no_roster(SolveStatus.UNKNOWN, t0, watcher)
    if long_horizon:
        first_roster = construct(
            problem,
            solve,
            block_days=CONSTRUCT_BLOCK_DAYS,
            deadline=t0 + options.time_limit_s * CONSTRUCT_SHARE,
            workers=options.workers,
            seed=options.seed,
        )
    ctx = build(problem)
    log.info(
        "model built problem=%s vars=%d terms=%d",
        problem.name,
        len(ctx.model.proto.variables),
        len(ctx.terms),
    )
    hint_from_published(ctx)
    grid = lns.assignment_vars(ctx)
    if first_roster is not None:
        built = _incumbent_of(ctx, first_roster)
        watcher.announce(built.objective)
        best = _lns(ctx, built, None, options, deadline, watcher)
        roster = extract(ctx, lambda v: best.values[v.index])
        return _with_roster(problem, SolveStatus.FEASIBLE, roster, best.objective, None, watcher)
    use_lns = options.lns and problem.days * len(problem.employees) > SMALL_MODEL_CELLS
    warm: lns.Incumbent | None = None
    dive_bound: int | None = None
    if options.lns and not options.feasibility_first:
        dove = _dive(ctx, options, t0, on_building)
        if dove is not None:
            watcher.announce(dove.objective, dove.bound)
            if dove.objective <= dove.bound:  # the roster meets the Lagrangian bound
                return _with_roster(
                    problem, SolveStatus.OPTIMAL, dove.roster, dove.objective, dove.bound, watcher
                )
            warm, dive_bound = _incumbent_of(ctx, dove.roster, dove.objective), dove.bound
            _hint(ctx, grid, warm)
            watcher.stop_at = max(dove.bound, watcher.stop_at or dove.bound)
            watcher.floor = dove.bound
    if use_lns and warm is None and not options.feasibility_first:
        warm = _warm_start(ctx, grid, options, deadline)
    phase_end = t0 + options.time_limit_s * options.first_solve_share if use_lns else deadline
    if options.soft_time_limit_s is not None:
        phase_end = min(phase_end, t0 + options.soft_time_limit_s)
    search_end = deadline
    if long_horizon:  # block construction failed: keep half the time for a pure
        search_end = _time.monotonic() + (deadline - _time.monotonic()) / 2  # feasibility run
    # a dive that ran past the complete search's share leaves that search only time to
    # find a roster worse than the dive's (11-15 s on Curtois-Qu 13): LNS starts at once
    dived_late = warm is not None and dive_bound is not None and _time.monotonic() >= phase_end
    if dived_late:
        log.info("dive ended after the complete search's share: LNS from its roster")
    if options.feasibility_first or dived_late:  # skip the complete search
        solver, status = cp_model.CpSolver(), cp_model.CpSolverStatus.UNKNOWN
    else:
        solver, status = complete.first_search(ctx, options, watcher, search_end, phase_end)
        log.info("first solve status=%s wall=%.2f", solver.status_name(status), solver.wall_time)
    incumbent: lns.Incumbent | None = None
    bound: float | None = None
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = {v.index: solver.value(v) for row in grid for cell in row for v in cell}
        incumbent = lns.Incumbent(values, ctx.objective_value(solver))
        bound = max(solver.best_objective_bound, dive_bound or 0)
        if warm is not None and warm.objective < incumbent.objective:
            incumbent = warm  # the search did not get back to its hint in time
    elif status == cp_model.UNKNOWN and warm is not None:
        incumbent, bound = warm, dive_bound
        if dive_bound is None:
            watcher.announce(incumbent.objective)
    elif status == cp_model.UNKNOWN and deadline - _time.monotonic() > 0.5:
        incumbent = complete.feasible_only(ctx, grid, options, deadline, watcher)
    elif status == cp_model.INFEASIBLE:
        explanation = explain.explain(problem, options) if options.explain else None
        return _no_roster(SolveStatus.INFEASIBLE, t0, watcher, explanation)
    elif status == cp_model.MODEL_INVALID:
        raise InvalidProblem(f"CP-SAT rejected the model: {ctx.model.validate()}")
    if incumbent is None:
        return _no_roster(SolveStatus.UNKNOWN, t0, watcher)
    st = SolveStatus.OPTIMAL if status == cp_model.OPTIMAL else SolveStatus.FEASIBLE
    if st == SolveStatus.FEASIBLE and options.lns and deadline - _time.monotonic() > 1.0:
        incumbent = _lns(ctx, incumbent, bound, options, deadline, watcher)
        if bound is not None and incumbent.objective <= whole_bound(bound):
            st = SolveStatus.OPTIMAL  # the search reached a proven lower bound
    roster = extract(ctx, lambda v: incumbent.values[v.index])
    return _with_roster(problem, st, roster, incumbent.objective, bound, watcher)


def _warm_start(
    ctx: Context, grid: list[list[list[cp_model.IntVar]]], options: SolveOptions, deadline: float
) -> lns.Incumbent | None:
    """A first roster built group by group (when no hard rule ties people together),
    given to the complete search as its hint. Skipped when the problem brings its own
    hint or published roster."""
    p = ctx.p
    if p.hint is not None or p.published is not None or not by_employee.separable(p):
        return None
    now = _time.monotonic()
    built = by_employee.construct(
        p,
        solve,
        deadline=now + options.time_limit_s * WARM_START_SHARE,
        hard_deadline=deadline,
        workers=options.workers,
        seed=options.seed,
    )
    if built is None:
        return None
    warm = _incumbent_of(ctx, *built)
    _hint(ctx, grid, warm)
    log.info("warm start objective=%d after %.2f s", warm.objective, _time.monotonic() - now)
    return warm


def _dive(
    ctx: Context, options: SolveOptions, t0: float, on_building: BuildingFn | None
) -> dive.Dive | None:
    """A roster by price and dive (search/dive.py) when the objective splits by person and
    cover line. Skipped when the problem brings its own hint or published roster."""
    p = ctx.p
    if p.hint is not None or p.published is not None or not dive.usable(p):
        return None
    return dive.dive(
        p,
        solve,
        deadline=t0 + options.time_limit_s * DIVE_SHARE,
        seed=options.seed,
        workers=options.workers,
        report=on_building,
        since=t0,
    )


def _hint(ctx: Context, grid: list[list[list[cp_model.IntVar]]], start: lns.Incumbent) -> None:
    for row in grid:
        for cell in row:
            for v in cell:
                ctx.model.add_hint(v, start.values[v.index])


def _no_roster(
    status: SolveStatus,
    t0: float,
    watcher: complete.Watcher,
    explanation: InfeasibilityExplanation | None = None,
) -> SolveResult:
    return SolveResult(
        status,
        None,
        None,
        None,
        PenaltyReport(()),
        _time.monotonic() - t0,
        None,
        explanation,
        tuple(watcher.seen),
    )


def _with_roster(
    problem: Problem,
    status: SolveStatus,
    roster: Roster,
    objective: int,
    bound: float | None,
    watcher: complete.Watcher,
) -> SolveResult:
    """The result for a roster, re-scored by the evaluator (which must agree)."""
    report = check_agreement(problem, roster, objective)
    return SolveResult(
        status,
        roster,
        objective,
        bound,
        report,
        _time.monotonic() - watcher.t0,
        watcher.first,
        None,
        tuple(watcher.seen),
    )


def _solve_by_employee(
    problem: Problem,
    options: SolveOptions,
    watcher: complete.Watcher,
) -> SolveResult | None:
    """Long horizons: a first roster person by person against the residual demand, then
    large-neighbourhood search by group of people - the model of the whole horizon is
    never built (a year of 150 people does not fit a 2-core time budget)."""
    t0 = watcher.t0
    deadline = t0 + options.time_limit_s
    built = by_employee.construct(
        problem,
        solve,
        deadline=t0 + options.time_limit_s * BY_EMPLOYEE_CONSTRUCT_SHARE,
        hard_deadline=deadline,
        workers=options.workers,
        seed=options.seed,
    )
    if built is None:
        return None
    roster, objective = built
    watcher.announce(objective)

    def better(_roster: Roster, value: int) -> None:
        watcher.announce(value)

    roster, objective = by_employee.improve(
        problem,
        roster,
        objective,
        solve,
        deadline=deadline,
        workers=options.workers,
        seed=options.seed,
        group_size=max(1, by_employee.IMPROVE_CELLS // problem.days),
        round_seconds=BY_EMPLOYEE_ROUND_S,
        on_better=better,
    )
    return _with_roster(problem, SolveStatus.FEASIBLE, roster, objective, None, watcher)


def _incumbent_of(ctx: Context, roster: Roster, objective: int | None = None) -> lns.Incumbent:
    """A roster as values of the model's assignment literals, priced by the evaluator
    unless its `objective` is already known."""
    p = ctx.p
    emp = {e.id: i for i, e in enumerate(p.employees)}
    sidx = {s.id: i for i, s in enumerate(p.shifts)}
    on = {
        (emp[a.employee_id], p.index_of(a.day), sidx[a.shift_id], a.skill)
        for a in roster.assignments
    }
    values = {
        v.index: int((ei, d, s, k) in on)
        for ei in range(len(p.employees))
        for d in range(ctx.n)
        for (s, k), v in ctx.x[ei][d].items()
    }
    if objective is None:
        objective = evaluate(p, roster).objective
    return lns.Incumbent(values, objective)


def _lns(
    ctx: Context,
    start: lns.Incumbent,
    bound: float | None,
    options: SolveOptions,
    deadline: float,
    watcher: complete.Watcher,
) -> lns.Incumbent:
    def better(inc: lns.Incumbent) -> None:
        prog = lns.progress_of(inc, bound or 0.0, watcher.t0, len(watcher.seen) + 1)
        watcher.seen.append(prog)
        if watcher.on_progress is not None:
            watcher.on_progress(prog)

    best, rounds = lns.improve(
        ctx,
        start,
        deadline=deadline,
        seed=options.seed,
        workers=options.workers,
        on_better=better,
        stop_at=max(0, whole_bound(bound)) if bound is not None else 0,
    )
    log.info("lns done rounds=%d objective=%d", rounds, best.objective)
    return best


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
                chosen = next(
                    (key for key in keys if key[1] == old.skill), keys[0] if keys else None
                )
            for key, v in ctx.x[ei][d].items():
                ctx.model.add_hint(v, key == chosen)
