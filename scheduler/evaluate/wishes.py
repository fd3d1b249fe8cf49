"""Pure objective terms: requests, fairness of nights and weekends, minimal change."""

from __future__ import annotations

from scheduler.evaluate.assignment import can_work
from scheduler.evaluate.tally import Tally, Worked, day_words
from scheduler.model import Problem, Rule
from scheduler.rules.horizon import weekends


def check_wishes(t: Tally, p: Problem, w: Worked) -> None:
    pol = p.policy
    on_s, off_s = pol.setting(Rule.SHIFT_ON_REQUEST), pol.setting(Rule.SHIFT_OFF_REQUEST)
    for r in p.requests:
        d = p.index_of(r.day)
        if not 0 <= d < p.days:
            continue
        hit = (
            w.works(r.employee_id, d)
            if r.shift_id is None
            else (w.shift_on(r.employee_id, d) == r.shift_id)
        )
        what = r.shift_id or "any shift"
        if r.want and on_s is not None and not hit:
            t.cost(
                Rule.SHIFT_ON_REQUEST,
                r.weight * on_s.weight,
                f"{r.employee_id} asked to work {what} on {day_words(r.day)}",
                r.employee_id,
                r.day,
                r.shift_id,
            )
        if not r.want and off_s is not None and hit:
            t.cost(
                Rule.SHIFT_OFF_REQUEST,
                r.weight * off_s.weight,
                f"{r.employee_id} asked not to work {what} on {day_words(r.day)}",
                r.employee_id,
                r.day,
                r.shift_id,
            )
    fn = pol.setting(Rule.FAIR_NIGHTS)
    if fn is not None:
        nights = [s for s in p.shifts if s.night]
        group = [
            e for e in p.employees if not e.no_nights and any(can_work(p, e, s) for s in nights)
        ]
        ids = {s.id for s in nights}
        counts = [sum(1 for d in range(p.days) if w.shift_on(e.id, d) in ids) for e in group]
        if len(counts) >= 2:
            spread = max(counts) - min(counts)
            t.cost(
                Rule.FAIR_NIGHTS,
                fn.weight * spread,
                f"night shifts per person range from {min(counts)} to {max(counts)}",
            )
    fw = pol.setting(Rule.FAIR_WEEKENDS)
    if fw is not None and len(p.employees) >= 2:
        days = [d for wk in weekends(p) for d in wk]
        counts = [sum(1 for d in days if w.works(e.id, d)) for e in p.employees]
        spread = max(counts) - min(counts)
        t.cost(
            Rule.FAIR_WEEKENDS,
            fw.weight * spread,
            f"weekend days worked per person range from {min(counts)} to {max(counts)}",
        )
    mc = pol.setting(Rule.MINIMAL_CHANGE)
    if mc is not None and p.published is not None:
        was = {(a.employee_id, a.day): a.shift_id for a in p.published.assignments}
        for e in p.employees:
            for d in range(p.days):
                day = p.date_of(d)
                if not p.published.covers(day):
                    continue
                old, new = was.get((e.id, day)), w.shift_on(e.id, d)
                if old != new:
                    t.cost(
                        Rule.MINIMAL_CHANGE,
                        mc.weight,
                        f"{e.display()} on {day_words(day)}: {old or 'off'} -> {new or 'off'}",
                        e.id,
                        day,
                        new,
                    )
