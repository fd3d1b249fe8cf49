"""Independent evaluator: re-checks every hard rule and recomputes the objective of a
roster from the problem alone, without CP-SAT. `solve` re-scores every roster with it.

Written separately from `scheduler.constraints` on purpose: it walks the roster day by
day the way a person reading the policy would, so a modelling slip in one shows up as a
disagreement with the other. One module per rule family, as in `scheduler.constraints`.
"""

from __future__ import annotations

from scheduler.evaluate.assignment import check_assignment
from scheduler.evaluate.counts import check_counts
from scheduler.evaluate.cover import check_cover
from scheduler.evaluate.hours import check_hours
from scheduler.evaluate.sequence import check_sequences
from scheduler.evaluate.tally import Tally, Worked, day_words
from scheduler.evaluate.wishes import check_wishes
from scheduler.model import Evaluation, PenaltyReport, Problem, Roster, Rule, Violation
from scheduler.rules.horizon import roles_of


def read(t: Tally, p: Problem, roster: Roster) -> Worked:
    """The roster (and history) as a grid; structural breaches (outside the problem, two
    shifts a day, a missing skill) go to `t`."""
    shifts = {s.id: s for s in p.shifts}
    emps = {e.id: e for e in p.employees}
    at: dict[tuple[str, int], tuple[str, str | None]] = {}
    for a in roster.assignments:
        d = p.index_of(a.day)
        if a.employee_id not in emps or a.shift_id not in shifts or not 0 <= d < p.days:
            t.violations.append(
                Violation(Rule.ONE_SHIFT_PER_DAY, f"assignment {a} is outside the problem")
            )
            continue
        if (a.employee_id, d) in at:
            t.violations.append(
                Violation(
                    Rule.ONE_SHIFT_PER_DAY,
                    f"{a.employee_id} has two shifts on {day_words(a.day)}",
                    a.employee_id,
                    a.day,
                )
            )
            continue
        at[(a.employee_id, d)] = (a.shift_id, a.skill)
        e, s = emps[a.employee_id], shifts[a.shift_id]
        roles = roles_of(p, s)
        if (
            (s.skill is not None and s.skill not in e.skills)
            or a.skill not in roles
            or (a.skill is not None and a.skill not in e.skills)
        ):
            t.violations.append(
                Violation(
                    Rule.SKILL,
                    f"{e.display()} lacks the skill for {s.id} on {day_words(a.day)}",
                    e.id,
                    a.day,
                )
            )
    for a in p.history:
        at[(a.employee_id, p.index_of(a.day))] = (a.shift_id, a.skill)
    return Worked(at)


def evaluate(p: Problem, roster: Roster) -> Evaluation:
    t = Tally(p)
    w = read(t, p, roster)
    check_assignment(t, p, w)
    check_cover(t, p, w)
    for e in p.employees:
        check_sequences(t, p, e, w)
        check_counts(t, p, e, w)
        check_hours(t, p, e, w)
    check_wishes(t, p, w)
    return Evaluation(tuple(t.violations), PenaltyReport(tuple(t.penalties)))


__all__ = ["evaluate"]
