"""Stored attendance days of a site, a page at a time, with the corrections that wait on each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hrcore.enums import CorrectionStatus
from hrcore.models import AttendanceDay, CorrectionRequest, Employee, ShiftType, Site


@dataclass(frozen=True, slots=True)
class StoredDay:
    employee_code: str
    employee_name: str
    date: date
    shift_code: str | None
    status: str
    worked_minutes: int
    late_minutes: int
    early_exit_minutes: int
    overtime_workday_minutes: int
    overtime_restday_minutes: int
    overtime_holiday_minutes: int
    needs_review: bool
    pending_corrections: int

    @property
    def overtime_minutes(self) -> int:
        return (
            self.overtime_workday_minutes
            + self.overtime_restday_minutes
            + self.overtime_holiday_minutes
        )


@dataclass(frozen=True, slots=True)
class DayPage:
    days: tuple[StoredDay, ...]
    total: int  # days matching, over every page


def stored_days(
    session: Session,
    site: Site,
    date_from: date,
    date_to: date,
    *,
    employee_code: str | None = None,
    status: str | None = None,
    limit: int,
    offset: int = 0,
) -> DayPage:
    """Days of ``site``'s employees in ``date_from..date_to``, by date then employee code."""
    pending = (
        select(
            CorrectionRequest.employee_id,
            CorrectionRequest.day,
            func.count().label("n"),
        )
        .where(CorrectionRequest.status == CorrectionStatus.PENDING)
        .group_by(CorrectionRequest.employee_id, CorrectionRequest.day)
        .subquery()
    )
    query = (
        select(AttendanceDay, Employee.code, Employee.name, ShiftType.code, pending.c.n)
        .join(Employee, Employee.id == AttendanceDay.employee_id)
        .outerjoin(ShiftType, ShiftType.id == AttendanceDay.shift_type_id)
        .outerjoin(
            pending,
            (pending.c.employee_id == AttendanceDay.employee_id)
            & (pending.c.day == AttendanceDay.date),
        )
        .where(
            Employee.site_id == site.id,
            AttendanceDay.date >= date_from,
            AttendanceDay.date <= date_to,
        )
    )
    if employee_code:
        query = query.where(Employee.code == employee_code)
    if status:
        query = query.where(AttendanceDay.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(AttendanceDay.date, Employee.code).offset(offset).limit(limit)
    )
    days = tuple(
        StoredDay(
            employee_code=code,
            employee_name=name,
            date=d.date,
            shift_code=shift,
            status=d.status,
            worked_minutes=d.worked_minutes,
            late_minutes=d.late_minutes,
            early_exit_minutes=d.early_exit_minutes,
            overtime_workday_minutes=d.overtime_workday_minutes,
            overtime_restday_minutes=d.overtime_restday_minutes,
            overtime_holiday_minutes=d.overtime_holiday_minutes,
            needs_review=d.needs_review,
            pending_corrections=n or 0,
        )
        for d, code, name, shift, n in rows
    )
    return DayPage(days, total)


def latest_day(session: Session, site: Site) -> date | None:
    """The newest date with a computed attendance day for ``site``'s employees."""
    return session.scalar(
        select(func.max(AttendanceDay.date))
        .join(Employee, Employee.id == AttendanceDay.employee_id)
        .where(Employee.site_id == site.id)
    )
