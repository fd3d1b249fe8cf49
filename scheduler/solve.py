"""CP-SAT roster solve: build the model from the constraint families, solve, re-score,
and explain infeasibility with an assumption core."""

from __future__ import annotations

import logging
import threading
import time as _time
from collections.abc import Callable, Sequence

from ortools.sat.python import cp_model

from scheduler.constraints import build
from scheduler.constraints.context import Context
from scheduler.errors import InvalidProblem, SolverDisagreement
from scheduler.evaluate import evaluate
from scheduler.model import (
    Building,
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
    whole_bound,
)
from scheduler.search import by_employee, dive, lns
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


class _Watcher(cp_model.CpSolverSolutionCallback):
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


def _first_search(
    ctx: Context, options: SolveOptions, watcher: _Watcher, deadline: float, phase_end: float
) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
    """The complete search, stopped at `phase_end` if it has a roster by then, else at its
    first roster after that (or at the deadline)."""
    solver = _params(options, deadline - _time.monotonic(), options.workers)
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


def _params(options: SolveOptions, time_limit: float, workers: int) -> cp_model.CpSolver:
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
    watcher = _Watcher(on_progress, t0)
    watcher.stop_at = options.stop_at_objective
    deadline = t0 + options.time_limit_s
    first_roster: Roster | None = None
    long_horizon = options.lns and problem.days > CONSTRUCT_ABOVE_DAYS
    if long_horizon and by_employee.separable(problem):
        done = _solve_by_employee(problem, options, watcher, on_progress)
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
        _announce(built.objective, watcher, on_progress)
        best = _lns(ctx, built, None, options, deadline, watcher, on_progress)
        roster = extract(ctx, lambda v: best.values[v.index])
        return _with_roster(problem, SolveStatus.FEASIBLE, roster, best.objective, None, watcher)
    use_lns = options.lns and problem.days * len(problem.employees) > SMALL_MODEL_CELLS
    warm: lns.Incumbent | None = None
    dive_bound: int | None = None
    if options.lns and not options.feasibility_first:
        dove = _dive(ctx, options, t0, on_building)
        if dove is not None:
            _announce(dove.objective, watcher, on_progress, dove.bound)
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
        solver, status = _first_search(ctx, options, watcher, search_end, phase_end)
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
            _announce(incumbent.objective, watcher, on_progress)
    elif status == cp_model.UNKNOWN and deadline - _time.monotonic() > 0.5:
        incumbent = _feasible_only(ctx, grid, options, deadline, watcher, on_progress)
    elif status == cp_model.INFEASIBLE:
        explanation = explain(problem, options) if options.explain else None
        return _no_roster(SolveStatus.INFEASIBLE, t0, watcher, explanation)
    elif status == cp_model.MODEL_INVALID:
        raise InvalidProblem(f"CP-SAT rejected the model: {ctx.model.validate()}")
    if incumbent is None:
        return _no_roster(SolveStatus.UNKNOWN, t0, watcher)
    st = SolveStatus.OPTIMAL if status == cp_model.OPTIMAL else SolveStatus.FEASIBLE
    if st == SolveStatus.FEASIBLE and options.lns and deadline - _time.monotonic() > 1.0:
        incumbent = _lns(ctx, incumbent, bound, options, deadline, watcher, on_progress)
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
    watcher: _Watcher,
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
    watcher: _Watcher,
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
    problem: Problem, options: SolveOptions, watcher: _Watcher, on_progress: ProgressFn | None
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
    _announce(objective, watcher, on_progress)

    def better(_roster: Roster, value: int) -> None:
        _announce(value, watcher, on_progress)

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


def _announce(
    objective: int, watcher: _Watcher, on_progress: ProgressFn | None, bound: float = 0.0
) -> None:
    now = _time.monotonic() - watcher.t0
    if watcher.first is None:
        watcher.first = now
    prog = Progress(objective, bound, now, len(watcher.seen) + 1)
    watcher.seen.append(prog)
    if on_progress is not None:
        on_progress(prog)


def _feasible_only(
    ctx: Context,
    grid: list[list[list[cp_model.IntVar]]],
    options: SolveOptions,
    deadline: float,
    watcher: _Watcher,
    on_progress: ProgressFn | None,
) -> lns.Incumbent | None:
    """No roster yet: look for any roster satisfying the hard rules (no objective), then
    price it with the evaluator so LNS can start from it."""
    model = ctx.model.clone()
    model.proto.clear_objective()
    solver = _params(options, deadline - _time.monotonic(), options.workers)
    solver.parameters.stop_after_first_solution = True
    status = solver.solve(model)
    log.info("feasibility solve status=%s wall=%.2f", solver.status_name(status), solver.wall_time)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    values = {v.index: solver.value(v) for row in grid for cell in row for v in cell}
    roster = extract(ctx, lambda v: values[v.index])
    inc = lns.Incumbent(values, evaluate(ctx.p, roster).objective)
    _announce(inc.objective, watcher, on_progress)
    return inc


def _lns(
    ctx: Context,
    start: lns.Incumbent,
    bound: float | None,
    options: SolveOptions,
    deadline: float,
    watcher: _Watcher,
    on_progress: ProgressFn | None,
) -> lns.Incumbent:
    def better(inc: lns.Incumbent) -> None:
        prog = lns.progress_of(inc, bound or 0.0, watcher.t0, len(watcher.seen) + 1)
        watcher.seen.append(prog)
        if on_progress is not None:
            on_progress(prog)

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


def explain(problem: Problem, options: SolveOptions) -> InfeasibilityExplanation:
    """Name a small set of hard-rule groups that cannot hold together."""
    t0 = _time.monotonic()
    ctx = build(problem, explain=True)
    lits = [lit for lit, _g in ctx.groups.values()]
    by_index = {lit.index: g for lit, g in ctx.groups.values()}
    core = _core(ctx, lits, options, options.explain_time_limit_s / 2)
    if not core:
        words = (
            "the structural rules alone (one shift a day, skills, no overlap) cannot hold"
            if core is not None
            else "no small conflict found within the time limit"
        )
        return InfeasibilityExplanation((Conflict(Rule.ONE_SHIFT_PER_DAY, words),), minimal=False)
    # shrink by deletion while time allows
    minimal = True
    i = 0
    while i < len(core):
        if _time.monotonic() - t0 > options.explain_time_limit_s:
            minimal = False
            break
        trial = core[:i] + core[i + 1 :]
        sub = _core(ctx, trial, options, 5.0)
        if sub is not None:
            core = sub if len(sub) < len(trial) else trial
        else:
            i += 1
    conflicts = tuple(
        Conflict(g.rule, g.words, g.employee_id, g.day)
        for g in sorted(
            (by_index[lit.index] for lit in core),
            key=lambda g: (g.rule != "cover_minimum", g.words),
        )
    )
    return InfeasibilityExplanation(conflicts, minimal)


def _core(
    ctx: Context, lits: Sequence[cp_model.IntVar], options: SolveOptions, limit: float
) -> list[cp_model.IntVar] | None:
    """Infeasible core among `lits` (None if feasible or undecided)."""
    ctx.model.clear_assumptions()
    ctx.model.add_assumptions(lits)
    solver = _params(options, limit, 1)
    status = solver.solve(ctx.model)
    if status != cp_model.INFEASIBLE:
        return None
    idx = set(solver.sufficient_assumptions_for_infeasibility())
    return [lit for lit in lits if lit.index in idx]
