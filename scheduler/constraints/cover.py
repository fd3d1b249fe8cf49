"""Coverage: head count per (day, shift, skill) against minimum, target and maximum."""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.constraints.context import Context, day_words, mode
from scheduler.model import Demand, Rule


def cover_lits(ctx: Context, line: Demand) -> list[cp_model.IntVar]:
    s = ctx.shift_index[line.shift_id]
    d = ctx.p.index_of(line.day)
    out = []
    for ei in range(len(ctx.p.employees)):
        for (ts, k), v in ctx.x[ei][d].items():
            if ts == s and (line.skill is None or k == line.skill):
                out.append(v)
    return out


def available_count(ctx: Context, line: Demand) -> int:
    """Qualified people not absent on the line's day (for explanations)."""
    absent = {a.employee_id for a in ctx.p.absences if a.day == line.day}
    s = ctx.shift_index[line.shift_id]
    return sum(1 for e in ctx.p.employees if e.id not in absent and ctx.eligible(e, s, line.skill))


def who(line: Demand) -> str:
    return f"{line.skill} staff" if line.skill else "people"


def post_cover(ctx: Context) -> None:
    mmin = mode(ctx, Rule.COVER_MINIMUM)
    mmax = mode(ctx, Rule.COVER_MAXIMUM)
    m = ctx.model
    for li, line in enumerate(ctx.p.demand):
        d = ctx.p.index_of(line.day)
        if not 0 <= d < ctx.n:
            continue
        lits = cover_lits(ctx, line)
        n = sum(lits) if lits else 0
        ub = len(lits)
        when = f"{day_words(line.day)} (shift {line.shift_id})"
        if mmin is not None and line.minimum > 0:
            hard, weight = mmin
            qualified = sum(
                1
                for e in ctx.p.employees
                if ctx.eligible(e, ctx.shift_index[line.shift_id], line.skill)
            )
            words = (
                f"demand of at least {line.minimum} {who(line)} on {when}, but only "
                f"{available_count(ctx, line)} of the {qualified} qualified people are not "
                "on leave or off that day"
            )
            g = ctx.group(Rule.COVER_MINIMUM, (li,), words, None, line.day)
            if ub < line.minimum and hard:
                m.add_bool_or([g.Not()] if g is not None else [])
            else:
                ctx.at_least(
                    Rule.COVER_MINIMUM,
                    n,
                    line.minimum,
                    hard=hard,
                    weight=weight,
                    group=g,
                    day=line.day,
                )
        if mmax is not None and line.maximum is not None:
            hard, weight = mmax
            g = ctx.group(
                Rule.COVER_MAXIMUM,
                (li,),
                f"at most {line.maximum} {who(line)} on {when}",
                None,
                line.day,
            )
            ctx.at_most(
                Rule.COVER_MAXIMUM,
                n,
                line.maximum,
                ub,
                hard=hard,
                weight=weight,
                group=g,
                day=line.day,
            )
        # under/over the target: exact slacks (never both positive)
        if ub == 1:  # one person can cover it: both costs are linear in their literal
            if line.target > 0:
                ctx.add_term(
                    line.target - lits[0], line.under_weight, Rule.COVER_UNDER, None, line.day
                )
            else:
                ctx.add_term(lits[0], line.over_weight, Rule.COVER_OVER, None, line.day)
            continue
        if ub == 0:
            if line.target > 0 and line.under_weight:
                ctx.add_term(line.target, line.under_weight, Rule.COVER_UNDER, None, line.day)
            continue
        under = m.new_int_var(0, line.target, f"under_{li}")
        over = m.new_int_var(0, max(0, ub - line.target), f"over_{li}")
        m.add(n + under - over == line.target)
        if line.target > 0 and ub > line.target:
            short = m.new_bool_var(f"short_{li}")
            m.add(under == 0).only_enforce_if(short.Not())
            m.add(over == 0).only_enforce_if(short)
        ctx.add_term(under, line.under_weight, Rule.COVER_UNDER, None, line.day)
        ctx.add_term(over, line.over_weight, Rule.COVER_OVER, None, line.day)
