"""Minimum rest is defined once (scheduler.rules.rest) and the constraints, the evaluator,
the row program and the greedy all follow that one definition."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

import pytest

from scheduler.evaluate import evaluate
from scheduler.greedy import greedy_roster
from scheduler.model import Assignment, Employee, Pin, Problem, Roster, Rule, ShiftType, SolveStatus
from scheduler.rules.rest import min_rest_minutes, pair_rule, rest_minutes
from scheduler.search.row_dp import _successions
from tests.scheduler.builders import DAY, LATE, NIGHT, daily, day, policy, problem, run

EARLY = ShiftType("E", time(6, 0), 480)
EVENING = ShiftType("V", time(16, 0), 480)  # ends 00:00: E after it rests 6 h
DAWN = ShiftType("X", time(5, 0), 480)


def test_rest_is_counted_from_the_end_across_midnight() -> None:
    assert rest_minutes(LATE, DAY, 1) == 10 * 60  # 22:00 -> 08:00
    assert rest_minutes(NIGHT, DAY, 1) == 2 * 60  # the night ends at 06:00 the next day
    assert rest_minutes(NIGHT, DAWN, 1) == -60  # overlaps it by an hour
    assert rest_minutes(NIGHT, DAY, 2) == 26 * 60
    assert rest_minutes(EVENING, EARLY, 1) == 6 * 60


def test_the_persons_own_minimum_comes_before_the_policys() -> None:
    pol = policy(Rule.MIN_REST, min_rest_minutes=11 * 60)
    assert min_rest_minutes(pol, Employee("a")) == 660
    assert min_rest_minutes(pol, Employee("a", min_rest_minutes=9 * 60)) == 540


def test_each_pair_breaks_at_most_one_rule() -> None:
    forbid = replace(LATE, forbidden_next=frozenset({"D"}))
    both = policy(Rule.MIN_REST, Rule.SHIFT_SUCCESSION)
    a = Employee("a")
    assert pair_rule(both, a, NIGHT, DAWN, 1) == Rule.NO_OVERLAP
    assert pair_rule(policy(), a, NIGHT, DAWN, 1) == Rule.NO_OVERLAP  # always
    assert pair_rule(both, a, forbid, DAY, 1) == Rule.SHIFT_SUCCESSION
    assert pair_rule(policy(Rule.MIN_REST), a, forbid, DAY, 1) == Rule.MIN_REST
    assert pair_rule(policy(), a, forbid, DAY, 1) is None  # neither rule in the policy
    assert pair_rule(both, a, forbid, DAY, 2) is None  # successions are next-day only
    assert pair_rule(both, Employee("b", min_rest_minutes=600), LATE, DAY, 1) is None


def _late_then_early(rest: int | None) -> Problem:
    return problem(
        days=2,
        pol=policy(Rule.MIN_REST, min_rest_minutes=11 * 60),
        shifts=(EVENING, EARLY),
        employees=(Employee("ann", min_rest_minutes=rest),),
        demand=(daily("V", 1)[0], daily("E", 2)[1]),
    )


@pytest.mark.parametrize(("rest", "allowed"), [(None, False), (6 * 60, True)])
def test_constraints_evaluator_row_program_and_greedy_agree(
    rest: int | None, allowed: bool
) -> None:
    p = _late_then_early(rest)
    pair = Roster(p.start, 2, (Assignment("ann", day(0), "V"), Assignment("ann", day(1), "E")))
    # the evaluator
    breaks = [v.rule for v in evaluate(p, pair).violations]
    assert breaks == ([] if allowed else [Rule.MIN_REST])
    # the CP-SAT constraints: the pair pinned is feasible exactly when allowed
    pinned = replace(p, pins=(Pin("ann", day(0), "V"), Pin("ann", day(1), "E")))
    status = run(pinned, explain=False).status
    assert status == (SolveStatus.OPTIMAL if allowed else SolveStatus.INFEASIBLE)
    # the row program's succession table (V then E)
    forbidden = _successions(p, [0, 1])
    assert forbidden is not None and bool(forbidden[0, 1]) is not allowed
    # the rule-aware greedy staffs the early shift after the evening one only if allowed
    got = {(a.day, a.shift_id) for a in greedy_roster(p, careful=True).assignments}
    assert ((day(1), "E") in got) is allowed and (day(0), "V") in got
