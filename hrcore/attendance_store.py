"""Attendance over the HR store: load, call the pure core, write AttendanceDay rows.

Roster source per employee and date: the assignment of the latest published RosterRun that
covers the date (no assignment there = a day off); dates no published run covers fall back to
the employee's default shift type on the calendar's working days (adjusted working days
included). Only rows whose result changed are written, so recomputation touches exactly the
affected employee-days. A row in a closed PayPeriod is never changed: it is flagged
``needs_review`` and the pending result is appended to its trace.
"""

from __future__ import annotations

import gc
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import String, and_, insert, select, type_coerce, update
from sqlalchemy.orm import Session

from hrcore.attendance.day import evaluate_employee
from hrcore.attendance.errors import AttendanceError
from hrcore.attendance.model import (
    AttendancePunch,
    DataIssue,
    DayKind,
    DayResult,
    DayStatus,
    HoursMode,
    InOutMode,
    ShiftInstance,
    ShiftRule,
    TraceEntry,
)
from hrcore.attendance.overtime import (
    OvertimeCategory,
    OvertimeLine,
    OvertimePolicy,
    load_policy,
)
from hrcore.errors import InvalidData, NotFound
from hrcore.models import (
    AttendanceDay,
    AuditEntry,
    Device,
    DeviceUserMapping,
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

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
HOUR = Decimal(60)
CENT = Decimal("0.01")
_FIGURES = (
    "status",
    "shift_type_id",
    "worked_minutes",
    "late_minutes",
    "early_exit_minutes",
    "overtime_workday_minutes",
    "overtime_restday_minutes",
    "overtime_holiday_minutes",
)
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
class UnmatchedPunchReport:
    punch_id: str
    device_sn: str
    device_user: str
    at: datetime
    employee_code: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class ComputeReport:
    sites: tuple[str, ...]
    employees: int
    punches: int
    days_evaluated: int
    days_inserted: int
    days_updated: int
    days_unchanged: int
    days_flagged: int  # in a closed pay period: flagged needs_review, values kept
    unmatched: tuple[UnmatchedPunchReport, ...]
    issues: tuple[DataIssue, ...]
    status_counts: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class _Emp:
    id: int
    code: str
    default_shift_type_id: int | None
    system: WorkingHoursSystem
    hire_date: date
    exit_date: date | None


_STATES = {state.value: state for state in PunchStateCode}


def _punch_id(raw: object) -> str:
    """Canonical UUID text of a punch id read raw (SQLite keeps 32 hex digits)."""
    if isinstance(raw, str) and len(raw) == 32:
        return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"
    return str(raw)


def _utc(raw: object) -> datetime:
    """An aware instant from a raw UTC column value (SQLite text or a driver datetime)."""
    if isinstance(raw, str):
        return datetime.fromisoformat(raw + "+00:00")
    if isinstance(raw, datetime):
        return raw if raw.tzinfo is not None else raw.replace(tzinfo=UTC)
    raise InvalidData(f"unexpected punch time {raw!r} in the store")


def _zone(site: Site) -> ZoneInfo:
    try:
        return ZoneInfo(site.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidData(
            f"site {site.code} has timezone {site.timezone!r}, not an IANA zone; fix the site"
        ) from exc


def _policy(site: Site) -> OvertimePolicy:
    try:
        return load_policy(site.policy)
    except AttendanceError as exc:
        raise InvalidData(f"site {site.code}: {exc}") from exc


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


def _sites(session: Session, site_code: str | None) -> list[Site]:
    query = select(Site).order_by(Site.code)
    if site_code is not None:
        query = query.where(Site.code == site_code)
    sites = list(session.scalars(query))
    if site_code is not None and not sites:
        raise NotFound(f"no site with code {site_code!r}; list sites or fix --site")
    return sites


def _utc_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    lo = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
    hi = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return lo, hi


def adopt_mapped_punches(session: Session, site: Site, lo: datetime, hi: datetime) -> int:
    """Give held punches of unknown device users their employee once a mapping exists."""
    return len(_adopt(session, site, lo, hi))


def _adopt(session: Session, site: Site, lo: datetime, hi: datetime) -> list[tuple[int, datetime]]:
    """Adopt held punches in ``[lo, hi)``; returns (employee id, instant) of each adopted one."""
    devices = select(Device.serial_number).where(Device.site_id == site.id)
    rows = session.execute(
        select(PunchRecord.id, DeviceUserMapping.employee_id, PunchRecord.at)
        .join(
            DeviceUserMapping,
            and_(
                DeviceUserMapping.site_id == site.id,
                DeviceUserMapping.device_user == PunchRecord.device_user,
            ),
        )
        .where(
            PunchRecord.employee_id.is_(None),
            PunchRecord.device_sn.in_(devices),
            PunchRecord.at >= lo,
            PunchRecord.at < hi,
        )
    ).all()
    if rows:
        session.execute(
            update(PunchRecord), [{"id": pid, "employee_id": emp} for pid, emp, _ in rows]
        )
        log.info("adopted punches site=%s n=%d", site.code, len(rows))
    return [(emp, at) for _, emp, at in rows]


def unknown_user_punches(
    session: Session, site: Site, lo: datetime, hi: datetime
) -> list[UnmatchedPunchReport]:
    devices = select(Device.serial_number).where(Device.site_id == site.id)
    rows = session.execute(
        select(PunchRecord.id, PunchRecord.device_sn, PunchRecord.device_user, PunchRecord.at)
        .where(
            PunchRecord.employee_id.is_(None),
            PunchRecord.device_sn.in_(devices),
            PunchRecord.at >= lo,
            PunchRecord.at < hi,
        )
        .order_by(PunchRecord.at)
    ).all()
    return [
        UnmatchedPunchReport(
            str(pid),
            sn,
            user,
            at,
            None,
            f"device user {user} on device {sn} is not mapped to an employee of site "
            f"{site.code}; add a device-user mapping, then recompute (the punch is kept)",
        )
        for pid, sn, user, at in rows
    ]


def unregistered_device_punches(
    session: Session, lo: datetime, hi: datetime
) -> list[UnmatchedPunchReport]:
    """Punches in ``[lo, hi)`` with no employee from a serial number no site has registered
    (the push API and the uploader accept them): no site's compute can use them."""
    registered = select(Device.serial_number)
    rows = session.execute(
        select(PunchRecord.id, PunchRecord.device_sn, PunchRecord.device_user, PunchRecord.at)
        .where(
            PunchRecord.employee_id.is_(None),
            PunchRecord.device_sn.not_in(registered),
            PunchRecord.at >= lo,
            PunchRecord.at < hi,
        )
        .order_by(PunchRecord.at, PunchRecord.device_sn, PunchRecord.device_user)
    ).all()
    return [
        UnmatchedPunchReport(
            str(pid),
            sn,
            user,
            at,
            None,
            f"device SN {sn} is not registered; add it to devices.yaml (with its site), run "
            "`shiftgate config apply`, map its users, then recompute (the punch is kept)",
        )
        for pid, sn, user, at in rows
    ]


def _roster(
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
        covered = [(e, d) for (e, d) in chosen if run.date_from <= d <= run.date_to]
        for key in covered:
            del chosen[key]
        for emp, day, shift_type in session.execute(query):
            if emp_ids is None or emp in emp_ids:
                chosen[(emp, day)] = shift_type
    return chosen, [(r.date_from, r.date_to) for r in runs]


def _leaves(
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


def _closed_periods(session: Session, site: Site) -> list[tuple[date, date]]:
    return [
        (s, e)
        for s, e in session.execute(
            select(PayPeriod.start_date, PayPeriod.end_date).where(
                PayPeriod.site_id == site.id, PayPeriod.status == PayPeriodStatus.CLOSED
            )
        )
    ]


_NO_OVERTIME = (0, 0, 0)


def _overtime_by_day(lines: Iterable[OvertimeLine]) -> dict[date, tuple[int, int, int]]:
    by_day: dict[date, list[int]] = {}
    for line in lines:
        totals = by_day.setdefault(line.date, [0, 0, 0])
        totals[_CATEGORY_INDEX[line.category]] += line.minutes
    return {day: (t[0], t[1], t[2]) for day, t in by_day.items()}


_CATEGORY_INDEX = {
    OvertimeCategory.WORKDAY: 0,
    OvertimeCategory.RESTDAY: 1,
    OvertimeCategory.HOLIDAY: 2,
}


def trace_to_json(trace: Sequence[TraceEntry]) -> list[Any]:
    return [
        {"kind": e.kind, "message": e.message, "punch_id": e.punch_id}
        if e.punch_id
        else {"kind": e.kind, "message": e.message}
        for e in trace
    ]


def _row_values(
    emp: _Emp, day: DayResult, ot: tuple[int, int, int], shift_type_id: int | None
) -> dict[str, Any]:
    return {
        "employee_id": emp.id,
        "date": day.date,
        "shift_type_id": shift_type_id,
        "status": day.status,
        "worked_minutes": day.worked_minutes,
        "late_minutes": day.late_minutes,
        "early_exit_minutes": day.early_exit_minutes,
        "overtime_workday_minutes": ot[0],
        "overtime_restday_minutes": ot[1],
        "overtime_holiday_minutes": ot[2],
        "trace": trace_to_json(day.trace),
    }


def compute_attendance(
    session: Session,
    date_from: date,
    date_to: date,
    *,
    clock: Clock,
    site_code: str | None = None,
    employee_ids: set[int] | None = None,
    bounce_seconds: int = 60,
    actor: str = "shiftgate",
) -> ComputeReport:
    """Compute and store attendance of ``date_from..date_to``; runs in the caller's transaction.

    Only rows whose figures or trace changed are written. ``employee_ids`` limits the work
    (incremental recomputation).
    """
    with _cyclic_gc_paused():
        return _compute(
            session,
            date_from,
            date_to,
            clock=clock,
            site_code=site_code,
            employee_ids=employee_ids,
            bounce_seconds=bounce_seconds,
            actor=actor,
        )


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration of a compute.

    A full compute allocates millions of short-lived objects (punches, trace entries, rows)
    that reference counting frees on its own; the cyclic collector, triggered by that
    allocation count alone, kept rescanning the growing heap and cost a fifth of the CPU time
    (issue #7). It is switched back on afterwards, when any cycles are collected as usual.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _compute(
    session: Session,
    date_from: date,
    date_to: date,
    *,
    clock: Clock,
    site_code: str | None,
    employee_ids: set[int] | None,
    bounce_seconds: int,
    actor: str,
) -> ComputeReport:
    if date_to < date_from:
        raise InvalidData(f"--from {date_from} is after --to {date_to}; swap them")
    now = clock()
    totals: defaultdict[str, int] = defaultdict(int)
    statuses: defaultdict[str, int] = defaultdict(int)
    unmatched: list[UnmatchedPunchReport] = []
    issues: list[DataIssue] = []
    sites = _sites(session, site_code)
    # punches of unregistered serials belong to no site: reported once, over every site's span
    unregistered_lo: datetime | None = None
    unregistered_hi: datetime | None = None
    for site in sites:
        tz = _zone(site)
        policy = _policy(site)
        ctx_first, ctx_last = policy.context(date_from, date_to)
        lo, hi = _utc_bounds(ctx_first - timedelta(days=1), ctx_last + timedelta(days=1), tz)
        adopt_mapped_punches(session, site, lo, hi)
        site_lo, site_hi = _utc_bounds(date_from, date_to, tz)
        unmatched.extend(unknown_user_punches(session, site, site_lo, site_hi))
        unregistered_lo = min(unregistered_lo or site_lo, site_lo)
        unregistered_hi = max(unregistered_hi or site_hi, site_hi)

        emp_query = select(
            Employee.id,
            Employee.code,
            Employee.default_shift_type_id,
            Employee.working_hours_system,
            Employee.hire_date,
            Employee.exit_date,
        ).where(Employee.site_id == site.id)
        emps = [
            _Emp(*row)
            for row in session.execute(emp_query)
            if employee_ids is None or row[0] in employee_ids
        ]
        if not emps:
            continue
        emp_ids = {e.id for e in emps}
        rules = {
            st.id: shift_rule(st, bounce_seconds)
            for st in session.scalars(select(ShiftType).where(ShiftType.site_id == site.id))
        }
        span_first, span_last = ctx_first - timedelta(days=1), ctx_last + timedelta(days=1)
        assignments, covered = _roster(
            session, site, None if employee_ids is None else emp_ids, span_first, span_last
        )
        leaves = _leaves(session, emp_ids, site, ctx_first, ctx_last)
        closed = _closed_periods(session, site)

        punches: defaultdict[int, list[AttendancePunch]] = defaultdict(list)
        punch_query = (
            select(
                PunchRecord.employee_id,
                type_coerce(PunchRecord.id, String),
                type_coerce(PunchRecord.at, String),
                type_coerce(PunchRecord.state, String),
            )
            .join(Employee, Employee.id == PunchRecord.employee_id)
            .where(Employee.site_id == site.id, PunchRecord.at >= lo, PunchRecord.at < hi)
        )
        n_punches = 0
        connection = session.connection()  # Core rows, raw columns: the hot loop of a compute
        for emp_id, raw_id, raw_at, raw_state in connection.execute(punch_query).all():
            if emp_id in emp_ids:
                punches[emp_id].append(
                    AttendancePunch(_punch_id(raw_id), _utc(raw_at), _STATES[raw_state])
                )
                n_punches += 1
        totals["punches"] += n_punches

        existing: dict[tuple[int, date], tuple[Any, ...]] = {}
        ex_query = (
            select(
                AttendanceDay.id,
                AttendanceDay.employee_id,
                AttendanceDay.date,
                *(getattr(AttendanceDay, f) for f in _FIGURES),
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
        for row in session.execute(ex_query):
            if row.employee_id in emp_ids:
                existing[(row.employee_id, row.date)] = tuple(row)

        days_all = [
            span_first + timedelta(days=i) for i in range((span_last - span_first).days + 1)
        ]
        kinds = {d: policy.calendar.kind(d) for d in days_all}
        in_runs = {d for d in days_all if any(a <= d <= b for a, b in covered)}
        frozen_days = {d for d in days_all if any(a <= d <= b for a, b in closed)}
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        audit: list[dict[str, Any]] = []
        for emp in emps:
            shifts: list[ShiftInstance] = []
            shift_type_of: dict[date, int] = {}
            for on in days_all:
                if on < emp.hire_date or (emp.exit_date and on > emp.exit_date):
                    continue
                st_id = assignments.get((emp.id, on))
                source = "published roster"
                if st_id is None and on not in in_runs and kinds[on] is DayKind.WORKDAY:
                    st_id, source = emp.default_shift_type_id, "default shift"
                if st_id is None:
                    continue
                rule = rules.get(st_id)
                if rule is None:
                    raise InvalidData(
                        f"employee {emp.code}: shift type id {st_id} is not a shift type of "
                        f"site {site.code}; fix the roster or the default shift"
                    )
                shifts.append(rule.on(on, tz, source=source))
                shift_type_of[on] = st_id
            first = max(ctx_first, emp.hire_date)
            last = min(ctx_last, emp.exit_date) if emp.exit_date else ctx_last
            if last < first:
                continue
            result = evaluate_employee(
                emp.code,
                shifts,
                punches.get(emp.id, ()),
                first,
                last,
                calendar=policy.calendar,
                tz=tz,
                leave_dates=frozenset(leaves.get(emp.id, ())),
                unrostered_bounce_seconds=bounce_seconds,
            )
            overtime = policy.evaluate(emp.code, result.days, emp.system)
            ot_by_day = _overtime_by_day(overtime.lines)
            issues.extend(i for i in result.issues if date_from <= i.date <= date_to)
            for u in result.unmatched:
                if date_from <= u.punch.at.astimezone(tz).date() <= date_to:
                    unmatched.append(
                        UnmatchedPunchReport(u.punch.id, "", "", u.punch.at, emp.code, u.reason)
                    )
            for day in result.days:
                if not date_from <= day.date <= date_to:
                    continue
                totals["days"] += 1
                statuses[day.status] += 1
                ot = ot_by_day.get(day.date, _NO_OVERTIME)
                values = _row_values(emp, day, ot, shift_type_of.get(day.date))
                old = existing.get((emp.id, day.date))
                frozen = day.date in frozen_days
                if old is None:
                    values["computed_at"] = now
                    values["needs_review"] = frozen
                    inserts.append(values)
                    if frozen:
                        totals["flagged"] += 1
                    continue
                old_figures = old[3 : 3 + len(_FIGURES)]
                new_figures = tuple(values[f] for f in _FIGURES)
                old_trace, old_review = old[3 + len(_FIGURES)], old[4 + len(_FIGURES)]
                if old_figures == new_figures:
                    if old_trace == values["trace"]:
                        totals["unchanged"] += 1
                        continue
                    if not frozen:
                        updates.append({"id": old[0], "trace": values["trace"], "computed_at": now})
                        totals["updated"] += 1
                    else:
                        totals["unchanged"] += 1
                    continue
                if frozen:
                    changes = ", ".join(
                        f"{f} {a}->{b}"
                        for f, a, b in zip(_FIGURES, old_figures, new_figures, strict=True)
                        if a != b
                    )
                    note = {
                        "kind": "review",
                        "message": f"recomputed {now.isoformat(timespec='seconds')} after the pay "
                        f"period closed: {changes}; not applied, HR must review",
                        "punch_id": None,
                        "at": None,
                        "changes": changes,
                    }
                    if old_trace and old_trace[-1].get("changes") == changes:
                        totals["unchanged"] += 1
                        continue
                    updates.append(
                        {"id": old[0], "needs_review": True, "trace": [*old_trace, note]}
                    )
                    audit.append(
                        {
                            "at": now,
                            "actor": actor,
                            "action": "attendance.needs_review",
                            "entity": "attendance_day",
                            "entity_id": str(old[0]),
                            "detail": {
                                "employee": emp.code,
                                "date": day.date.isoformat(),
                                "changes": changes,
                            },
                        }
                    )
                    totals["flagged"] += 1
                    continue
                values["computed_at"] = now
                values["id"] = old[0]
                values["needs_review"] = old_review
                updates.append(values)
                totals["updated"] += 1
        for start in range(0, len(inserts), 5000):
            connection.execute(insert(AttendanceDay), inserts[start : start + 5000])
        if updates:
            session.execute(update(AttendanceDay), updates)
        if audit:
            session.execute(insert(AuditEntry), audit)
        totals["inserted"] += len(inserts)
        totals["employees"] += len(emps)
        log.info(
            "attendance computed site=%s employees=%d punches=%d inserted=%d updated=%d",
            site.code,
            len(emps),
            n_punches,
            len(inserts),
            len(updates),
        )
    if unregistered_lo is not None and unregistered_hi is not None:
        unmatched.extend(unregistered_device_punches(session, unregistered_lo, unregistered_hi))
    return ComputeReport(
        sites=tuple(s.code for s in sites),
        employees=totals["employees"],
        punches=totals["punches"],
        days_evaluated=totals["days"],
        days_inserted=totals["inserted"],
        days_updated=totals["updated"],
        days_unchanged=totals["unchanged"],
        days_flagged=totals["flagged"],
        unmatched=tuple(unmatched),
        issues=tuple(issues),
        status_counts=tuple(sorted(statuses.items())),
    )


def _mark(
    stale: set[tuple[int, date]],
    computed: dict[tuple[int, date], datetime],
    emp: int,
    day: date,
    changed_at: datetime | None,
    date_from: date,
    date_to: date,
) -> None:
    for d in (day - timedelta(days=1), day, day + timedelta(days=1)):
        if not date_from <= d <= date_to:
            continue
        at = computed.get((emp, d))
        if at is None or changed_at is None or at < changed_at:
            stale.add((emp, d))


def stale_days(
    session: Session, date_from: date, date_to: date, *, site_code: str | None = None
) -> set[tuple[int, date]]:
    """Employee-days whose stored row is missing or older than a punch or published roster
    that can affect it (a punch can belong to the shift of the day before or after its date)."""
    stale: set[tuple[int, date]] = set()
    for site in _sites(session, site_code):
        tz = _zone(site)
        computed: dict[tuple[int, date], datetime] = {
            (emp, day): at
            for emp, day, at in session.execute(
                select(AttendanceDay.employee_id, AttendanceDay.date, AttendanceDay.computed_at)
                .join(Employee, Employee.id == AttendanceDay.employee_id)
                .where(
                    Employee.site_id == site.id,
                    AttendanceDay.date >= date_from,
                    AttendanceDay.date <= date_to,
                )
            )
        }

        lo, hi = _utc_bounds(date_from - timedelta(days=1), date_to + timedelta(days=1), tz)
        # stored_at, not received_at: a punch held in the gateway outbox was read (received)
        # before the day was computed but reached the store after it
        for emp, at, stored in session.execute(
            select(PunchRecord.employee_id, PunchRecord.at, PunchRecord.stored_at)
            .join(Employee, Employee.id == PunchRecord.employee_id)
            .where(Employee.site_id == site.id, PunchRecord.at >= lo, PunchRecord.at < hi)
        ):
            if emp is not None:
                _mark(stale, computed, emp, at.astimezone(tz).date(), stored, date_from, date_to)
        for emp, day, published in session.execute(
            select(RosterAssignment.employee_id, RosterAssignment.date, RosterRun.published_at)
            .join(RosterRun, RosterRun.id == RosterAssignment.roster_run_id)
            .where(
                RosterRun.site_id == site.id,
                RosterRun.status == RosterStatus.PUBLISHED,
                RosterAssignment.date >= date_from - timedelta(days=1),
                RosterAssignment.date <= date_to + timedelta(days=1),
            )
        ):
            _mark(stale, computed, emp, day, published, date_from, date_to)
    return stale


def recompute_stale(
    session: Session,
    date_from: date,
    date_to: date,
    *,
    clock: Clock,
    site_code: str | None = None,
    bounce_seconds: int = 60,
) -> ComputeReport:
    """Incremental recomputation: only employees with stale days, over the span of those days
    widened to the policy's context (a late Monday punch can move Friday's weekly overtime);
    rows whose result did not change are not rewritten."""
    reports = []
    for site in _sites(session, site_code):
        # adopt first: punches of a device user mapped since the last compute have no employee
        # yet, so stale_days cannot see them; once adopted, their days are stale whatever
        # their stored_at says
        tz = _zone(site)
        lo, hi = _utc_bounds(date_from - timedelta(days=1), date_to + timedelta(days=1), tz)
        adopted = _adopt(session, site, lo, hi)
        stale = stale_days(session, date_from, date_to, site_code=site.code)
        for emp, at in adopted:
            _mark(stale, {}, emp, at.astimezone(tz).date(), None, date_from, date_to)
        if not stale:
            continue
        first, last = _policy(site).context(min(d for _, d in stale), max(d for _, d in stale))
        reports.append(
            compute_attendance(
                session,
                max(first, date_from),
                min(last, date_to),
                clock=clock,
                site_code=site.code,
                employee_ids={e for e, _ in stale},
                bounce_seconds=bounce_seconds,
            )
        )
    counts: defaultdict[str, int] = defaultdict(int)
    for r in reports:
        for status, n in r.status_counts:
            counts[status] += n
    return ComputeReport(
        sites=tuple(code for r in reports for code in r.sites),
        employees=sum(r.employees for r in reports),
        punches=sum(r.punches for r in reports),
        days_evaluated=sum(r.days_evaluated for r in reports),
        days_inserted=sum(r.days_inserted for r in reports),
        days_updated=sum(r.days_updated for r in reports),
        days_unchanged=sum(r.days_unchanged for r in reports),
        days_flagged=sum(r.days_flagged for r in reports),
        # each site's compute reports the punches of unregistered devices: once is enough
        unmatched=tuple({u.punch_id: u for r in reports for u in r.unmatched}.values()),
        issues=tuple(i for r in reports for i in r.issues),
        status_counts=tuple(sorted(counts.items())),
    )


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
    for site in _sites(session, site_code):
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
