"""Incremental recomputation: which employee-days are stale, and recomputing only those."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hrcore.models import (
    AttendanceDay,
    Employee,
    Leave,
    PunchRecord,
    RosterAssignment,
    RosterRun,
    RosterStatus,
)
from hrcore.store.attendance.adopt import adopt_punches
from hrcore.store.attendance.compute import STAGES, ComputeReport, compute_attendance
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
    its date). Leave stored without a change time (before migration 0010) is not seen."""
    stale: set[tuple[int, date]] = set()
    for site in select_sites(session, site_code):
        tz = site_zone(site)
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

        lo, hi = utc_bounds(date_from - timedelta(days=1), date_to + timedelta(days=1), tz)
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
        # leave: every day an edit touched (its widest span), if computed before the edit
        first_touched = func.coalesce(Leave.touched_from, Leave.start_date)
        last_touched = func.coalesce(Leave.touched_to, Leave.end_date)
        for emp, start, end, changed in session.execute(
            select(Leave.employee_id, first_touched, last_touched, Leave.changed_at)
            .join(Employee, Employee.id == Leave.employee_id)
            .where(
                Employee.site_id == site.id,
                Leave.changed_at.is_not(None),
                first_touched <= date_to + timedelta(days=1),
                last_touched >= date_from - timedelta(days=1),
            )
        ):
            day = max(start, date_from - timedelta(days=1))
            while day <= min(end, date_to + timedelta(days=1)):
                _mark(stale, computed, emp, day, changed, date_from, date_to)
                day += timedelta(days=1)
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
