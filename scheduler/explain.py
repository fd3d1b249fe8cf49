"""Infeasibility explained: a small set of hard-rule groups that cannot hold together,
from an assumption core of the model built in explain mode, shrunk by deletion."""

from __future__ import annotations

import time as _time
from collections.abc import Sequence

from ortools.sat.python import cp_model

from scheduler.constraints import build
from scheduler.constraints.context import Context
from scheduler.model import Conflict, InfeasibilityExplanation, Problem, Rule, SolveOptions
from scheduler.search.complete import params


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
    solver = params(options, limit, 1)
    status = solver.solve(ctx.model)
    if status != cp_model.INFEASIBLE:
        return None
    idx = set(solver.sufficient_assumptions_for_infeasibility())
    return [lit for lit in lits if lit.index in idx]
