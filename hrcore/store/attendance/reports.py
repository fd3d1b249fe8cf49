"""Hours per employee over a period from the stored attendance days (the payroll export)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hrcore.attendance.model import DayStatus
from hrcore.models import AttendanceDay, Employee
from hrcore.store.attendance.scope import select_sites

HOUR = Decimal(60)
CENT = Decimal("0.01")
_NOT_WORKED = frozenset({DayStatus.ON_LEAVE, DayStatus.DATA_ERROR})
_WORKED = frozenset(
    {
        DayStatus.PRESENT,
        DayStatus.LATE,
        DayStatus.EARLY_EXIT,
        DayStatus.LATE_AND_EARLY_EXIT,
        DayStatus.HALF_DAY,
        DayStatus.MISSING_CHECKIN,
        DayStatus.MISSING_CHECKOUT,
        DayStatus.UNROSTERED_WORK,
    }
)


@dataclass(frozen=True, slots=True)
class HoursRow:
    """Hours of one employee over one period, in the shape payroll imports take."""

    employee_code: str
    employee_name: str
    period_start: date
    period_end: date
    worked_hours: Decimal
    regular_hours: Decimal
    overtime_workday_hours: Decimal
    overtime_restday_hours: Decimal
    overtime_holiday_hours: Decimal
    days_worked: int
    days_absent: int
    days_leave: int
    late_minutes: int
    early_exit_minutes: int
    days_needing_review: int


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / HOUR).quantize(CENT, ROUND_HALF_UP)


def hours_by_employee(
    session: Session, date_from: date, date_to: date, *, site_code: str | None = None
) -> tuple[HoursRow, ...]:
    out = []
    for site in select_sites(session, site_code):
        acc: dict[int, defaultdict[str, int]] = {}
        names: dict[int, tuple[str, str]] = {}
        query = (
            select(Employee.id, Employee.code, Employee.name, AttendanceDay)
            .join(AttendanceDay, AttendanceDay.employee_id == Employee.id)
            .where(
                Employee.site_id == site.id,
                AttendanceDay.date >= date_from,
                AttendanceDay.date <= date_to,
            )
        )
        for emp_id, code, name, day in session.execute(query):
            names[emp_id] = (code, name)
            a = acc.setdefault(emp_id, defaultdict(int))
            if day.status not in _NOT_WORKED:  # punches on a leave day are not paid work
                a["worked"] += day.worked_minutes
            a["ot_w"] += day.overtime_workday_minutes
            a["ot_r"] += day.overtime_restday_minutes
            a["ot_h"] += day.overtime_holiday_minutes
            a["late"] += day.late_minutes
            a["early"] += day.early_exit_minutes
            a["review"] += int(day.needs_review)
            a["worked_days"] += int(day.status in _WORKED)
            a["absent"] += int(day.status == DayStatus.ABSENT)
            a["leave"] += int(day.status == DayStatus.ON_LEAVE)
        for emp_id in sorted(acc, key=lambda e: names[e][0]):
            a = acc[emp_id]
            overtime = a["ot_w"] + a["ot_r"] + a["ot_h"]
            out.append(
                HoursRow(
                    employee_code=names[emp_id][0],
                    employee_name=names[emp_id][1],
                    period_start=date_from,
                    period_end=date_to,
                    worked_hours=_hours(a["worked"]),
                    regular_hours=_hours(max(0, a["worked"] - overtime)),
                    overtime_workday_hours=_hours(a["ot_w"]),
                    overtime_restday_hours=_hours(a["ot_r"]),
                    overtime_holiday_hours=_hours(a["ot_h"]),
                    days_worked=a["worked_days"],
                    days_absent=a["absent"],
                    days_leave=a["leave"],
                    late_minutes=a["late"],
                    early_exit_minutes=a["early"],
                    days_needing_review=a["review"],
                )
            )
    return tuple(out)
