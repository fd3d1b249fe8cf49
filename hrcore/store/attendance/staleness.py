"""Incremental recomputation: which employee-days are stale, and recomputing only those."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hrcore.models import (
    AttendanceDay,
    Employee,
    Leave,
    PunchRecord,
    RosterAssignment,
    RosterRun,
    RosterStatus,
    Site,
)
from hrcore.store.attendance.adopt import adopt_punches
from hrcore.store.attendance.compute import STAGES, ComputeReport, compute_attendance
from hrcore.store.attendance.load import IN_LIMIT
from hrcore.store.attendance.scope import Clock, select_sites, site_policy, site_zone, utc_bounds


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
    """Employee-days whose stored row is missing or older than a punch, published roster or
    leave edit that can affect it (a punch can belong to the shift of the day before or after
    its date). Leave stored without a change time (before migration 0010) is not seen.

    Cheap when nothing is new: each employee's stored days are summed up in SQL (how many, the
    oldest ``computed_at``), and only punches, runs and leave changed after the oldest are read
    (punches by the ``stored_at`` index), all of them only for employees with days never
    computed; per-day times are read for the employees something touched."""
    stale: set[tuple[int, date]] = set()
    for site in select_sites(session, site_code):
        stale |= _site_stale(session, site, date_from, date_to)
    return stale


def _site_stale(
    session: Session, site: Site, date_from: date, date_to: date
) -> set[tuple[int, date]]:
    stale: set[tuple[int, date]] = set()
    summary = {
        emp: (n, oldest)
        for emp, n, oldest in session.execute(
            select(
                AttendanceDay.employee_id,
                func.count(AttendanceDay.id),
                func.min(AttendanceDay.computed_at),
            )
            .join(Employee, Employee.id == AttendanceDay.employee_id)
            .where(
                Employee.site_id == site.id,
                AttendanceDay.date >= date_from,
                AttendanceDay.date <= date_to,
            )
            .group_by(AttendanceDay.employee_id)
        )
    }
    # an employee with fewer rows than days employed has days never computed: for those
    # employees every input of the span is read, whenever it was stored
    incomplete: set[int] = set()
    site_emps: set[int] = set()
    for emp, hired, left in session.execute(
        select(Employee.id, Employee.hire_date, Employee.exit_date).where(
            Employee.site_id == site.id
        )
    ):
        site_emps.add(emp)
        first, last = max(date_from, hired), min(date_to, left) if left else date_to
        if last >= first and summary.get(emp, (0, None))[0] < (last - first).days + 1:
            incomplete.add(emp)
    since = min((at for _, at in summary.values()), default=None)
    touched = _touched(session, site, site_emps, date_from, date_to, since)
    if incomplete and since is not None:
        touched.extend(_touched(session, site, incomplete, date_from, date_to, None))

    # per-day times, read only for the employees something touched after their oldest day
    wanted = {
        emp for emp, _, changed in touched if emp in incomplete or _newer(changed, summary.get(emp))
    }
    computed = _computed_at(session, site, wanted, date_from, date_to)
    for emp, day, changed in touched:
        if emp in wanted:
            _mark(stale, computed, emp, day, changed, date_from, date_to)
    return stale


def _touched(
    session: Session,
    site: Site,
    emp_ids: set[int],
    date_from: date,
    date_to: date,
    since: datetime | None,
) -> list[tuple[int, date, datetime | None]]:
    """(employee, day, changed at) of the punches, published assignments and leave of these
    employees around the span, changed after ``since`` (None: whenever)."""
    tz = site_zone(site)
    lo, hi = utc_bounds(date_from - timedelta(days=1), date_to + timedelta(days=1), tz)
    # stored_at, not received_at: a punch held in the gateway outbox was read (received)
    # before the day was computed but reached the store after it
    # no join: with ``since``, the stored_at index finds the few new punches of any site
    punch_query = select(PunchRecord.employee_id, PunchRecord.at, PunchRecord.stored_at).where(
        PunchRecord.at >= lo, PunchRecord.at < hi
    )
    roster_query = (
        select(RosterAssignment.employee_id, RosterAssignment.date, RosterRun.published_at)
        .join(RosterRun, RosterRun.id == RosterAssignment.roster_run_id)
        .where(
            RosterRun.site_id == site.id,
            RosterRun.status == RosterStatus.PUBLISHED,
            RosterAssignment.date >= date_from - timedelta(days=1),
            RosterAssignment.date <= date_to + timedelta(days=1),
        )
    )
    first_touched = func.coalesce(Leave.touched_from, Leave.start_date)
    last_touched = func.coalesce(Leave.touched_to, Leave.end_date)
    leave_query = (
        select(Leave.employee_id, first_touched, last_touched, Leave.changed_at)
        .join(Employee, Employee.id == Leave.employee_id)
        .where(
            Employee.site_id == site.id,
            Leave.changed_at.is_not(None),
            first_touched <= date_to + timedelta(days=1),
            last_touched >= date_from - timedelta(days=1),
        )
    )
    if since is not None:
        punch_query = punch_query.where(PunchRecord.stored_at > since)
        roster_query = roster_query.where(
            or_(RosterRun.published_at.is_(None), RosterRun.published_at > since)
        )
        leave_query = leave_query.where(Leave.changed_at > since)
    elif len(emp_ids) <= IN_LIMIT:
        punch_query = punch_query.where(PunchRecord.employee_id.in_(emp_ids))
        roster_query = roster_query.where(RosterAssignment.employee_id.in_(emp_ids))
        leave_query = leave_query.where(Leave.employee_id.in_(emp_ids))
    touched: list[tuple[int, date, datetime | None]] = [
        (emp, at.astimezone(tz).date(), stored)
        for emp, at, stored in session.execute(punch_query)
        if emp in emp_ids
    ]
    touched.extend(
        (emp, day, published)
        for emp, day, published in session.execute(roster_query)
        if emp in emp_ids
    )
    for emp, start, end, changed in session.execute(leave_query):
        if emp not in emp_ids:
            continue
        day = max(start, date_from - timedelta(days=1))
        while day <= min(end, date_to + timedelta(days=1)):
            touched.append((emp, day, changed))
            day += timedelta(days=1)
    return touched


def _newer(changed: datetime | None, summary: tuple[int, datetime] | None) -> bool:
    """Whether a change may postdate some stored day of the employee (or there is none)."""
    return summary is None or changed is None or changed > summary[1]


def _computed_at(
    session: Session, site: Site, emp_ids: set[int], date_from: date, date_to: date
) -> dict[tuple[int, date], datetime]:
    if not emp_ids:
        return {}
    query = (
        select(AttendanceDay.employee_id, AttendanceDay.date, AttendanceDay.computed_at)
        .join(Employee, Employee.id == AttendanceDay.employee_id)
        .where(
            Employee.site_id == site.id,
            AttendanceDay.date >= date_from,
            AttendanceDay.date <= date_to,
        )
    )
    if len(emp_ids) <= IN_LIMIT:
        query = query.where(AttendanceDay.employee_id.in_(emp_ids))
    return {(emp, day): at for emp, day, at in session.execute(query) if emp in emp_ids}


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
    checking = 0.0
    for site in select_sites(session, site_code):
        began = time.perf_counter()
        # adopt first: punches of a device user mapped since the last compute have no employee
        # yet, so stale_days cannot see them; once adopted, their days are stale whatever
        # their stored_at says
        tz = site_zone(site)
        lo, hi = utc_bounds(date_from - timedelta(days=1), date_to + timedelta(days=1), tz)
        adopted = adopt_punches(session, site, lo, hi)
        stale = stale_days(session, date_from, date_to, site_code=site.code)
        for emp, at in adopted:
            _mark(stale, {}, emp, at.astimezone(tz).date(), None, date_from, date_to)
        checking += time.perf_counter() - began
        if not stale:
            continue
        first, last = site_policy(site).context(min(d for _, d in stale), max(d for _, d in stale))
        reports.append(
            compute_attendance(
                session,
                max(first, date_from),
                min(last, date_to),
                clock=clock,
                site_code=site.code,
                employee_ids={e for e, _ in stale},
                confirm=stale,
                bounce_seconds=bounce_seconds,
            )
        )
    counts: defaultdict[str, int] = defaultdict(int)
    spent: defaultdict[str, float] = defaultdict(float, {"stale_check": checking})
    for r in reports:
        for status, n in r.status_counts:
            counts[status] += n
        for stage, seconds in r.stage_seconds:
            spent[stage] += seconds
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
        stage_seconds=tuple((stage, spent[stage]) for stage in ("stale_check", *STAGES)),
    )
