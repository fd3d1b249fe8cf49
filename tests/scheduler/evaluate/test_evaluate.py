"""The evaluator finds hard breaches and prices soft rules on hand-made rosters."""

from __future__ import annotations

from datetime import time

from scheduler.evaluate import evaluate
from scheduler.model import Assignment, Employee, Roster, Rule, ShiftType
from tests.scheduler.builders import DAY, MONDAY, NIGHT, daily, day, policy, problem


def roster(*rows: tuple[str, int, str]) -> Roster:
    return Roster(MONDAY, 7, tuple(Assignment(e, day(d), s) for e, d, s in rows))


def test_hard_breaches_are_listed() -> None:
    ann = Employee("ann", max_consecutive_days=2)
    fork = ShiftType("F", time(8), 480, skill="forklift")
    p = problem(
        days=7,
        pol=policy(Rule.MAX_CONSECUTIVE_DAYS, Rule.MIN_REST),
        shifts=(DAY, NIGHT, fork),
        employees=(ann,),
    )
    ev = evaluate(
        p,
        roster(
            ("ann", 0, "D"),
            ("ann", 1, "D"),
            ("ann", 2, "N"),
            ("ann", 3, "D"),
            ("ann", 0, "N"),
            ("ann", 5, "F"),
        ),
    )
    rules = sorted(v.rule for v in ev.violations)
    assert rules == sorted(
        [
            Rule.ONE_SHIFT_PER_DAY,
            Rule.MAX_CONSECUTIVE_DAYS,
            Rule.MAX_CONSECUTIVE_DAYS,
            Rule.MIN_REST,
            Rule.SKILL,
        ]
    )
    assert not ev.feasible


def test_soft_costs_add_up_with_words() -> None:
    p = problem(
        days=2,
        pol=policy(soft={Rule.MAX_CONSECUTIVE_DAYS: 9}, max_consecutive_days=1),
        demand=daily("D", 2, 2, under_weight=10),
    )
    ev = evaluate(p, roster(("ann", 0, "D"), ("ann", 1, "D")))
    assert ev.violations == ()
    assert ev.objective == 9 + 10 + 10
    words = [x.words for x in ev.penalties.items]
    assert "1 people short on Mon 07 Dec 2026 shift D (1 of 2)" in words


def test_a_night_is_a_breach_only_inside_the_protection_period() -> None:
    ann = Employee("ann", no_night_days=frozenset({day(3), day(4)}))
    p = problem(days=7, pol=policy(Rule.NO_NIGHTS), shifts=(NIGHT,), employees=(ann,))
    ev = evaluate(p, roster(("ann", 1, "N"), ("ann", 4, "N")))
    assert [(v.rule, v.day) for v in ev.violations] == [(Rule.NO_NIGHTS, day(4))]
