"""A roster and the payroll agree on a comprehensive person's regular hours: both count 8 h
per official CN working day of the calendar month (October 2026: 18 days, 144 h)."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from gateway.roster.demand import parse_demand
from gateway.roster.policy import load_policy
from gateway.roster.service import build_problem
from hrcore.attendance.model import DayKind, DayResult, DayStatus, ShiftRule
from hrcore.attendance.overtime import load_policy as load_overtime_policy
from hrcore.db import make_engine, make_session_factory
from hrcore.enums import WorkingHoursSystem
from hrcore.store import EmployeeIn, ShiftTypeIn, SiteIn, save_employee, save_shift_type, save_site
from scheduler.rules.hours import block_allowance, blocks
from tests.gateway.cli.test_roster_store_cmd import POLICY

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
TZ = ZoneInfo("Asia/Shanghai")


def _site(url: str) -> None:
    factory = make_session_factory(make_engine(url))
    with factory.begin() as s:
        site = save_site(s, SiteIn("S1", "Site", "Asia/Shanghai"))
        save_shift_type(s, site, ShiftTypeIn("D", time(8), time(16)))
        save_employee(
            s,
            site,
            EmployeeIn(
                "P", "P", date(2025, 1, 1), working_hours_system=WorkingHoursSystem.COMPREHENSIVE
            ),
        )


def test_roster_and_payroll_both_allow_144_regular_hours_in_october_2026(sqlite_url: str) -> None:
    _site(sqlite_url)
    factory = make_session_factory(make_engine(sqlite_url))
    demand = parse_demand("base: {D: {any: {target: 1}}}", source="t")
    with factory() as s:
        site_problem = build_problem(s, "S1", *OCTOBER, load_policy(POLICY), demand)
    problem = site_problem.problem
    person = problem.employees[0]
    (month,) = blocks(problem, person)
    roster_regular = block_allowance(problem, person, month)
    assert roster_regular == 144 * 60
    assert site_problem.assumed_calendar_years == ()

    # the payroll side: 6 h on each of October's 28 non-statutory days (168 h) -> 24 h at 150 %
    overtime = load_overtime_policy("cn")
    shift = ShiftRule("D", time(8), time(16))
    days = [OCTOBER[0] + timedelta(days=i) for i in range(31)]
    worked = [
        DayResult(
            employee="P",
            date=d,
            kind=overtime.calendar.kind(d),
            status=DayStatus.PRESENT,
            shift=shift.on(d, TZ),
            worked_minutes=6 * 60,
        )
        for d in days
        if overtime.calendar.kind(d) is not DayKind.STATUTORY_HOLIDAY
    ]
    total = sum(d.worked_minutes for d in worked)
    report = overtime.evaluate("P", worked, WorkingHoursSystem.COMPREHENSIVE)
    assert total == 168 * 60
    assert report.minutes_at(Decimal("1.5")) == total - roster_regular == 24 * 60


def test_a_year_without_a_published_calendar_is_assumed_monday_to_friday(sqlite_url: str) -> None:
    _site(sqlite_url)
    factory = make_session_factory(make_engine(sqlite_url))
    demand = parse_demand("base: {D: {any: {target: 1}}}", source="t")
    with factory() as s:
        site_problem = build_problem(
            s, "S1", date(2027, 1, 4), date(2027, 1, 10), load_policy(POLICY), demand
        )
    assert site_problem.assumed_calendar_years == (2027,)
    problem = site_problem.problem
    person = problem.employees[0]
    (week,) = blocks(problem, person)
    assert block_allowance(problem, person, week) == 5 * 8 * 60
