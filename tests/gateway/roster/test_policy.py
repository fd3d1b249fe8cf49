"""Policy YAML -> scheduler Policy: CN defaults, clear errors on bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.errors import PolicyFileError
from gateway.roster.policy import load_policy, parse_policy
from scheduler.model import Rule, Severity

ROOT = Path(__file__).resolve().parents[3]


def test_cn_policy_file_carries_the_chinese_defaults() -> None:
    p = load_policy(ROOT / "config" / "policies" / "cn.yaml")
    assert p.name == "cn"
    assert p.min_rest_minutes == 660
    assert (p.rest_window_days, p.min_rest_days_in_window) == (7, 1)
    assert (p.daily_regular_minutes, p.weekly_regular_minutes) == (480, 2400)
    assert (p.daily_overtime_cap_minutes, p.monthly_overtime_cap_minutes) == (180, 2160)
    for rule in (
        Rule.MIN_REST,
        Rule.WEEKLY_REST,
        Rule.DAILY_OVERTIME_CAP,
        Rule.MONTHLY_OVERTIME_CAP,
        Rule.NO_NIGHTS,
        Rule.NO_OVERTIME,
        Rule.UNAVAILABLE,
    ):
        assert p.is_hard(rule), rule
    assert not p.is_hard(Rule.OVERTIME) and p.active(Rule.MINIMAL_CHANGE)


def test_unknown_rule_names_the_file_and_key() -> None:
    with pytest.raises(PolicyFileError, match=r"p\.yaml: rules\.no_such_rule"):
        parse_policy("name: x\nrules:\n  no_such_rule: {hard: true}\n", source="p.yaml")


def test_wrong_type_and_bad_yaml() -> None:
    with pytest.raises(
        PolicyFileError, match=r"p\.yaml: numbers\.min_rest_hours: Input should be a valid number"
    ):
        parse_policy("name: x\nnumbers: {min_rest_hours: lots}\nrules: {}\n", source="p.yaml")
    with pytest.raises(PolicyFileError, match="invalid YAML"):
        parse_policy("name: [\n", source="p.yaml")
    with pytest.raises(PolicyFileError, match="cannot read policy file"):
        load_policy(ROOT / "config" / "policies" / "missing.yaml")


def test_cn_policy_roster_keeps_rest_and_rest_days() -> None:
    from datetime import date, time, timedelta

    from scheduler.model import Demand, Employee, Problem, ShiftType, SolveOptions, SolveStatus
    from scheduler.solve import solve

    pol = load_policy(ROOT / "config" / "policies" / "cn.yaml")
    shifts = (
        ShiftType("D", time(8), 480),
        ShiftType("L", time(14), 480),
        ShiftType("N", time(22), 480, night=True),
    )
    start = date(2026, 12, 7)
    people = (*(Employee(f"p{i}") for i in range(5)), Employee("mum", no_nights=True))
    demand = tuple(
        Demand(start + timedelta(days=d), s.id, target=1) for d in range(14) for s in shifts
    )
    p = Problem(
        start=start,
        days=14,
        shifts=shifts,
        employees=people,
        demand=demand,
        policy=pol,
        name="cn-small",
    )
    r = solve(p, SolveOptions(time_limit_s=60, workers=4, seed=0))
    assert r.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE) and r.roster is not None
    on = {(a.employee_id, (a.day - start).days): a.shift_id for a in r.roster.assignments}
    short_rest = {("N", "D"), ("N", "L"), ("L", "D")}  # < 11 h between them
    for e in people:
        for d in range(13):
            assert (on.get((e.id, d)), on.get((e.id, d + 1))) not in short_rest
        for first in range(8):
            assert any((e.id, d) not in on for d in range(first, first + 7))
    assert all(s != "N" for (who, _d), s in on.items() if who == "mum")
    assert r.penalties.total == r.objective


def test_labour_law_limits_ship_as_block_and_a_severity_can_be_set() -> None:
    p = load_policy(ROOT / "config" / "policies" / "cn.yaml")
    for rule in (Rule.WEEKLY_REST, Rule.DAILY_OVERTIME_CAP, Rule.MONTHLY_OVERTIME_CAP):
        assert p.severity(rule) == Severity.BLOCK
    assert p.severity(Rule.MAX_WEEKENDS) == Severity.WARN  # soft: shown, not refused
    q = parse_policy(
        "name: t\nrules:\n  min_rest: {hard: true, severity: warn}\n"
        "  max_weekends: {weight: 5, severity: block}\n",
        source="t.yaml",
    )
    assert (q.severity(Rule.MIN_REST), q.severity(Rule.MAX_WEEKENDS)) == (
        Severity.WARN,
        Severity.BLOCK,
    )
    with pytest.raises(PolicyFileError, match="severity"):
        parse_policy("name: t\nrules:\n  min_rest: {severity: never}\n", source="t.yaml")
