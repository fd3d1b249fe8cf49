"""The spreadsheet baseline and its rule-aware (warm start) variant."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time, timedelta

from scheduler.evaluate import evaluate
from scheduler.greedy import greedy_roster
from scheduler.metrics import roster_metrics
from scheduler.model import (
    Absence,
    Assignment,
    Demand,
    Employee,
    Policy,
    Problem,
    Rule,
    RuleSetting,
    ShiftType,
)

MON = date(2026, 3, 2)
D = ShiftType("D", time(6), 480)
N = ShiftType("N", time(22), 480, night=True)
HARD = (
    Rule.MIN_REST,
    Rule.WEEKLY_REST,
    Rule.MAX_CONSECUTIVE_DAYS,
    Rule.UNAVAILABLE,
    Rule.MONTHLY_OVERTIME_CAP,
)
CN_LIKE = Policy(
    "t",
    (*(RuleSetting(r, hard=True) for r in HARD), RuleSetting(Rule.OVERTIME, hard=False, weight=1)),
)


def day(i: int) -> date:
    return MON + timedelta(days=i)


def cells(roster_assignments: Iterable[Assignment]) -> list[tuple[int, str, str, str | None]]:
    return sorted(
        ((a.day - MON).days, a.shift_id, a.employee_id, a.skill) for a in roster_assignments
    )


def test_least_loaded_available_person_fills_each_line() -> None:
    p = Problem(
        MON,
        3,
        (D,),
        (Employee("a"), Employee("b"), Employee("c")),
        tuple(Demand(day(i), "D", target=2) for i in range(3)),
        CN_LIKE,
        absences=(Absence("a", day(1)),),
    )
    r = greedy_roster(p)
    # day 0: a, b (ties in file order); day 1: a on leave -> c (0 load), b (load 480 < ...)
    # day 2: a and c have 1 shift, b has 2 -> a, c
    assert cells(r.assignments) == [
        (0, "D", "a", None),
        (0, "D", "b", None),
        (1, "D", "b", None),
        (1, "D", "c", None),
        (2, "D", "a", None),
        (2, "D", "c", None),
    ]


def test_scarce_skill_is_staffed_first_and_skills_are_respected() -> None:
    emps = (
        Employee("p1", skills=frozenset({"picker"})),
        Employee("f1", skills=frozenset({"picker", "forklift"})),
        Employee("p2", skills=frozenset({"picker"})),
    )
    demand = (
        Demand(MON, "D", target=2, skill="picker"),
        Demand(MON, "D", target=1, skill="forklift"),
    )
    r = greedy_roster(Problem(MON, 1, (D,), emps, demand, CN_LIKE))
    # picker listed first, but forklift has one candidate: f1 drives, p1 and p2 pick
    assert cells(r.assignments) == [
        (0, "D", "f1", "forklift"),
        (0, "D", "p1", "picker"),
        (0, "D", "p2", "picker"),
    ]


def test_short_staffed_lines_stay_uncovered() -> None:
    p = Problem(MON, 1, (D,), (Employee("a"),), (Demand(MON, "D", target=3),), CN_LIKE)
    r = greedy_roster(p)
    assert len(r.assignments) == 1
    assert roster_metrics(p, r).uncovered_hours == 16


def test_spreadsheet_breaks_rest_and_careful_variant_does_not() -> None:
    # a night on Monday, an early shift on Tuesday, one person
    p = Problem(
        MON,
        2,
        (D, N),
        (Employee("a"),),
        (Demand(day(0), "N", target=1), Demand(day(1), "D", target=1)),
        CN_LIKE,
    )
    naive = greedy_roster(p)
    assert [v.rule for v in evaluate(p, naive).violations] == [Rule.MIN_REST]
    careful = greedy_roster(p, careful=True)
    assert cells(careful.assignments) == [(0, "N", "a", None)]  # 0 h rest: left open
    assert evaluate(p, careful).violations == ()


def test_careful_variant_keeps_a_rest_day_in_seven() -> None:
    p = Problem(
        MON,
        8,
        (D,),
        (Employee("a"),),
        tuple(Demand(day(i), "D", target=1) for i in range(8)),
        CN_LIKE,
    )
    naive = greedy_roster(p)
    assert len(naive.assignments) == 8
    assert {v.rule for v in evaluate(p, naive).violations} == {
        Rule.WEEKLY_REST,
        Rule.MAX_CONSECUTIVE_DAYS,
    }
    careful = greedy_roster(p, careful=True)
    assert [i for i, *_ in cells(careful.assignments)] == [0, 1, 2, 3, 4, 5, 7]
    assert evaluate(p, careful).violations == ()


def test_careful_variant_spreads_nights_before_balancing_minutes() -> None:
    long_day = ShiftType("D", time(6), 600)  # a's Monday weighs more than b's night
    demand = (
        Demand(day(0), "D", target=1),
        Demand(day(0), "N", target=1),
        Demand(day(1), "N", target=1),
    )
    p = Problem(MON, 2, (long_day, N), (Employee("a"), Employee("b")), demand, CN_LIKE)
    assert cells(greedy_roster(p).assignments)[-1] == (1, "N", "b", None)  # least minutes
    assert cells(greedy_roster(p, careful=True).assignments) == [
        (0, "D", "a", None),
        (0, "N", "b", None),
        (1, "N", "a", None),
    ]  # fewest nights
