"""Counting rules over the horizon: shifts per type, total minutes, weekends worked."""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.constraints.context import Context, mode
from scheduler.model import Rule
from scheduler.rules.horizon import weekends


def post_max_shifts(ctx: Context) -> None:
    m = mode(ctx, Rule.MAX_SHIFTS_PER_TYPE)
    if m is None:
        return
    hard, weight = m
    for ei, e in enumerate(ctx.p.employees):
        for lim in e.max_shifts:
            s = ctx.shift_index[lim.shift_id]
            lits = [ctx.y[ei][d][s] for d in range(ctx.n) if s in ctx.y[ei][d]]
            g = ctx.group(
                Rule.MAX_SHIFTS_PER_TYPE,
                (e.id, s),
                f"{e.display()} may work at most {lim.max_count} {lim.shift_id} shifts",
                e.id,
            )
            ctx.at_most(
                Rule.MAX_SHIFTS_PER_TYPE,
                sum(lits),
                lim.max_count,
                len(lits),
                hard=hard,
                weight=weight,
                group=g,
                employee_id=e.id,
            )


def worked_minutes(ctx: Context, ei: int, days: range) -> tuple[cp_model.LinearExprT, int]:
    """Minutes worked by employee ei on `days`, and an upper bound of it."""
    terms = []
    ub = 0
    for d in days:
        best = 0
        for s, lit in ctx.y[ei][d].items():
            mins = ctx.p.shifts[s].minutes
            terms.append(mins * lit)
            best = max(best, mins)
        ub += best
    return (sum(terms) if terms else 0), ub


def post_total_minutes(ctx: Context) -> None:
    mmax = mode(ctx, Rule.MAX_TOTAL_MINUTES)
    mmin = mode(ctx, Rule.MIN_TOTAL_MINUTES)
    for ei, e in enumerate(ctx.p.employees):
        total, ub = worked_minutes(ctx, ei, range(ctx.n))
        if mmax is not None and e.max_total_minutes is not None:
            hard, weight = mmax
            g = ctx.group(
                Rule.MAX_TOTAL_MINUTES,
                (e.id,),
                f"{e.display()} may work at most {e.max_total_minutes} minutes",
                e.id,
            )
            ctx.at_most(
                Rule.MAX_TOTAL_MINUTES,
                total,
                e.max_total_minutes,
                ub,
                hard=hard,
                weight=weight,
                group=g,
                employee_id=e.id,
            )
        if mmin is not None and e.min_total_minutes > 0:
            hard, weight = mmin
            g = ctx.group(
                Rule.MIN_TOTAL_MINUTES,
                (e.id,),
                f"{e.display()} must work at least {e.min_total_minutes} minutes",
                e.id,
            )
            if ub < e.min_total_minutes and hard:
                ctx.model.add_bool_or([g.Not()] if g is not None else [])
            else:
                ctx.at_least(
                    Rule.MIN_TOTAL_MINUTES,
                    total,
                    e.min_total_minutes,
                    hard=hard,
                    weight=weight,
                    group=g,
                    employee_id=e.id,
                )


def weekend_literals(ctx: Context, ei: int) -> list[cp_model.IntVar]:
    """One literal per weekend: true if Saturday or Sunday is worked."""
    out = []
    for days in weekends(ctx.p):
        if len(days) == 1:
            out.append(ctx.w[ei][days[0]])
            continue
        v = ctx.model.new_bool_var(f"wkend_{ei}_{days[0]}")
        ctx.model.add_max_equality(v, [ctx.w[ei][d] for d in days])
        out.append(v)
    return out


def post_max_weekends(ctx: Context) -> None:
    m = mode(ctx, Rule.MAX_WEEKENDS)
    if m is None:
        return
    hard, weight = m
    for ei, e in enumerate(ctx.p.employees):
        if e.max_weekends is None:
            continue
        lits = weekend_literals(ctx, ei)
        g = ctx.group(
            Rule.MAX_WEEKENDS,
            (e.id,),
            f"{e.display()} may work at most {e.max_weekends} weekends",
            e.id,
        )
        ctx.at_most(
            Rule.MAX_WEEKENDS,
            sum(lits),
            e.max_weekends,
            len(lits),
            hard=hard,
            weight=weight,
            group=g,
            employee_id=e.id,
        )
