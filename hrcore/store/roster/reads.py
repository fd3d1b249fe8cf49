"""What rostering reads from the store, as frozen types: a site's shift types, the employees
working in a range (with their personal limits and pay), their protection periods and approved
leave, and the published roster in force."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hrcore.models import (
    Employee,
    Leave,
    PayBasis,
    Protection,
    ProtectionKind,
    RosterAssignment,
    RosterRun,
    RosterStatus,
    ShiftType,
    WorkingHoursSystem,
)


def dates_between(date_from: date, date_to: date) -> Iterator[date]:
    """Every date of ``date_from..date_to``, both included."""
    d = date_from
    while d <= date_to:
        yield d
        d += timedelta(days=1)


@dataclass(frozen=True, slots=True)
class StoredShiftType:
    """A shift type as rostering sees it; ``end`` not after ``start`` means the next day."""

    id: int
    code: str
    start: time
    end: time
    break_minutes: int
    required_skill: str | None
    name: str = ""


def shift_types(session: Session, site_id: int) -> tuple[StoredShiftType, ...]:
    """The site's shift types, by code."""
    rows = session.scalars(
        select(ShiftType).where(ShiftType.site_id == site_id).order_by(ShiftType.code)
    )
    return tuple(
        StoredShiftType(r.id, r.code, r.start, r.end, r.break_minutes, r.required_skill, r.name)
        for r in rows
    )


@dataclass(frozen=True, slots=True)
class RosterEmployee:
    """An employee with what rostering needs: skills, hours system, dates, personal limits
    (``None`` falls back to the site's policy)."""

    id: int
    code: str
    name: str
    skills: tuple[str, ...]
    working_hours_system: WorkingHoursSystem
    hire_date: date
    exit_date: date | None
    no_nights: bool
    no_overtime: bool
    max_consecutive_days: int | None
    min_rest_minutes: int | None
    daily_overtime_cap_minutes: int | None
    monthly_overtime_cap_minutes: int | None

    def works_on(self, day: date) -> bool:
        """Hired by ``day`` and not yet left."""
        return self.hire_date <= day and (self.exit_date is None or day <= self.exit_date)


def _roster_employee(r: Employee) -> RosterEmployee:
    return RosterEmployee(
        id=r.id,
        code=r.code,
        name=r.name,
        skills=tuple(r.skills or ()),
        working_hours_system=r.working_hours_system,
        hire_date=r.hire_date,
        exit_date=r.exit_date,
        no_nights=r.no_nights,
        no_overtime=r.no_overtime,
        max_consecutive_days=r.max_consecutive_days,
        min_rest_minutes=r.min_rest_minutes,
        daily_overtime_cap_minutes=r.daily_overtime_cap_minutes,
        monthly_overtime_cap_minutes=r.monthly_overtime_cap_minutes,
    )


def employees_working(
    session: Session, site_id: int, date_from: date, date_to: date
) -> tuple[RosterEmployee, ...]:
    """The site's employees hired by ``date_to`` who have not left before ``date_from``, by
    code."""
    rows = session.scalars(
        select(Employee)
        .where(
            Employee.site_id == site_id,
            Employee.hire_date <= date_to,
            (Employee.exit_date.is_(None)) | (Employee.exit_date >= date_from),
        )
        .order_by(Employee.code)
    )
    return tuple(_roster_employee(r) for r in rows)


@dataclass(frozen=True, slots=True)
class EmployeeProtection:
    """Whole days ``start``..``end`` in which the employee may not work nights, or overtime."""

    employee_id: int
    kind: ProtectionKind
    start: date
    end: date


def protections(
    session: Session, employee_ids: Iterable[int], date_from: date, date_to: date
) -> tuple[EmployeeProtection, ...]:
    """Protection periods of these employees that touch ``date_from..date_to``."""
    rows = session.scalars(
        select(Protection).where(
            Protection.employee_id.in_(set(employee_ids)),
            Protection.start_date <= date_to,
            Protection.end_date >= date_from,
        )
    )
    return tuple(EmployeeProtection(p.employee_id, p.kind, p.start_date, p.end_date) for p in rows)


@dataclass(frozen=True, slots=True)
class LeaveSpan:
    """Approved leave of one employee, whole days ``start``..``end``."""

    employee_id: int
    start: date
    end: date


def approved_leave(
    session: Session, employee_ids: Iterable[int], date_from: date, date_to: date
) -> tuple[LeaveSpan, ...]:
    """Approved leave of these employees that touches ``date_from..date_to``."""
    rows = session.scalars(
        select(Leave).where(
            Leave.employee_id.in_(set(employee_ids)),
            Leave.approved.is_(True),
            Leave.start_date <= date_to,
            Leave.end_date >= date_from,
        )
    )
    return tuple(LeaveSpan(lv.employee_id, lv.start_date, lv.end_date) for lv in rows)


@dataclass(frozen=True, slots=True)
class StoredAssignment:
    employee_id: int
    date: date
    shift_type_id: int
    skill: str | None  # the skill the shift covers, None when none is asked for


@dataclass(frozen=True, slots=True)
class PublishedRoster:
    """The published roster in force over a range."""

    in_force: Mapping[date, int]  # date -> the run in force (the newest published covering it)
    assignments: tuple[StoredAssignment, ...]  # of the run in force on each date


def _published_in_force(
    session: Session, site_id: int, date_from: date, date_to: date
) -> dict[date, int]:
    """For each date of the range covered by a published run, the run in force (the newest)."""
    runs = list(
        session.scalars(
            select(RosterRun).where(
                RosterRun.site_id == site_id,
                RosterRun.status == RosterStatus.PUBLISHED,
                RosterRun.date_from <= date_to,
                RosterRun.date_to >= date_from,
            )
        )
    )
    runs.sort(key=lambda r: (r.published_at or r.created_at, r.id))
    owner: dict[date, int] = {}
    for run in runs:
        for d in dates_between(max(run.date_from, date_from), min(run.date_to, date_to)):
            owner[d] = run.id
    return owner


def published_roster(
    session: Session, site_id: int, date_from: date, date_to: date
) -> PublishedRoster:
    """The published roster in force over ``date_from..date_to`` (empty when none is)."""
    owner = _published_in_force(session, site_id, date_from, date_to)
    if not owner:
        return PublishedRoster(owner, ())
    rows = session.execute(
        select(
            RosterAssignment.roster_run_id,
            RosterAssignment.employee_id,
            RosterAssignment.date,
            RosterAssignment.shift_type_id,
            RosterAssignment.skill,
        ).where(
            RosterAssignment.roster_run_id.in_(set(owner.values())),
            RosterAssignment.date >= date_from,
            RosterAssignment.date <= date_to,
        )
    )
    return PublishedRoster(
        owner,
        tuple(
            StoredAssignment(emp, d, shift, skill)
            for run, emp, d, shift, skill in rows
            if owner.get(d) == run
        ),
    )


@dataclass(frozen=True, slots=True)
class EmployeePay:
    """What a roster screen needs to cost a roster: the employee's pay basis and base pay."""

    code: str
    pay_basis: PayBasis
    base_pay: Decimal


def employee_pay(session: Session, site_id: int) -> tuple[EmployeePay, ...]:
    """Pay basis and base pay of every employee of the site, by code."""
    rows = session.execute(
        select(Employee.code, Employee.pay_basis, Employee.base_pay)
        .where(Employee.site_id == site_id)
        .order_by(Employee.code)
    )
    return tuple(EmployeePay(code, basis, pay) for code, basis, pay in rows)
