"""Who may work when: absences, pins, protection from night shifts; and the skills a
shift's roles need (the evaluator's side of `constraints.assignment`)."""

from __future__ import annotations

from scheduler.evaluate.tally import Tally, Worked, day_words
from scheduler.model import Employee, Problem, Rule, ShiftType, Violation
from scheduler.rules.horizon import roles_of


def can_work(p: Problem, e: Employee, s: ShiftType) -> bool:
    if s.skill is not None and s.skill not in e.skills:
        return False
    return any(k is None or k in e.skills for k in roles_of(p, s))


def check_assignment(t: Tally, p: Problem, w: Worked) -> None:
    for a in p.absences:
        d = p.index_of(a.day)
        if 0 <= d < p.days and w.works(a.employee_id, d):
            t.fire(
                Rule.UNAVAILABLE,
                1,
                f"{a.employee_id} works on {day_words(a.day)} while {a.kind}",
                a.employee_id,
                a.day,
            )
    for pin in p.pins:
        d = p.index_of(pin.day)
        if 0 <= d < p.days and w.shift_on(pin.employee_id, d) != pin.shift_id:
            t.violations.append(
                Violation(
                    Rule.PINNED,
                    f"{pin.employee_id} is not on the pinned "
                    f"{pin.shift_id or 'day off'} on {day_words(pin.day)}",
                    pin.employee_id,
                    pin.day,
                )
            )
    nights = {s.id for s in p.shifts if s.night}
    for e in p.employees:
        if not e.has_night_bar():
            continue
        for d in range(p.days):
            sid = w.shift_on(e.id, d)
            if sid in nights and e.barred_from_nights(p.date_of(d)):
                t.fire(
                    Rule.NO_NIGHTS,
                    1,
                    f"{e.display()} works night shift {sid} on {day_words(p.date_of(d))}",
                    e.id,
                    p.date_of(d),
                    sid,
                )
