"""Store -> Problem: leave, hire/exit, history and the published roster in force."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from gateway.roster.demand import DemandFile, parse_demand
from gateway.roster.policy import load_policy
from gateway.roster.service import (
    SolveOutcome,
    SolveRequest,
    build_problem,
    solve_site,
)
from hrcore.db import make_engine, make_session_factory
from hrcore.enums import WorkingHoursSystem
from hrcore.errors import InvalidData
from hrcore.models import (
    Employee,
    Leave,
    LeaveKind,
    Protection,
    ProtectionKind,
    RosterAssignment,
    RosterRun,
    RosterStatus,
)
from hrcore.store import (
    EmployeeIn,
    ProtectionPeriod,
    RosterLimits,
    ShiftTypeIn,
    SiteIn,
    save_employee,
    save_shift_type,
    save_site,
)
from hrcore.store.roster import publish
from scheduler.model import AbsenceKind, Assignment, HoursCycle, HoursSystem, SolveOptions
from tests.gateway.cli.test_roster_store_cmd import POLICY

MON = date(2026, 3, 9)
SUN = MON + timedelta(days=6)
T0 = datetime(2026, 3, 1, tzinfo=UTC)
NO_NIGHTS, NO_OVERTIME = ProtectionKind.NO_NIGHTS, ProtectionKind.NO_OVERTIME
DEMAND = parse_demand("base: {D: {any: {target: 1}}, N: {any: {target: 0}}}", source="t")


def clock() -> datetime:
    return T0


def seed(factory: sessionmaker[Session]) -> dict[str, int]:
    with factory.begin() as s:
        site = save_site(s, SiteIn("S1", "Site", "Asia/Shanghai"))
        d = save_shift_type(s, site, ShiftTypeIn("D", time(6), time(14)))
        n = save_shift_type(s, site, ShiftTypeIn("N", time(22), time(6)))
        ids = {"D": d.id, "N": n.id}
        for code, hire, exit_date in (
            ("A", date(2025, 1, 1), None),
            ("B", MON + timedelta(days=2), None),  # joins on Wednesday
            ("C", date(2025, 1, 1), MON + timedelta(days=4)),  # leaves after Friday
            ("GONE", date(2025, 1, 1), MON - timedelta(days=1)),  # left before the week
        ):
            ids[code] = save_employee(s, site, EmployeeIn(code, code, hire, exit_date=exit_date)).id
        s.add(
            Leave(
                employee_id=ids["A"],
                kind=LeaveKind.ANNUAL,
                start_date=MON - timedelta(1),
                end_date=MON + timedelta(days=1),
                approved=True,
            )
        )
        s.add(
            Leave(
                employee_id=ids["C"],
                kind=LeaveKind.PERSONAL,
                start_date=MON,
                end_date=MON,
                approved=False,
            )
        )  # only requested: not an absence
        return ids


def day_and_night_site(factory: sessionmaker[Session], *staff: EmployeeIn) -> None:
    """Site S1 with a day shift D 06-14, a night shift N 22-06, and `staff`."""
    with factory.begin() as s:
        site = save_site(s, SiteIn("S1", "Site", "Asia/Shanghai"))
        save_shift_type(s, site, ShiftTypeIn("D", time(6), time(14)))
        save_shift_type(s, site, ShiftTypeIn("N", time(22), time(6)))
        for e in staff:
            save_employee(s, site, e)


def solve_week(factory: sessionmaker[Session], demand: DemandFile) -> SolveOutcome:
    """Site S1's week MON..SUN solved under the CN policy (10 s, 2 workers)."""
    return solve_site(
        factory,
        SolveRequest("S1", MON, SUN, load_policy(POLICY), demand),
        SolveOptions(time_limit_s=10, workers=2),
        clock=clock,
    )


def published_run(
    factory: sessionmaker[Session],
    ids: dict[str, int],
    start: date,
    end: date,
    cells: list[tuple[str, date, str]],
    at: datetime,
) -> int:
    with factory.begin() as s:
        run = RosterRun(
            site_id=1,
            date_from=start,
            date_to=end,
            status=RosterStatus.PUBLISHED,
            objective=0,
            created_at=at,
            published_at=at,
            penalty_report=[],
        )
        s.add(run)
        s.flush()
        s.add_all(
            RosterAssignment(
                roster_run_id=run.id, employee_id=ids[e], date=d, shift_type_id=ids[sh]
            )
            for e, d, sh in cells
        )
        return run.id


def test_problem_from_the_store(sqlite_url: str) -> None:
    factory = make_session_factory(make_engine(sqlite_url))
    ids = seed(factory)
    prev_sun = MON - timedelta(days=1)
    # last week (history), then this week published twice: the newer run wins on its days
    published_run(
        factory,
        ids,
        MON - timedelta(7),
        prev_sun,
        [("A", prev_sun - timedelta(1), "D"), ("C", prev_sun, "N")],
        T0,
    )
    this_week = published_run(factory, ids, MON, SUN, [("A", MON, "D"), ("C", SUN, "D")], T0)
    with factory.begin() as s:  # the skill A covers on Monday comes back with the row
        s.execute(
            update(RosterAssignment)
            .where(RosterAssignment.roster_run_id == this_week, RosterAssignment.date == MON)
            .values(skill="picker")
        )
    published_run(factory, ids, MON + timedelta(5), SUN, [("A", SUN, "N")], T0 + timedelta(hours=1))
    with factory() as s:
        sp = build_problem(s, "S1", MON, SUN, load_policy(POLICY), DEMAND)
    p = sp.problem
    assert [e.id for e in p.employees] == ["A", "B", "C"]  # GONE left before the week
    absent = {(a.employee_id, (a.day - MON).days): a.kind for a in p.absences}
    assert absent == {
        ("A", 0): AbsenceKind.LEAVE,
        ("A", 1): AbsenceKind.LEAVE,
        ("B", 0): AbsenceKind.UNAVAILABLE,
        ("B", 1): AbsenceKind.UNAVAILABLE,
        ("C", 5): AbsenceKind.UNAVAILABLE,
        ("C", 6): AbsenceKind.UNAVAILABLE,
    }
    assert p.history == (
        Assignment("A", prev_sun - timedelta(1), "D"),
        Assignment("C", prev_sun, "N"),
    )
    assert p.history_days == 7
    assert p.published is not None
    assert (p.published.start, p.published.days) == (MON, 7)
    # Sunday belongs to the newer run: A on N, and C's D there is overridden
    assert p.published.assignments == (
        Assignment("A", MON, "D", "picker"),
        Assignment("A", SUN, "N"),
    )
    assert [(s.id, s.minutes, s.night) for s in p.shifts] == [("D", 480, False), ("N", 480, True)]


def test_history_night_blocks_a_monday_early_shift(sqlite_url: str) -> None:
    factory = make_session_factory(make_engine(sqlite_url))
    ids = seed(factory)
    with factory.begin() as s:  # A is free on Monday; B joins Wed; C is away that day
        s.query(Leave).delete()
        s.add(Leave(employee_id=ids["C"], kind=LeaveKind.SICK, start_date=MON, end_date=MON))
    published_run(
        factory, ids, MON - timedelta(7), MON - timedelta(1), [("A", MON - timedelta(1), "N")], T0
    )
    out = solve_site(
        factory,
        SolveRequest("S1", MON, MON, load_policy(POLICY), DEMAND),
        SolveOptions(time_limit_s=10, workers=2),
        clock=clock,
    )
    assert out.result.roster is not None and out.run_id is not None
    # A ended a night at 06:00 Monday: 0 h rest before D, so the shift stays open
    assert out.result.roster.assignments == ()
    assert [(p.rule, p.cost) for p in out.result.penalties.items] == [("cover_under", 1000)]
    with factory.begin() as s:
        done = publish(s, clock=clock, actor="test", run_id=out.run_id)
    assert done.superseded == () and done.overridden == ()


def test_personal_limits_reach_the_solver_and_bind(sqlite_url: str) -> None:
    factory = make_session_factory(make_engine(sqlite_url))
    limits = RosterLimits(
        no_nights=True,
        max_consecutive_days=3,
        min_rest_minutes=13 * 60,
        daily_overtime_cap_minutes=60,
        monthly_overtime_cap_minutes=600,
    )
    day_and_night_site(
        factory,
        EmployeeIn("P", "Pregnant", date(2025, 1, 1), limits=limits),
        EmployeeIn("Q", "Other", date(2025, 1, 1)),
    )
    demand = parse_demand("base: {D: {any: {target: 1}}, N: {any: {target: 1}}}", source="t")
    with factory() as s:
        p = build_problem(s, "S1", MON, SUN, load_policy(POLICY), demand).problem
    by_id = {e.id: e for e in p.employees}
    assert (by_id["P"].no_nights, by_id["P"].no_overtime) == (True, False)
    assert by_id["P"].max_consecutive_days == 3
    assert by_id["P"].min_rest_minutes == 780
    assert by_id["P"].daily_overtime_cap_minutes == 60
    assert by_id["P"].monthly_overtime_cap_minutes == 600
    assert by_id["Q"].no_nights is False and by_id["Q"].max_consecutive_days is None
    out = solve_week(factory, demand)
    assert out.result.roster is not None
    mine = sorted((a.day - MON).days for a in out.result.roster.assignments if a.employee_id == "P")
    shifts = {a.shift_id for a in out.result.roster.assignments if a.employee_id == "P"}
    assert mine and shifts == {"D"}  # P takes day shifts only, Q all the nights
    # D is wanted every day, but P works at most 3 days in a row
    assert len(mine) >= 3
    assert not any(all(d + k in mine for k in range(4)) for d in mine)


def test_comprehensive_staff_average_their_hours_over_calendar_months(sqlite_url: str) -> None:
    factory = make_session_factory(make_engine(sqlite_url))
    comp = WorkingHoursSystem.COMPREHENSIVE
    day_and_night_site(
        factory,
        EmployeeIn("P", "P", date(2025, 1, 1), working_hours_system=comp),
        EmployeeIn("Q", "Q", date(2025, 1, 1)),
    )
    with factory() as s:
        p = build_problem(s, "S1", MON, SUN, load_policy(POLICY), DEMAND).problem
    by_id = {e.id: e for e in p.employees}
    # the same cycle as hrcore's CN overtime for the comprehensive system (a calendar month)
    assert (by_id["P"].hours_system, by_id["P"].cycle) == (
        HoursSystem.COMPREHENSIVE,
        HoursCycle.MONTH,
    )
    assert by_id["Q"].hours_system == HoursSystem.STANDARD


def test_out_of_range_limits_are_refused_and_nothing_is_stored(sqlite_url: str) -> None:
    factory = make_session_factory(make_engine(sqlite_url))
    bad = RosterLimits(max_consecutive_days=0, min_rest_minutes=-1)
    with pytest.raises(InvalidData, match="max_consecutive_days must be at least 1, got 0"):
        with factory.begin() as s:
            site = save_site(s, SiteIn("S1", "Site", "Asia/Shanghai"))
            save_employee(s, site, EmployeeIn("P", "P", date(2025, 1, 1), limits=bad))
    with factory() as s:
        assert s.query(Employee).count() == 0
    assert "min_rest_minutes must be 0..1440, got -1" in "; ".join(bad.problems())


def test_protection_periods_bar_nights_on_their_days_and_overtime_in_the_horizon(
    sqlite_url: str,
) -> None:
    factory = make_session_factory(make_engine(sqlite_url))
    wed, fri = MON + timedelta(days=2), MON + timedelta(days=4)
    nights_from_wed = RosterLimits(
        protections=(ProtectionPeriod(NO_NIGHTS, wed, date(2026, 9, 1)),)
    )
    before_the_week = RosterLimits(
        protections=(ProtectionPeriod(NO_NIGHTS, date(2025, 1, 1), MON - timedelta(days=1)),)
    )
    overtime_to_fri = RosterLimits(
        protections=(ProtectionPeriod(NO_OVERTIME, date(2026, 1, 1), fri),)
    )
    with factory.begin() as s:
        site = save_site(s, SiteIn("S1", "Site", "Asia/Shanghai"))
        save_shift_type(s, site, ShiftTypeIn("N", time(22), time(6)))
        hired = date(2025, 1, 1)
        save_employee(s, site, EmployeeIn("P", "P", hired, limits=nights_from_wed))
        save_employee(s, site, EmployeeIn("Q", "Q", hired, limits=before_the_week))
        save_employee(s, site, EmployeeIn("R", "R", hired, limits=overtime_to_fri))
    demand = parse_demand("base: {N: {any: {target: 1}}}", source="t")
    with factory() as s:
        p = build_problem(s, "S1", MON, SUN, load_policy(POLICY), demand).problem
    by_id = {e.id: e for e in p.employees}
    assert by_id["P"].no_night_days == frozenset(MON + timedelta(days=i) for i in range(2, 7))
    assert not by_id["P"].no_nights and not by_id["P"].no_overtime
    assert by_id["Q"].no_night_days == frozenset() and not by_id["Q"].no_nights
    assert by_id["R"].no_overtime and by_id["R"].no_night_days == frozenset()
    out = solve_week(factory, demand)
    assert out.result.roster is not None
    p_nights = {(a.day - MON).days for a in out.result.roster.assignments if a.employee_id == "P"}
    assert p_nights <= {0, 1}  # nights on Mon/Tue at most (the exact effect: test_rules.py)
    # saving the employee again replaces the periods
    with factory.begin() as s:
        site = save_site(s, SiteIn("S1", "Site", "Asia/Shanghai"))
        save_employee(s, site, EmployeeIn("P", "P", date(2025, 1, 1)))
    with factory() as s:
        assert s.query(Protection).count() == 2
        p = build_problem(s, "S1", MON, SUN, load_policy(POLICY), demand).problem
    assert {e.id: e for e in p.employees}["P"].no_night_days == frozenset()


def test_a_protection_ending_before_it_starts_is_refused(sqlite_url: str) -> None:
    factory = make_session_factory(make_engine(sqlite_url))
    bad = RosterLimits(protections=(ProtectionPeriod(NO_NIGHTS, SUN, MON),))
    with pytest.raises(InvalidData, match="no_nights protection ends on 2026-03-09, before it"):
        with factory.begin() as s:
            site = save_site(s, SiteIn("S1", "Site", "Asia/Shanghai"))
            save_employee(s, site, EmployeeIn("P", "P", date(2025, 1, 1), limits=bad))
    with factory() as s:
        assert s.query(Employee).count() == 0 and s.query(Protection).count() == 0
