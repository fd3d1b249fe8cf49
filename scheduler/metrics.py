"""One set of figures for any roster of a problem (the solver's, the greedy baseline's).

Breaches are counted by the scheduler's independent evaluator, under the problem's policy
with every counted rule made hard (so a soft setting cannot hide a breach) and overtime
costed at 1 per minute (so its penalty is the overtime in minutes).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from scheduler.evaluate import evaluate
from scheduler.model import Problem, Roster, Rule, RuleSetting

REST_RULES = frozenset(
    {
        Rule.MIN_REST,
        Rule.WEEKLY_REST,
        Rule.MAX_CONSECUTIVE_DAYS,
        Rule.NO_OVERLAP,
        Rule.SHIFT_SUCCESSION,
    }
)
OVERTIME_CAP_RULES = frozenset(
    {Rule.DAILY_OVERTIME_CAP, Rule.MONTHLY_OVERTIME_CAP, Rule.NO_OVERTIME}
)
COUNTED = (
    REST_RULES
    | OVERTIME_CAP_RULES
    | {Rule.UNAVAILABLE, Rule.COVER_MINIMUM, Rule.COVER_MAXIMUM, Rule.NO_NIGHTS}
)


@dataclass(frozen=True, slots=True)
class RosterMetrics:
    uncovered_hours: float  # person-hours short of target, over all demand lines
    overtime_hours: float
    overtime_cap_breaches: int
    rest_breaches: int  # min rest, rest day in 7, max consecutive days, overlaps
    other_breaches: int  # any other hard rule (leave, cover minimum/maximum, skills ...)
    night_spread: int  # max - min night shifts per person (full-horizon, night-capable)
    weekend_spread: int  # max - min weekend days worked per person (full-horizon staff)
    assignments: int


def metrics_policy_problem(problem: Problem) -> Problem:
    pol = problem.policy
    rules = {s.rule: s for s in pol.rules}
    for rule in COUNTED:
        if rule in rules or rule in REST_RULES | OVERTIME_CAP_RULES:
            rules[rule] = RuleSetting(rule, hard=True, weight=1)
    rules[Rule.OVERTIME] = RuleSetting(Rule.OVERTIME, hard=False, weight=1)
    return replace(problem, policy=replace(pol, rules=tuple(rules.values())))


def roster_metrics(problem: Problem, roster: Roster) -> RosterMetrics:
    ev = evaluate(metrics_policy_problem(problem), roster)
    overtime = sum(p.cost for p in ev.penalties.items if p.rule == Rule.OVERTIME)
    rest = sum(1 for v in ev.violations if v.rule in REST_RULES)
    caps = sum(1 for v in ev.violations if v.rule in OVERTIME_CAP_RULES)
    shifts = {s.id: s for s in problem.shifts}
    on = {(a.employee_id, a.day): a for a in roster.assignments}
    uncovered = 0
    for line in problem.demand:
        n = sum(
            1
            for e in problem.employees
            if (a := on.get((e.id, line.day))) is not None
            and a.shift_id == line.shift_id
            and (line.skill is None or a.skill == line.skill)
        )
        uncovered += max(0, line.target - n) * shifts[line.shift_id].minutes
    absent = {a.employee_id for a in problem.absences}
    steady = [e for e in problem.employees if e.id not in absent]
    nights = {s.id for s in problem.shifts if s.night}
    can_night = [
        e
        for e in steady
        if not e.no_nights
        and (
            not nights
            or any(s.skill is None or s.skill in e.skills for s in problem.shifts if s.night)
        )
    ]
    days = [problem.date_of(i) for i in range(problem.days)]
    weekend = [d for d in days if d.weekday() >= 5]

    def spread(values: list[int]) -> int:
        return max(values) - min(values) if len(values) >= 2 else 0

    night_counts = [
        sum(1 for d in days if (a := on.get((e.id, d))) and a.shift_id in nights) for e in can_night
    ]
    weekend_counts = [sum(1 for d in weekend if (e.id, d) in on) for e in steady]
    return RosterMetrics(
        uncovered_hours=uncovered / 60,
        overtime_hours=overtime / 60,
        overtime_cap_breaches=caps,
        rest_breaches=rest,
        other_breaches=len(ev.violations) - rest - caps,
        night_spread=spread(night_counts),
        weekend_spread=spread(weekend_counts),
        assignments=len(roster.assignments),
    )
