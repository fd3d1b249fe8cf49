"""Pure objective terms: requests, fairness of nights and weekends, minimal change."""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.constraints.context import Context, mode
from scheduler.model import Rule
from scheduler.rules.horizon import weekends


def post_requests(ctx: Context) -> None:
    on = mode(ctx, Rule.SHIFT_ON_REQUEST)
    off = mode(ctx, Rule.SHIFT_OFF_REQUEST)
    index = {e.id: i for i, e in enumerate(ctx.p.employees)}
    for r in ctx.p.requests:
        d = ctx.p.index_of(r.day)
        if not 0 <= d < ctx.n:
            continue
        ei = index[r.employee_id]
        lit: cp_model.LinearExprT
        if r.shift_id is None:
            lit = ctx.w[ei][d]
        else:
            var = ctx.y[ei][d].get(ctx.shift_index[r.shift_id])
            lit = 0 if var is None else var  # 0: the person cannot work that shift
        if r.want and on is not None:
            ctx.add_term(1 - lit, r.weight * on[1], Rule.SHIFT_ON_REQUEST, r.employee_id, r.day)
        elif not r.want and off is not None:
            ctx.add_term(lit, r.weight * off[1], Rule.SHIFT_OFF_REQUEST, r.employee_id, r.day)


def _spread(ctx: Context, counts: list, ub: int, rule: Rule, weight: int) -> None:
    if len(counts) < 2:
        return
    m = ctx.model
    hi = m.new_int_var(0, ub, f"{rule}_max")
    lo = m.new_int_var(0, ub, f"{rule}_min")
    m.add_max_equality(hi, counts)
    m.add_min_equality(lo, counts)
    ctx.add_term(hi - lo, weight, rule)


def fairness_groups(ctx: Context) -> tuple[list[int], list[int]]:
    """Employees who can take night shifts; employees who can work at all."""
    nights = [i for i, s in enumerate(ctx.p.shifts) if s.night]
    night_people = [
        ei
        for ei, e in enumerate(ctx.p.employees)
        if not e.no_nights and any(s in ctx.y[ei][d] for d in range(ctx.n) for s in nights)
    ]
    return night_people, list(range(len(ctx.p.employees)))


def post_fairness(ctx: Context) -> None:
    fn = mode(ctx, Rule.FAIR_NIGHTS)
    fw = mode(ctx, Rule.FAIR_WEEKENDS)
    night_people, everyone = fairness_groups(ctx)
    if fn is not None:
        nights = [i for i, s in enumerate(ctx.p.shifts) if s.night]
        counts = [
            sum(ctx.y[ei][d][s] for d in range(ctx.n) for s in nights if s in ctx.y[ei][d])
            for ei in night_people
        ]
        _spread(ctx, counts, ctx.n, Rule.FAIR_NIGHTS, fn[1])
    if fw is not None:
        days = [d for wk in weekends(ctx.p) for d in wk]
        counts = [sum(ctx.w[ei][d] for d in days) for ei in everyone]
        _spread(ctx, counts, len(days), Rule.FAIR_WEEKENDS, fw[1])


def post_minimal_change(ctx: Context) -> None:
    m = mode(ctx, Rule.MINIMAL_CHANGE)
    pub = ctx.p.published
    if m is None or pub is None:
        return
    was = {(a.employee_id, a.day): a.shift_id for a in pub.assignments}
    for ei, e in enumerate(ctx.p.employees):
        for d in range(ctx.n):
            day = ctx.p.date_of(d)
            if not pub.covers(day):
                continue
            old = was.get((e.id, day))
            if old is None:
                ctx.add_term(ctx.w[ei][d], m[1], Rule.MINIMAL_CHANGE, e.id, day)
            else:
                lit = ctx.y[ei][d].get(ctx.shift_index[old], 0)
                ctx.add_term(1 - lit, m[1], Rule.MINIMAL_CHANGE, e.id, day)
