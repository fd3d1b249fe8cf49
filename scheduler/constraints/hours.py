"""Working hours and overtime (standard, comprehensive and flexible systems).

Overtime minutes, per employee: each day's minutes beyond `daily_regular_minutes`
(standard system), and each block's regular minutes beyond its allowance (the blocks and
allowances of `scheduler.rules.hours`). A day's overtime belongs to its calendar month, a
block's to the month of its last day. The monthly cap applies to each calendar month's
overtime; the daily cap to each day's.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.constraints.context import Context, mode
from scheduler.model import HoursSystem, Rule
from scheduler.rules.hours import block_allowance, blocks
from scheduler.rules.limits import daily_overtime_cap, monthly_overtime_cap

HOUR_RULES = (Rule.DAILY_OVERTIME_CAP, Rule.MONTHLY_OVERTIME_CAP, Rule.NO_OVERTIME, Rule.OVERTIME)


def post_overtime(ctx: Context) -> None:
    if not any(mode(ctx, r) is not None for r in HOUR_RULES):
        return
    p = ctx.p
    reg = p.policy.daily_regular_minutes
    mday = mode(ctx, Rule.DAILY_OVERTIME_CAP)
    mmonth = mode(ctx, Rule.MONTHLY_OVERTIME_CAP)
    mnone = mode(ctx, Rule.NO_OVERTIME)
    mcost = mode(ctx, Rule.OVERTIME)
    for ei, e in enumerate(p.employees):
        if e.hours_system == HoursSystem.FLEXIBLE:
            continue
        # month key -> (list of overtime expressions, upper bound)
        months: dict[tuple[int, int], list[cp_model.LinearExprT]] = {}
        month_ub: dict[tuple[int, int], int] = {}
        cap_d = daily_overtime_cap(p.policy, e)
        for d in range(ctx.n):
            day = p.date_of(d)
            key = (day.year, day.month)
            months.setdefault(key, [])
            month_ub.setdefault(key, 0)
            if e.hours_system != HoursSystem.STANDARD:
                continue
            best = 0
            for s, lit in ctx.y[ei][d].items():
                extra = p.shifts[s].minutes - reg
                if extra <= 0:
                    continue
                months[key].append(extra * lit)
                best = max(best, extra)
                if mday is not None and extra > cap_d:
                    hard, weight = mday
                    g = ctx.group(
                        Rule.DAILY_OVERTIME_CAP,
                        (e.id,),
                        f"{e.display()} may work at most {cap_d} minutes of overtime a day",
                        e.id,
                    )
                    if hard:
                        ctx.forbid(
                            Rule.DAILY_OVERTIME_CAP,
                            lit,
                            hard=True,
                            weight=0,
                            group=g,
                            employee_id=e.id,
                            day=day,
                        )
                    else:
                        ctx.add_term(
                            (extra - cap_d) * lit, weight, Rule.DAILY_OVERTIME_CAP, e.id, day
                        )
            month_ub[key] += best
        for block in blocks(p, e):
            regular = []
            ub = 0
            for d in block:
                best = 0
                for s, lit in ctx.y[ei][d].items():
                    mins = p.shifts[s].minutes
                    if e.hours_system == HoursSystem.STANDARD:
                        mins = min(mins, reg)
                    regular.append(mins * lit)
                    best = max(best, mins)
                ub += best
            allow = block_allowance(p, e, block)
            if ub <= allow:
                continue
            ot = ctx.model.new_int_var(0, ub - allow, f"ot_{e.id}_{block.start}")
            ctx.model.add_max_equality(ot, [sum(regular) - allow, 0])
            last = p.date_of(block[-1])
            key = (last.year, last.month)
            months[key].append(ot)
            month_ub[key] += ub - allow
        total_ub = sum(month_ub.values())
        all_ot = [x for xs in months.values() for x in xs]
        if not all_ot:
            continue
        if mmonth is not None:
            hard, weight = mmonth
            cap_m = monthly_overtime_cap(p.policy, e)
            g = ctx.group(
                Rule.MONTHLY_OVERTIME_CAP,
                (e.id,),
                f"{e.display()} may work at most {cap_m} minutes of overtime a month",
                e.id,
            )
            for (y, mo), xs in months.items():
                if xs:
                    ctx.at_most(
                        Rule.MONTHLY_OVERTIME_CAP,
                        sum(xs),
                        cap_m,
                        month_ub[(y, mo)],
                        hard=hard,
                        weight=weight,
                        group=g,
                        employee_id=e.id,
                        day=p.date_of(0).replace(year=y, month=mo, day=1),
                    )
        if mnone is not None and e.no_overtime:
            hard, weight = mnone
            g = ctx.group(Rule.NO_OVERTIME, (e.id,), f"{e.display()} may not work overtime", e.id)
            ctx.at_most(
                Rule.NO_OVERTIME,
                sum(all_ot),
                0,
                total_ub,
                hard=hard,
                weight=weight,
                group=g,
                employee_id=e.id,
            )
        if mcost is not None:
            ctx.add_term(sum(all_ot), mcost[1], Rule.OVERTIME, e.id)
