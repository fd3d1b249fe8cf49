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
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from hrcore.attendance.day import evaluate_employee
from hrcore.attendance.model import (
    DataIssue,
    DayKind,
    DayResult,
    ShiftInstance,
    TraceEntry,
)
from hrcore.attendance.overtime import OvertimeCategory, OvertimeLine
from hrcore.errors import InvalidData
from hrcore.models import AttendanceDay, AuditEntry
from hrcore.store.attendance.adopt import (
    UnmatchedPunchReport,
    adopt_mapped_punches,
    unknown_user_punches,
    unregistered_device_punches,
)
from hrcore.store.attendance.load import (
    FIGURES,
    EmployeeFacts,
    approved_leave,
    closed_periods,
    published_assignments,
    punches_by_employee,
    shift_rules,
    site_employees,
    stored_figures,
)
from hrcore.store.attendance.scope import Clock, select_sites, site_policy, site_zone, utc_bounds

log = logging.getLogger(__name__)


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
    #: wall seconds by step (see STAGES), for the bench and whoever profiles next
    stage_seconds: tuple[tuple[str, float], ...] = ()


#: a compute's steps: reading its inputs, pairing punches and judging days (overtime included),
#: turning results into rows with their JSON traces and comparing them with the stored ones,
#: and writing the rows that changed
STAGES = ("load", "pair_and_judge", "traces", "write")


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
    emp: EmployeeFacts, day: DayResult, ot: tuple[int, int, int], shift_type_id: int | None
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
    confirm: set[tuple[int, date]] | None = None,
    bounce_seconds: int = 60,
    actor: str = "shiftgate",
) -> ComputeReport:
    """Compute and store attendance of ``date_from..date_to``; runs in the caller's transaction.

    Only rows whose figures or trace changed are written. ``employee_ids`` limits the work
    (incremental recomputation); a day in ``confirm`` (a stale day) that comes out unchanged
    gets only its ``computed_at`` moved to now, so it is not found stale again.
    """
    with _cyclic_gc_paused():
        return _compute(
            session,
            date_from,
            date_to,
            clock=clock,
            site_code=site_code,
            employee_ids=employee_ids,
            confirm=confirm or set(),
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
    confirm: set[tuple[int, date]],
    bounce_seconds: int,
    actor: str,
) -> ComputeReport:
    if date_to < date_from:
        raise InvalidData(f"--from {date_from} is after --to {date_to}; swap them")
    now = clock()
    spent: defaultdict[str, float] = defaultdict(float)
    mark = time.perf_counter()
    totals: defaultdict[str, int] = defaultdict(int)
    statuses: defaultdict[str, int] = defaultdict(int)
    unmatched: list[UnmatchedPunchReport] = []
    issues: list[DataIssue] = []
    sites = select_sites(session, site_code)
    # punches of unregistered serials belong to no site: reported once, over every site's span
    unregistered_lo: datetime | None = None
    unregistered_hi: datetime | None = None
    for site in sites:
        tz = site_zone(site)
        policy = site_policy(site)
        ctx_first, ctx_last = policy.context(date_from, date_to)
        lo, hi = utc_bounds(ctx_first - timedelta(days=1), ctx_last + timedelta(days=1), tz)
        adopt_mapped_punches(session, site, lo, hi)
        site_lo, site_hi = utc_bounds(date_from, date_to, tz)
        unmatched.extend(unknown_user_punches(session, site, site_lo, site_hi))
        unregistered_lo = min(unregistered_lo or site_lo, site_lo)
        unregistered_hi = max(unregistered_hi or site_hi, site_hi)

        emps = site_employees(session, site, employee_ids)
        if not emps:
            continue
        emp_ids = {e.id for e in emps}
        rules = shift_rules(session, site, bounce_seconds)
        span_first, span_last = ctx_first - timedelta(days=1), ctx_last + timedelta(days=1)
        assignments, covered = published_assignments(
            session, site, None if employee_ids is None else emp_ids, span_first, span_last
        )
        leaves = approved_leave(session, emp_ids, site, ctx_first, ctx_last)
        closed = closed_periods(session, site)

        punches, n_punches = punches_by_employee(session, site, emp_ids, lo, hi)
        totals["punches"] += n_punches

        existing = stored_figures(session, site, emp_ids, date_from, date_to)

        days_all = [
            span_first + timedelta(days=i) for i in range((span_last - span_first).days + 1)
        ]
        kinds = {d: policy.calendar.kind(d) for d in days_all}
        in_runs = {d for d in days_all if any(a <= d <= b for a, b in covered)}
        frozen_days = {d for d in days_all if any(a <= d <= b for a, b in closed)}
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        audit: list[dict[str, Any]] = []
        mark = _lap(spent, "load", mark)
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
            mark = _lap(spent, "pair_and_judge", mark)
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
                old_figures = old[3 : 3 + len(FIGURES)]
                new_figures = tuple(values[f] for f in FIGURES)
                old_trace, old_review = old[3 + len(FIGURES)], old[4 + len(FIGURES)]
                if old_figures == new_figures:
                    if old_trace == values["trace"]:
                        totals["unchanged"] += 1
                        if not frozen and (emp.id, day.date) in confirm:
                            updates.append({"id": old[0], "computed_at": now})
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
                        for f, a, b in zip(FIGURES, old_figures, new_figures, strict=True)
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
            mark = _lap(spent, "traces", mark)
        connection = session.connection()
        for start in range(0, len(inserts), 5000):
            connection.execute(insert(AttendanceDay), inserts[start : start + 5000])
        if updates:
            session.execute(update(AttendanceDay), updates)
        if audit:
            session.execute(insert(AuditEntry), audit)
        mark = _lap(spent, "write", mark)
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
    _lap(spent, "load", mark)
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
        stage_seconds=tuple((stage, spent[stage]) for stage in STAGES),
    )


def _lap(spent: defaultdict[str, float], stage: str, since: float) -> float:
    """Add the time since ``since`` to ``stage``; returns now, the next lap's start."""
    now = time.perf_counter()
    spent[stage] += now - since
    return now
