"""The edit check: severities, swaps, and its answer equal to two full evaluations on
random problems and random edits (hypothesis)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.check import Change, _overtime_policy, apply_changes, check_changes, swap
from scheduler.errors import InvalidProblem
from scheduler.evaluate import evaluate
from scheduler.model import (
    ALWAYS_HARD,
    ALWAYS_SOFT,
    Absence,
    Assignment,
    Demand,
    Employee,
    Evaluation,
    HoursCycle,
    HoursSystem,
    Pin,
    Policy,
    Problem,
    Roster,
    Rule,
    RuleSetting,
    Severity,
    ShiftLimit,
    ShiftRequest,
    ShiftType,
)
from scheduler.rules.horizon import roles_of

START = date(2026, 11, 2)  # a Monday
SHIFTS = (
    ShiftType("D", time(8), 480),
    ShiftType("L", time(14), 540),
    ShiftType("N", time(22), 480, night=True, forbidden_next=frozenset({"D"})),
)


def _random_problem(rng: random.Random) -> Problem:
    days = rng.randint(7, 16)
    rules = [
        RuleSetting(
            r,
            hard=rng.random() < 0.5,
            weight=rng.randint(1, 20),
            severity=rng.choice((None, Severity.BLOCK, Severity.WARN)),
        )
        for r in Rule
        if r not in ALWAYS_HARD and rng.random() < 0.85
    ]
    pol = Policy("random", tuple(rules), max_consecutive_days=rng.randint(3, 6))
    employees = tuple(
        Employee(
            f"E{i}",
            skills=frozenset(k for k in ("fork", "lead") if rng.random() < 0.5),
            hours_system=rng.choice(list(HoursSystem)),
            cycle=rng.choice(list(HoursCycle)),
            cycle_days=rng.choice((7, 14)),
            min_consecutive_days=rng.randint(1, 3),
            min_consecutive_days_off=rng.randint(1, 2),
            max_weekends=rng.choice((None, 1)),
            max_shifts=(ShiftLimit("N", rng.randint(1, 4)),) if rng.random() < 0.5 else (),
            min_total_minutes=rng.choice((0, 2400)),
            max_total_minutes=rng.choice((None, 4800)),
            no_nights=rng.random() < 0.1,
            no_overtime=rng.random() < 0.1,
            no_night_days=frozenset({START + timedelta(rng.randrange(days))})
            if rng.random() < 0.2
            else frozenset(),
        )
        for i in range(rng.randint(3, 7))
    )
    demand = tuple(
        Demand(
            START + timedelta(d),
            s.id,
            target=rng.randint(0, 3),
            skill=rng.choice((None, None, "fork")),
            minimum=rng.randint(0, 1),
            maximum=rng.choice((None, 3)),
            under_weight=rng.randint(1, 100),
        )
        for d in range(days)
        for s in SHIFTS
        if rng.random() < 0.8
    )
    history_days = rng.randint(0, 3)
    p = Problem(
        START,
        days,
        SHIFTS,
        employees,
        demand,
        pol,
        absences=tuple(
            Absence(e.id, START + timedelta(rng.randrange(days)))
            for e in employees
            if rng.random() < 0.5
        ),
        requests=tuple(
            ShiftRequest(
                e.id,
                START + timedelta(rng.randrange(days)),
                rng.choice((None, "D", "N")),
                rng.random() < 0.5,
                rng.randint(1, 5),
            )
            for e in employees
            if rng.random() < 0.6
        ),
        pins=tuple(
            Pin(e.id, START + timedelta(rng.randrange(days)), rng.choice((None, "D")))
            for e in employees
            if rng.random() < 0.3
        ),
        history=tuple(
            Assignment(e.id, START - timedelta(d), rng.choice(("D", "N")))
            for e in employees
            for d in range(1, history_days + 1)
            if rng.random() < 0.6
        ),
        history_days=history_days,
        working_days=frozenset(
            START + timedelta(d) for d in range(days) if (START + timedelta(d)).weekday() < 5
        ),
    )
    if rng.random() < 0.5:
        p = replace(p, published=_random_roster(rng, p))
    return p


def _cell(rng: random.Random, p: Problem, e: str, day: date) -> Change:
    s = rng.choice((None, *SHIFTS))
    if s is None:
        return Change(e, day, None)
    return Change(e, day, s.id, rng.choice(roles_of(p, s)) if rng.random() < 0.9 else "lead")


def _random_roster(rng: random.Random, p: Problem) -> Roster:
    cells = [_cell(rng, p, e.id, p.date_of(d)) for e in p.employees for d in range(p.days)]
    return Roster(
        p.start,
        p.days,
        tuple(Assignment(c.employee_id, c.day, c.shift_id, c.skill) for c in cells if c.shift_id),
    )


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_the_check_equals_two_full_evaluations(seed: int) -> None:
    rng = random.Random(seed)
    p = _random_problem(rng)
    roster = _random_roster(rng, p)
    if rng.random() < 0.3:
        a, b = rng.sample([e.id for e in p.employees], 2)
        changes: tuple[Change, ...] = swap(roster, a, b, p.date_of(rng.randrange(p.days)))
    else:
        changes = tuple(
            _cell(rng, p, rng.choice(p.employees).id, p.date_of(rng.randrange(p.days)))
            for _ in range(rng.randint(1, 3))
        )
    res = check_changes(p, roster, changes)
    before, after = evaluate(p, roster), evaluate(p, res.roster)
    assert res.objective_delta == after.objective - before.objective
    assert dict(res.by_rule) == {
        r: v
        for r in Rule
        if (
            v := dict(after.penalties.by_rule()).get(r, 0)
            - dict(before.penalties.by_rule()).get(r, 0)
        )
    }

    def items(ev: Evaluation) -> Counter[tuple[Rule, str, str | None, date | None]]:
        got = Counter((v.rule, v.words, v.employee_id, v.day) for v in ev.violations)
        got += Counter(
            (x.rule, x.words, x.employee_id, x.day)
            for x in ev.penalties.items
            if x.rule not in ALWAYS_SOFT
        )
        return got

    added = Counter((b.rule, b.words, b.employee_id, b.day) for b in res.added)
    cleared = Counter((b.rule, b.words, b.employee_id, b.day) for b in res.cleared)
    assert added == items(after) - items(before)
    assert cleared == items(before) - items(after)
    assert all(b.severity == p.policy.severity(b.rule) for b in res.added)
    assert res.blocked == any(p.policy.severity(b.rule) == Severity.BLOCK for b in res.added)
    mins = {s.id: s.minutes for s in p.shifts}
    p_ot = _overtime_policy(p)
    for d in res.people:

        def worked(r: Roster, e: str = d.employee_id) -> int:
            return sum(mins[a.shift_id] for a in r.assignments if a.employee_id == e)

        def overtime(r: Roster, e: str = d.employee_id) -> int:
            ev = evaluate(p_ot, r)
            return sum(
                x.cost for x in ev.penalties.items if x.rule == Rule.OVERTIME and x.employee_id == e
            )

        assert d.minutes == worked(res.roster) - worked(roster)
        assert d.overtime_minutes == overtime(res.roster) - overtime(roster)


def _week() -> tuple[Problem, Roster]:
    pol = Policy(
        "t",
        (
            RuleSetting(Rule.MIN_REST, hard=True),
            RuleSetting(Rule.MAX_WEEKENDS, hard=False, weight=50, severity=Severity.WARN),
            RuleSetting(Rule.MINIMAL_CHANGE, hard=False, weight=5),
        ),
    )
    p = Problem(
        START,
        7,
        SHIFTS,
        (Employee("ann", max_weekends=0), Employee("bob")),
        (),
        pol,
    )
    roster = Roster(
        START, 7, (Assignment("ann", START, "N"), Assignment("bob", START + timedelta(1), "D"))
    )
    return p, roster


def test_a_short_rest_blocks_and_a_warn_rule_only_warns() -> None:
    p, roster = _week()
    tue = START + timedelta(1)
    res = check_changes(p, roster, [Change("ann", tue, "D")])  # N then D: 2 h of rest
    assert res.blocked
    assert [(b.rule, b.severity) for b in res.added] == [(Rule.MIN_REST, Severity.BLOCK)]
    assert res.people[0].minutes == 480
    sat = START + timedelta(5)
    res = check_changes(p, roster, [Change("ann", sat, "D")])
    assert not res.blocked
    assert [(b.rule, b.severity) for b in res.added] == [(Rule.MAX_WEEKENDS, Severity.WARN)]
    assert res.objective_delta == 50


def test_a_swap_exchanges_cells_and_clears_nothing_it_did_not_cause() -> None:
    p, roster = _week()
    tue = START + timedelta(1)
    a, b = swap(roster, "ann", "bob", tue)
    assert (a, b) == (Change("ann", tue, "D"), Change("bob", tue, None))
    res = check_changes(p, roster, (a, b))
    assert [x.rule for x in res.added] == [Rule.MIN_REST]
    assert {d.employee_id: d.minutes for d in res.people} == {"ann": 480, "bob": -480}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (Change("zed", START, "D"), "unknown employee 'zed'"),
        (Change("ann", START, "X"), "unknown shift 'X'"),
        (Change("ann", START + timedelta(9), "D"), "outside the roster"),
    ],
)
def test_a_change_naming_nothing_known_is_refused(change: Change, words: str) -> None:
    p, roster = _week()
    with pytest.raises(InvalidProblem, match=words):
        apply_changes(p, roster, [change])
