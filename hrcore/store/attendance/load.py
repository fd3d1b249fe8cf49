"""What a compute reads: employees, shift rules, the published roster, leave, closed periods,
punches (raw columns, converted here: the compute's hot path) and the stored days' figures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from hrcore.attendance.model import AttendancePunch, HoursMode, InOutMode, ShiftRule
from hrcore.errors import InvalidData
from hrcore.models import (
    AttendanceDay,
    Employee,
    Leave,
    PayPeriod,
    PayPeriodStatus,
    PunchRecord,
    PunchStateCode,
    RosterAssignment,
    RosterRun,
    RosterStatus,
    ShiftType,
    Site,
    WorkingHoursSystem,
)


@dataclass(frozen=True, slots=True)
class EmployeeFacts:
    id: int
    code: str
    default_shift_type_id: int | None
    system: WorkingHoursSystem
    hire_date: date
    exit_date: date | None


PUNCH_STATES = {state.value: state for state in PunchStateCode}

#: up to this many employees, a load names them in SQL (``IN``); more read the site and filter
IN_LIMIT = 500


def punch_id_text(raw: object) -> str:
    """Canonical UUID text of a punch id read raw (SQLite keeps 32 hex digits)."""
    if isinstance(raw, str) and len(raw) == 32:
        return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"
    return str(raw)


def utc_instant(raw: object) -> datetime:
    """An aware instant from a raw UTC column value (SQLite text or a driver datetime)."""
    if isinstance(raw, str):
        return datetime.fromisoformat(raw + "+00:00")
    if isinstance(raw, datetime):
        return raw if raw.tzinfo is not None else raw.replace(tzinfo=UTC)
    raise InvalidData(f"unexpected punch time {raw!r} in the store")


def shift_rule(row: ShiftType, bounce_seconds: int) -> ShiftRule:
    try:
        return ShiftRule(
            code=row.code,
            start=row.start,
            end=row.end,
            break_minutes=row.break_minutes,
            checkin_before_minutes=row.checkin_before_minutes,
            checkout_after_minutes=row.checkout_after_minutes,
            late_grace_minutes=row.late_grace_minutes,
            early_exit_grace_minutes=row.early_exit_grace_minutes,
            in_out_mode=InOutMode(row.in_out_mode),
            hours_mode=HoursMode(row.hours_mode),
            half_day_below_minutes=row.half_day_below_minutes,
            absent_below_minutes=row.absent_below_minutes,
            bounce_seconds=bounce_seconds,
        )
    except ValueError as exc:
        raise InvalidData(f"shift type {row.code} (id {row.id}) is invalid: {exc}") from exc


def published_assignments(
    session: Session, site: Site, emp_ids: set[int] | None, first: date, last: date
) -> tuple[dict[tuple[int, date], int], list[tuple[date, date]]]:
    """Published assignments (latest published run wins) and the date spans runs cover."""
    runs = session.execute(
        select(RosterRun.id, RosterRun.date_from, RosterRun.date_to, RosterRun.published_at).where(
            RosterRun.site_id == site.id,
            RosterRun.status == RosterStatus.PUBLISHED,
            RosterRun.date_from <= last,
            RosterRun.date_to >= first,
        )
    ).all()
    order = sorted(runs, key=lambda r: (r.published_at or datetime.min.replace(tzinfo=UTC), r.id))
    chosen: dict[tuple[int, date], int] = {}
    for run in order:  # later runs overwrite earlier ones
        query = select(
            RosterAssignment.employee_id, RosterAssignment.date, RosterAssignment.shift_type_id
        ).where(
            RosterAssignment.roster_run_id == run.id,
            RosterAssignment.date >= first,
            RosterAssignment.date <= last,
        )
        if emp_ids is not None and len(emp_ids) <= IN_LIMIT:
            query = query.where(RosterAssignment.employee_id.in_(emp_ids))
        covered = [(e, d) for (e, d) in chosen if run.date_from <= d <= run.date_to]
        for key in covered:
            del chosen[key]
        for emp, day, shift_type in session.execute(query):
            if emp_ids is None or emp in emp_ids:
                chosen[(emp, day)] = shift_type
    return chosen, [(r.date_from, r.date_to) for r in runs]


def approved_leave(
    session: Session, emp_ids: Iterable[int], site: Site, first: date, last: date
) -> dict[int, set[date]]:
    out: defaultdict[int, set[date]] = defaultdict(set)
    rows = session.execute(
        select(Leave.employee_id, Leave.start_date, Leave.end_date)
        .join(Employee, Employee.id == Leave.employee_id)
        .where(
            Employee.site_id == site.id,
            Leave.approved.is_(True),
            Leave.start_date <= last,
            Leave.end_date >= first,
        )
    )
    wanted = set(emp_ids)
    for emp, start, end in rows:
        if emp not in wanted:
            continue
        day = max(start, first)
        while day <= min(end, last):
            out[emp].add(day)
            day += timedelta(days=1)
    return out


def closed_periods(session: Session, site: Site) -> list[tuple[date, date]]:
    return [
        (s, e)
        for s, e in session.execute(
            select(PayPeriod.start_date, PayPeriod.end_date).where(
                PayPeriod.site_id == site.id, PayPeriod.status == PayPeriodStatus.CLOSED
            )
        )
    ]


#: the stored figures of a day a recompute compares (with its trace) to decide a write
FIGURES = (
    "status",
    "shift_type_id",
    "worked_minutes",
    "late_minutes",
    "early_exit_minutes",
    "overtime_workday_minutes",
    "overtime_restday_minutes",
    "overtime_holiday_minutes",
)


def site_employees(
    session: Session, site: Site, employee_ids: set[int] | None
) -> list[EmployeeFacts]:
    """The site's employees (only ``employee_ids`` when given)."""
    query = select(
        Employee.id,
        Employee.code,
        Employee.default_shift_type_id,
        Employee.working_hours_system,
        Employee.hire_date,
        Employee.exit_date,
    ).where(Employee.site_id == site.id)
    return [
        EmployeeFacts(*row)
        for row in session.execute(query)
        if employee_ids is None or row[0] in employee_ids
    ]


def shift_rules(session: Session, site: Site, bounce_seconds: int) -> dict[int, ShiftRule]:
    """Shift type id -> its rule, for every shift type of the site."""
    return {
        st.id: shift_rule(st, bounce_seconds)
        for st in session.scalars(select(ShiftType).where(ShiftType.site_id == site.id))
    }


def punches_by_employee(
    session: Session, site: Site, emp_ids: set[int], lo: datetime, hi: datetime
) -> tuple[dict[int, list[AttendancePunch]], int]:
    """Punches in ``[lo, hi)`` of these employees of the site, and how many there are."""
    punches: defaultdict[int, list[AttendancePunch]] = defaultdict(list)
    query = (
        select(
            PunchRecord.employee_id,
            type_coerce(PunchRecord.id, String),
            type_coerce(PunchRecord.at, String),
            type_coerce(PunchRecord.state, String),
        )
        .join(Employee, Employee.id == PunchRecord.employee_id)
        .where(Employee.site_id == site.id, PunchRecord.at >= lo, PunchRecord.at < hi)
    )
    if len(emp_ids) <= IN_LIMIT:
        query = query.where(PunchRecord.employee_id.in_(emp_ids))
    n_punches = 0
    connection = session.connection()  # Core rows, raw columns: the hot loop of a compute
    for emp_id, raw_id, raw_at, raw_state in connection.execute(query).all():
        if emp_id in emp_ids:
            punches[emp_id].append(
                AttendancePunch(punch_id_text(raw_id), utc_instant(raw_at), PUNCH_STATES[raw_state])
            )
            n_punches += 1
    return punches, n_punches


def stored_figures(
    session: Session, site: Site, emp_ids: set[int], date_from: date, date_to: date
) -> dict[tuple[int, date], tuple[Any, ...]]:
    """(employee id, date) -> (row id, employee id, date, *FIGURES, trace, needs_review) of the
    stored days of these employees in ``date_from..date_to``."""
    query = (
        select(
            AttendanceDay.id,
            AttendanceDay.employee_id,
            AttendanceDay.date,
            *(getattr(AttendanceDay, f) for f in FIGURES),
            AttendanceDay.trace,
            AttendanceDay.needs_review,
        )
        .join(Employee, Employee.id == AttendanceDay.employee_id)
        .where(
            Employee.site_id == site.id,
            AttendanceDay.date >= date_from,
            AttendanceDay.date <= date_to,
        )
    )
    if len(emp_ids) <= IN_LIMIT:
        query = query.where(AttendanceDay.employee_id.in_(emp_ids))
    return {
        (row.employee_id, row.date): tuple(row)
        for row in session.execute(query)
        if row.employee_id in emp_ids
    }
