"""One stored attendance day with its trace, as `shiftgate attendance explain` shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hrcore.errors import NotFound
from hrcore.models import AttendanceDay, Employee, ShiftType, Site


@dataclass(frozen=True, slots=True)
class StoredTraceEntry:
    kind: str
    message: str
    punch_id: str | None


@dataclass(frozen=True, slots=True)
class DayExplanation:
    employee_code: str
    employee_name: str
    date: date
    status: str
    shift_code: str | None
    worked_minutes: int
    late_minutes: int
    early_exit_minutes: int
    overtime_workday_minutes: int
    overtime_restday_minutes: int
    overtime_holiday_minutes: int
    needs_review: bool
    computed_at: datetime
    timezone: str
    trace: tuple[StoredTraceEntry, ...]


def explain_day(session: Session, employee_code: str, day: date) -> DayExplanation:
    emp = session.scalar(select(Employee).where(Employee.code == employee_code))
    if emp is None:
        raise NotFound(f"no employee with code {employee_code!r}")
    row = session.scalar(
        select(AttendanceDay).where(AttendanceDay.employee_id == emp.id, AttendanceDay.date == day)
    )
    if row is None:
        raise NotFound(
            f"no attendance computed for {employee_code} on {day}; run "
            f"`shiftgate attendance compute --from {day} --to {day}` first"
        )
    site = session.get(Site, emp.site_id)
    shift = session.get(ShiftType, row.shift_type_id) if row.shift_type_id else None
    entries = tuple(
        StoredTraceEntry(
            str(e.get("kind", "")),
            str(e.get("message", "")),
            str(e["punch_id"]) if e.get("punch_id") else None,
        )
        for e in row.trace
    )
    return DayExplanation(
        employee_code=emp.code,
        employee_name=emp.name,
        date=row.date,
        status=row.status,
        shift_code=shift.code if shift else None,
        worked_minutes=row.worked_minutes,
        late_minutes=row.late_minutes,
        early_exit_minutes=row.early_exit_minutes,
        overtime_workday_minutes=row.overtime_workday_minutes,
        overtime_restday_minutes=row.overtime_restday_minutes,
        overtime_holiday_minutes=row.overtime_holiday_minutes,
        needs_review=row.needs_review,
        computed_at=row.computed_at,
        timezone=site.timezone if site else "UTC",
        trace=entries,
    )
