"""Checks of a proposed edit to a roster: which rules it would break, and what it changes.

An edit, a swap or an open-shift pickup is a set of `Change`s (a person's cell on a day
set to a shift or to off). `check_changes` answers with the breaches the edit adds and the
ones it clears, each with its severity (`Policy.severity`: `block` is refused unless a
manager overrides it with a reason, `warn` is shown), and the change in objective, worked
minutes and overtime minutes per person.

It is incremental: it re-runs the independent evaluator's rule families only on what the
edit can touch (the changed people's own rules over the whole horizon, history included;
the demand lines of the changed days; fairness from per-person counts), before and after,
and takes the difference. The rules are the evaluator's own functions, so an edit is
judged exactly as a solved roster is (fatigue limits included); a test checks the answer
against two full evaluations on random edits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from scheduler.errors import InvalidProblem
from scheduler.evaluate import read
from scheduler.evaluate.assignment import check_assignment
from scheduler.evaluate.counts import check_counts
from scheduler.evaluate.cover import check_cover
from scheduler.evaluate.hours import check_hours
from scheduler.evaluate.sequence import check_sequences
from scheduler.evaluate.tally import Tally, Worked
from scheduler.evaluate.wishes import check_wishes
from scheduler.model import (
    ALWAYS_SOFT,
    Assignment,
    Penalty,
    Problem,
    Roster,
    Rule,
    RuleSetting,
    Severity,
    Violation,
)
from scheduler.rules.horizon import roles_of

#: objective terms judged over everyone at once
_FAIRNESS = frozenset({Rule.FAIR_NIGHTS, Rule.FAIR_WEEKENDS})


@dataclass(frozen=True, slots=True)
class Change:
    """`employee_id` works `shift_id` on `day` (covering `skill`), or is off if None."""

    employee_id: str
    day: date
    shift_id: str | None
    skill: str | None = None


def swap(roster: Roster, a: str, b: str, day: date) -> tuple[Change, Change]:
    """The changes of two people exchanging their cells on `day` (a shift or a day off)."""
    cell = {x.employee_id: x for x in roster.assignments if x.day == day}
    ca, cb = cell.get(a), cell.get(b)
    return (
        Change(a, day, cb.shift_id if cb else None, cb.skill if cb else None),
        Change(b, day, ca.shift_id if ca else None, ca.skill if ca else None),
    )


def pick_skill(p: Problem, employee_id: str, shift_id: str) -> str | None:
    """The role a person would cover on a shift when an edit names none: the first of the
    shift's roles they have (else its first role, which the check then reports)."""
    roles = roles_of(p, p.shift(shift_id))
    have = p.employee(employee_id).skills
    return next((k for k in roles if k is None or k in have), roles[0])


@dataclass(frozen=True, slots=True)
class Breach:
    rule: Rule
    severity: Severity
    words: str
    employee_id: str | None = None
    day: date | None = None


@dataclass(frozen=True, slots=True)
class PersonDelta:
    employee_id: str
    minutes: int  # worked minutes, after - before
    overtime_minutes: int  # overtime minutes as the policy counts them, after - before


@dataclass(frozen=True, slots=True)
class CheckResult:
    roster: Roster  # the roster with the changes applied
    added: tuple[Breach, ...]  # breaches the edit brings
    cleared: tuple[Breach, ...]  # breaches the edit removes
    objective_delta: int
    by_rule: tuple[tuple[Rule, int], ...]  # objective change per rule, nonzero only
    people: tuple[PersonDelta, ...]

    @property
    def blocked(self) -> bool:
        """Refused unless overridden: the edit adds a breach of a `block` rule."""
        return any(b.severity == Severity.BLOCK for b in self.added)


def apply_changes(p: Problem, roster: Roster, changes: Iterable[Change]) -> Roster:
    """The roster with each change's cell replaced; unknown people, shifts or days raise."""
    emps = {e.id for e in p.employees}
    shifts = {s.id for s in p.shifts}
    cells: dict[tuple[str, date], Change] = {}
    for c in changes:
        if c.employee_id not in emps:
            raise InvalidProblem(f"change for unknown employee {c.employee_id!r}")
        if c.shift_id is not None and c.shift_id not in shifts:
            raise InvalidProblem(
                f"change to unknown shift {c.shift_id!r} (known: {', '.join(sorted(shifts))})"
            )
        if not 0 <= p.index_of(c.day) < p.days:
            raise InvalidProblem(
                f"change on {c.day} is outside the roster ({p.start} + {p.days} days)"
            )
        cells[(c.employee_id, c.day)] = c
    kept = [a for a in roster.assignments if (a.employee_id, a.day) not in cells]
    kept += [
        Assignment(c.employee_id, c.day, c.shift_id, c.skill)
        for c in cells.values()
        if c.shift_id is not None
    ]
    kept.sort(key=lambda a: (a.day, a.employee_id))
    return Roster(roster.start, roster.days, tuple(kept))


def _overtime_policy(p: Problem) -> Problem:
    """The problem with overtime priced at 1 per minute: its penalty is the minutes."""
    rules = tuple(s for s in p.policy.rules if s.rule != Rule.OVERTIME)
    return replace(
        p,
        policy=replace(p.policy, rules=(*rules, RuleSetting(Rule.OVERTIME, hard=False))),
    )


@dataclass(frozen=True, slots=True)
class _Local:
    violations: Counter[Violation]
    penalties: Counter[Penalty]
    minutes: dict[str, int]
    overtime: dict[str, int]


def _local(p: Problem, roster: Roster, emps: set[str], days: set[int], p_ot: Problem) -> _Local:
    """The evaluator's families on what the changed cells can touch."""
    dates = {p.date_of(d) for d in days}
    sub = Roster(
        roster.start,
        roster.days,
        tuple(a for a in roster.assignments if a.employee_id in emps or a.day in dates),
    )
    t = Tally(p)
    w = read(t, p, sub)
    check_assignment(t, p, w)
    check_cover(t, replace(p, demand=tuple(x for x in p.demand if x.day in dates)), w)
    people = [e for e in p.employees if e.id in emps]
    ot = Tally(p_ot)
    mins = {s.id: s.minutes for s in p.shifts}
    minutes: dict[str, int] = {}
    for e in people:
        check_sequences(t, p, e, w)
        check_counts(t, p, e, w)
        check_hours(t, p, e, w)
        check_hours(ot, p_ot, e, w)
        minutes[e.id] = sum(
            mins[s] for d in range(p.days) if (s := w.shift_on(e.id, d)) is not None
        )
    own = replace(
        p,
        employees=tuple(people),
        requests=tuple(r for r in p.requests if r.employee_id in emps),
    )
    check_wishes(t, own, w)
    overtime = {e.id: 0 for e in people}
    for x in ot.penalties:
        if x.rule == Rule.OVERTIME and x.employee_id is not None:
            overtime[x.employee_id] += x.cost
    return _Local(
        Counter(t.violations),
        Counter(x for x in t.penalties if x.rule not in _FAIRNESS),
        minutes,
        overtime,
    )


def _fairness(p: Problem, roster: Roster) -> Counter[Penalty]:
    if not any(p.policy.active(r) for r in _FAIRNESS):
        return Counter()
    at = {(a.employee_id, p.index_of(a.day)): (a.shift_id, a.skill) for a in roster.assignments}
    t = Tally(p)
    check_wishes(t, replace(p, requests=(), published=None), Worked(at))
    return Counter(x for x in t.penalties if x.rule in _FAIRNESS)


def _breaches(p: Problem, vs: Iterable[Violation], ps: Iterable[Penalty]) -> tuple[Breach, ...]:
    pol = p.policy
    out = [Breach(v.rule, pol.severity(v.rule), v.words, v.employee_id, v.day) for v in vs]
    out += [
        Breach(x.rule, pol.severity(x.rule), x.words, x.employee_id, x.day)
        for x in ps
        if x.rule not in ALWAYS_SOFT
    ]
    return tuple(sorted(out, key=lambda b: (b.severity != Severity.BLOCK, b.rule, b.words)))


def check_changes(p: Problem, roster: Roster, changes: Iterable[Change]) -> CheckResult:
    """What the changes would break and change, against `roster` as it stands."""
    changes = tuple(changes)
    after = apply_changes(p, roster, changes)
    emps = {c.employee_id for c in changes}
    days = {p.index_of(c.day) for c in changes}
    p_ot = _overtime_policy(p)
    old, new = _local(p, roster, emps, days, p_ot), _local(p, after, emps, days, p_ot)
    fair_old, fair_new = _fairness(p, roster), _fairness(p, after)
    pen_old, pen_new = old.penalties + fair_old, new.penalties + fair_new
    delta: dict[Rule, int] = {}
    for sign, items in ((1, pen_new), (-1, pen_old)):
        for x, n in items.items():
            delta[x.rule] = delta.get(x.rule, 0) + sign * n * x.cost
    by_rule = tuple(sorted(((r, v) for r, v in delta.items() if v), key=lambda rv: -abs(rv[1])))
    return CheckResult(
        after,
        _breaches(p, (new.violations - old.violations).elements(), (pen_new - pen_old).elements()),
        _breaches(p, (old.violations - new.violations).elements(), (pen_old - pen_new).elements()),
        sum(v for _, v in by_rule),
        by_rule,
        tuple(
            PersonDelta(e, new.minutes[e] - old.minutes[e], new.overtime[e] - old.overtime[e])
            for e in sorted(emps)
        ),
    )
