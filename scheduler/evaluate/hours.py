"""Working hours and overtime: per day, per week or cycle or calendar month, the caps."""

from __future__ import annotations

from datetime import date

from scheduler.evaluate.tally import Tally, Worked, day_words
from scheduler.model import Employee, HoursCycle, HoursSystem, Problem, Rule


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
            cap = (
                e.daily_overtime_cap_minutes
                if e.daily_overtime_cap_minutes is not None
                else pol.daily_overtime_cap_minutes
            )
            t.fire(
                Rule.DAILY_OVERTIME_CAP,
                extra - cap,
                f"{e.display()} works {extra} min overtime on {day_words(day)} (cap {cap})",
                e.id,
                day,
                sid,
            )
    for days in hour_blocks(p, e, n):
        worked = [mins[s] for d in days if (s := w.shift_on(e.id, d)) is not None]
        regular = sum(min(m, reg) for m in worked) if std else sum(worked)
        allow = (
            pol.weekly_regular_minutes if std else e.contracted_minutes_per_week * len(days) // 7
        )
        last = p.date_of(days[-1])
        per_month[(last.year, last.month)] += max(0, regular - allow)
    cap_m = (
        e.monthly_overtime_cap_minutes
        if e.monthly_overtime_cap_minutes is not None
        else pol.monthly_overtime_cap_minutes
    )
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


def hour_blocks(p: Problem, e: Employee, n: int) -> list[range]:
    """The day ranges whose regular minutes are summed: weeks, cycles or calendar months."""
    if e.hours_system == HoursSystem.COMPREHENSIVE and e.cycle == HoursCycle.MONTH:
        months: dict[tuple[int, int], list[int]] = {}
        for d in range(n):
            months.setdefault((p.date_of(d).year, p.date_of(d).month), []).append(d)
        return [range(ds[0], ds[-1] + 1) for ds in months.values()]
    size = 7 if e.hours_system == HoursSystem.STANDARD else max(1, e.cycle_days)
    return [range(b, min(b + size, n)) for b in range(0, n, size)]
