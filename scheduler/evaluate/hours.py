"""Working hours and overtime: per day, per week or cycle or calendar month, the caps."""

from __future__ import annotations

from datetime import date

from scheduler.evaluate.tally import Tally, Worked, day_words
from scheduler.model import Employee, HoursSystem, Problem, Rule
from scheduler.rules.hours import block_allowance, blocks
from scheduler.rules.limits import daily_overtime_cap, monthly_overtime_cap


def check_hours(t: Tally, p: Problem, e: Employee, w: Worked) -> None:
    n = p.days
    pol = p.policy
    if e.hours_system == HoursSystem.FLEXIBLE or not any(
        pol.active(r)
        for r in (
            Rule.DAILY_OVERTIME_CAP,
            Rule.MONTHLY_OVERTIME_CAP,
            Rule.NO_OVERTIME,
            Rule.OVERTIME,
        )
    ):
        return
    mins = {s.id: s.minutes for s in p.shifts}
    reg = pol.daily_regular_minutes
    std = e.hours_system == HoursSystem.STANDARD
    per_month: dict[tuple[int, int], int] = {}
    for d in range(n):
        day = p.date_of(d)
        key = (day.year, day.month)
        per_month.setdefault(key, 0)
        sid = w.shift_on(e.id, d)
        if std and sid is not None and mins[sid] > reg:
            extra = mins[sid] - reg
            per_month[key] += extra
            cap = daily_overtime_cap(pol, e)
            t.fire(
                Rule.DAILY_OVERTIME_CAP,
                extra - cap,
                f"{e.display()} works {extra} min overtime on {day_words(day)} (cap {cap})",
                e.id,
                day,
                sid,
            )
    for days in blocks(p, e):
        worked = [mins[s] for d in days if (s := w.shift_on(e.id, d)) is not None]
        regular = sum(min(m, reg) for m in worked) if std else sum(worked)
        allow = block_allowance(p, e, days)
        last = p.date_of(days[-1])
        per_month[(last.year, last.month)] += max(0, regular - allow)
    cap_m = monthly_overtime_cap(pol, e)
    for (y, m), ot in sorted(per_month.items()):
        t.fire(
            Rule.MONTHLY_OVERTIME_CAP,
            ot - cap_m,
            f"{e.display()} works {ot} min overtime in {y}-{m:02d} (cap {cap_m})",
            e.id,
            date(y, m, 1),
        )
    total = sum(per_month.values())
    if e.no_overtime:
        t.fire(
            Rule.NO_OVERTIME,
            total,
            f"{e.display()} works {total} min overtime (protected: none allowed)",
            e.id,
        )
    price = pol.setting(Rule.OVERTIME)
    if price is not None:
        t.cost(
            Rule.OVERTIME, price.weight * total, f"{e.display()} works {total} min overtime", e.id
        )
