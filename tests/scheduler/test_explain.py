"""Infeasible instances name the right conflicting rules in words."""

from __future__ import annotations

from scheduler.model import Absence, Demand, Employee, Pin, Rule, SolveStatus
from tests.scheduler.builders import NIGHT, daily, day, policy, problem, run


def test_too_few_cashiers_not_on_leave_names_demand_and_leave() -> None:
    staff = tuple(
        Employee(f"c{i}", name=f"Cashier {i}", skills=frozenset({"cashier"})) for i in range(7)
    )
    leave = (Absence("c1", day(5)), Absence("c4", day(5)))
    dem = (
        Demand(day(5), "D", target=6, minimum=6, skill="cashier"),
        *daily("D", 5, 1, skill="cashier"),
    )
    p = problem(
        days=7,
        pol=policy(Rule.COVER_MINIMUM, Rule.UNAVAILABLE, Rule.WEEKLY_REST),
        employees=staff,
        demand=dem,
        absences=leave,
    )
    r = run(p)
    assert r.status == SolveStatus.INFEASIBLE and r.roster is None
    ex = r.explanation
    assert ex is not None and ex.minimal
    rules = sorted(c.rule for c in ex.conflicts)
    assert rules == [Rule.COVER_MINIMUM, Rule.UNAVAILABLE, Rule.UNAVAILABLE]
    cover = next(c for c in ex.conflicts if c.rule == Rule.COVER_MINIMUM)
    assert cover.words.startswith("demand of at least 6 cashier staff on Sat 12 Dec 2026")
    assert "only 5 of the 7 qualified people are not on leave" in cover.words
    leave_words = sorted(c.words for c in ex.conflicts if c.rule == Rule.UNAVAILABLE)
    assert leave_words == [
        "Cashier 1 is on approved leave on Sat 12 Dec 2026",
        "Cashier 4 is on approved leave on Sat 12 Dec 2026",
    ]
    assert {c.employee_id for c in ex.conflicts if c.rule == Rule.UNAVAILABLE} == {"c1", "c4"}


def test_pins_against_max_consecutive_days() -> None:
    ann = Employee("ann", name="Ann", max_consecutive_days=5)
    pins = tuple(Pin("ann", day(d), "D") for d in range(7))
    p = problem(days=7, pol=policy(Rule.MAX_CONSECUTIVE_DAYS), employees=(ann,), pins=pins)
    r = run(p)
    assert r.status == SolveStatus.INFEASIBLE
    ex = r.explanation
    assert ex is not None and ex.minimal
    rules = [c.rule for c in ex.conflicts]
    assert rules.count(Rule.MAX_CONSECUTIVE_DAYS) == 1
    assert rules.count(Rule.PINNED) == 6  # six pinned days in a row are enough
    assert "Ann may work at most 5 days in a row" in ex.words()


def test_feasible_problem_has_no_explanation_but_a_penalty_report() -> None:
    p = problem(days=1, pol=policy(Rule.COVER_MINIMUM), demand=daily("D", 1, 2, minimum=1))
    r = run(p)
    assert r.status == SolveStatus.OPTIMAL and r.explanation is None
    assert [(x.rule, x.cost) for x in r.penalties.items] == [(Rule.COVER_UNDER, 100)]


def test_pin_to_a_night_in_a_protection_period_names_both() -> None:
    ann = Employee("ann", name="Ann", no_night_days=frozenset({day(3)}))
    p = problem(
        days=5,
        pol=policy(Rule.NO_NIGHTS),
        shifts=(NIGHT,),
        employees=(ann,),
        pins=(Pin("ann", day(3), "N"),),
    )
    r = run(p)
    assert r.status == SolveStatus.INFEASIBLE
    ex = r.explanation
    assert ex is not None and ex.minimal
    assert sorted(c.rule for c in ex.conflicts) == [Rule.NO_NIGHTS, Rule.PINNED]
    assert "Ann may not work nights on protected days" in ex.words()
