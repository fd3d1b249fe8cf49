"""Counting rules over the horizon: shifts per type, total minutes, weekends worked."""

from __future__ import annotations

from scheduler.evaluate.tally import Tally, Worked
from scheduler.model import Employee, Problem, Rule
from scheduler.rules.horizon import weekends


def check_counts(t: Tally, p: Problem, e: Employee, w: Worked) -> None:
    n = p.days
    mins = {s.id: s.minutes for s in p.shifts}
    worked = [w.shift_on(e.id, d) for d in range(n)]
    for lim in e.max_shifts:
        c = sum(1 for s in worked if s == lim.shift_id)
        t.fire(
            Rule.MAX_SHIFTS_PER_TYPE,
            c - lim.max_count,
            f"{e.display()} works {c} {lim.shift_id} shifts (max {lim.max_count})",
            e.id,
            shift_id=lim.shift_id,
        )
    total = sum(mins[s] for s in worked if s is not None)
    if e.max_total_minutes is not None:
        t.fire(
            Rule.MAX_TOTAL_MINUTES,
            total - e.max_total_minutes,
            f"{e.display()} works {total} min (max {e.max_total_minutes})",
            e.id,
        )
    t.fire(
        Rule.MIN_TOTAL_MINUTES,
        e.min_total_minutes - total,
        f"{e.display()} works {total} min (min {e.min_total_minutes})",
        e.id,
    )
    if e.max_weekends is not None:
        c = sum(1 for wk in weekends(p) if any(w.works(e.id, d) for d in wk))
        t.fire(
            Rule.MAX_WEEKENDS,
            c - e.max_weekends,
            f"{e.display()} works {c} weekends (max {e.max_weekends})",
            e.id,
        )
