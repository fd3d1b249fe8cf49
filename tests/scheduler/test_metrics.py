"""Shared roster figures: uncovered hours, overtime, breaches, spreads."""

from __future__ import annotations

from datetime import date, time, timedelta

from scheduler.metrics import roster_metrics
from scheduler.model import (
    Absence,
    Assignment,
    Demand,
    Employee,
    Policy,
    Problem,
    Roster,
    Rule,
    RuleSetting,
    ShiftType,
)

MON = date(2026, 3, 2)  # weekend days 5 and 6
D = ShiftType("D", time(6), 480)
N = ShiftType("N", time(22), 480, night=True)
# rules soft or off in the policy are still counted as breaches by the metrics
POLICY = Policy("t", (RuleSetting(Rule.MIN_REST, hard=False, weight=5),))


def test_figures_of_a_hand_built_roster() -> None:
    emps = (Employee("a"), Employee("b"), Employee("c"))
    demand = tuple(Demand(MON + timedelta(days=i), "D", target=2) for i in range(7))
    a_week = [Assignment("a", MON + timedelta(days=i), "D") for i in range(7)]  # 7 days
    b_night = Assignment("b", MON, "N")
    b_early = Assignment("b", MON + timedelta(days=1), "D")  # 0 h rest after the night
    p = Problem(MON, 7, (D, N), emps, demand, POLICY, absences=(Absence("c", MON),))
    m = roster_metrics(p, Roster(MON, 7, (*a_week, b_night, b_early)))
    # D needs 2 a day: a covers 7, b covers 1 (day 1) -> 6 shifts of 8 h short
    assert m.uncovered_hours == 48
    # a: 56 h in the week -> 16 h overtime (40 h regular); b: 16 h, none
    assert m.overtime_hours == 16
    # a: 7 days in a row (max 6) and no rest day in 7; b: 0 h rest before D
    assert m.rest_breaches == 3
    assert m.overtime_cap_breaches == 0 and m.other_breaches == 0
    # spreads among people present all week (c is absent Monday): a 7 vs b 1 nights? no:
    # nights a 0, b 1 -> 1; weekend days a 2, b 0 -> 2
    assert (m.night_spread, m.weekend_spread) == (1, 2)
    assert m.assignments == 9
