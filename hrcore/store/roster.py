"""Rosters in the store: what rostering reads, as frozen types, and the runs it writes.

- Reads for building a roster problem: a site's shift types, the employees working in a
  range (with their personal limits), their protection periods and approved leave, and the
  published roster in force.
- ``save_draft_run`` writes a draft ``RosterRun``, its ``RosterAssignment`` rows and an audit
  entry. ``publish`` marks a draft published. The roster in force on a date is the newest
  published run covering it; published runs lying wholly inside the new run's range become
  ``superseded``, runs overlapping it partly stay published for their other days. Both are
  named in the audit-log entry.
- ``roster_grid``: a site's roster over a range (a given run, else the published roster in
  force, else the newest draft overlapping the range).

Every function runs inside the caller's transaction; the caller commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hrcore.errors import InvalidData, NotFound
from hrcore.models import (
    AuditEntry,
    Employee,
    Leave,
    Protection,
    ProtectionKind,
    RosterAssignment,
    RosterRun,
    RosterStatus,
    ShiftType,
    Site,
    WorkingHoursSystem,
)
from hrcore.store.directory import get_site

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def _dates(date_from: date, date_to: date) -> Iterator[date]:
    d = date_from
    while d <= date_to:
        yield d
        d += timedelta(days=1)


# -- what rostering reads ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredShiftType:
    """A shift type as rostering sees it; ``end`` not after ``start`` means the next day."""

    id: int
    code: str
    start: time
    end: time
    break_minutes: int
    required_skill: str | None


def shift_types(session: Session, site_id: int) -> tuple[StoredShiftType, ...]:
    """The site's shift types, by code."""
    rows = session.scalars(
        select(ShiftType).where(ShiftType.site_id == site_id).order_by(ShiftType.code)
    )
    return tuple(
        StoredShiftType(r.id, r.code, r.start, r.end, r.break_minutes, r.required_skill)
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
        for d in _dates(max(run.date_from, date_from), min(run.date_to, date_to)):
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


# -- what rostering writes -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DraftIn:
    """A solved roster to store as a draft run (store ids, not the solver's codes)."""

    site_id: int
    site_code: str
    date_from: date
    date_to: date
    objective: int
    status: str  # the solver's status, for the audit log
    penalty_report: Sequence[Mapping[str, Any]]  # JSON-ready
    assignments: tuple[StoredAssignment, ...]


def save_draft_run(session: Session, draft: DraftIn, *, at: datetime, actor: str) -> int:
    """Write the draft run, its assignments and an audit entry; returns the run's id."""
    run = RosterRun(
        site_id=draft.site_id,
        date_from=draft.date_from,
        date_to=draft.date_to,
        status=RosterStatus.DRAFT,
        objective=draft.objective,
        created_at=at,
        published_at=None,
        penalty_report=[dict(p) for p in draft.penalty_report],
    )
    session.add(run)
    session.flush()
    session.add_all(
        RosterAssignment(
            roster_run_id=run.id,
            employee_id=a.employee_id,
            date=a.date,
            shift_type_id=a.shift_type_id,
            skill=a.skill,
        )
        for a in draft.assignments
    )
    session.add(
        AuditEntry(
            at=at,
            actor=actor,
            action="roster.draft",
            entity="roster_run",
            entity_id=str(run.id),
            detail={
                "site": draft.site_code,
                "from": draft.date_from.isoformat(),
                "to": draft.date_to.isoformat(),
                "objective": draft.objective,
                "status": draft.status,
                "assignments": len(draft.assignments),
            },
        )
    )
    session.flush()
    return run.id


@dataclass(frozen=True, slots=True)
class PlannedShift:
    """One cell of a roster given by codes: this employee works this shift on this date."""

    employee_code: str
    date: date
    shift_code: str


def import_published_roster(
    session: Session,
    site: Site,
    date_from: date,
    date_to: date,
    cells: Iterable[PlannedShift],
    *,
    at: datetime,
) -> int:
    """Store a roster published outside shiftgate (say, HR's own plan) as a published run of
    ``site``, with no objective and no penalty report; returns the run's id."""
    employee_ids = {
        code: key
        for code, key in session.execute(
            select(Employee.code, Employee.id).where(Employee.site_id == site.id)
        )
    }
    shift_ids = {
        code: key
        for code, key in session.execute(
            select(ShiftType.code, ShiftType.id).where(ShiftType.site_id == site.id)
        )
    }
    rows = []
    for cell in cells:
        if cell.employee_code not in employee_ids or cell.shift_code not in shift_ids:
            raise NotFound(
                f"roster of site {site.code!r} on {cell.date}: employee {cell.employee_code!r} or "
                f"shift type {cell.shift_code!r} is not one of the site's; add it first"
            )
        rows.append((employee_ids[cell.employee_code], cell.date, shift_ids[cell.shift_code]))
    run = RosterRun(
        site_id=site.id,
        date_from=date_from,
        date_to=date_to,
        status=RosterStatus.PUBLISHED,
        objective=None,
        created_at=at,
        published_at=at,
    )
    session.add(run)
    session.flush()
    session.add_all(
        RosterAssignment(roster_run_id=run.id, employee_id=emp, date=day, shift_type_id=shift)
        for emp, day, shift in rows
    )
    return run.id


@dataclass(frozen=True, slots=True)
class PublishOutcome:
    run_id: int
    site_code: str
    date_from: date
    date_to: date
    superseded: tuple[int, ...]
    overridden: tuple[int, ...]  # published runs that stay in force on their other days


def _draft_for(session: Session, site_code: str, date_from: date, date_to: date) -> RosterRun:
    site = get_site(session, site_code)
    run = session.scalars(
        select(RosterRun)
        .where(
            RosterRun.site_id == site.id,
            RosterRun.status == RosterStatus.DRAFT,
            RosterRun.date_from == date_from,
            RosterRun.date_to == date_to,
        )
        .order_by(RosterRun.created_at.desc(), RosterRun.id.desc())
    ).first()
    if run is None:
        raise NotFound(
            f"site {site_code!r} has no draft roster for {date_from}..{date_to}; "
            "run `shiftgate roster solve` for that range first"
        )
    return run


def publish(
    session: Session,
    *,
    clock: Clock,
    actor: str,
    run_id: int | None = None,
    site_code: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> PublishOutcome:
    """Publish a draft (by id, or the newest draft of exactly that site and range)."""
    if run_id is not None:
        run = session.get(RosterRun, run_id)
        if run is None:
            raise NotFound(f"roster run {run_id} does not exist; see `shiftgate roster show`")
    elif site_code is not None and date_from is not None and date_to is not None:
        run = _draft_for(session, site_code, date_from, date_to)
    else:
        raise InvalidData("say which roster to publish: --run ID, or --site, --from and --to")
    if run.status != RosterStatus.DRAFT:
        raise InvalidData(
            f"roster run {run.id} is {run.status}, not a draft; only drafts can be published"
        )
    site = session.get(Site, run.site_id)
    assert site is not None  # foreign key
    now = clock()
    superseded: list[int] = []
    overridden: list[int] = []
    older = session.scalars(
        select(RosterRun)
        .where(
            RosterRun.site_id == run.site_id,
            RosterRun.status == RosterStatus.PUBLISHED,
            RosterRun.date_from <= run.date_to,
            RosterRun.date_to >= run.date_from,
        )
        .order_by(RosterRun.id)
    )
    for old in older:
        if run.date_from <= old.date_from and old.date_to <= run.date_to:
            old.status = RosterStatus.SUPERSEDED
            superseded.append(old.id)
        else:
            overridden.append(old.id)
    run.status = RosterStatus.PUBLISHED
    run.published_at = now
    session.add(
        AuditEntry(
            at=now,
            actor=actor,
            action="roster.publish",
            entity="roster_run",
            entity_id=str(run.id),
            detail={
                "site": site.code,
                "from": run.date_from.isoformat(),
                "to": run.date_to.isoformat(),
                "superseded": superseded,
                "overridden": overridden,
            },
        )
    )
    session.flush()
    log.info("roster published site=%s run=%d superseded=%s", site.code, run.id, superseded)
    return PublishOutcome(
        run.id, site.code, run.date_from, run.date_to, tuple(superseded), tuple(overridden)
    )


# -- what rostering shows ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GridRow:
    employee_code: str
    name: str
    cells: tuple[str, ...]  # shift code per date, "" = off
    skills: tuple[str, ...] = ()  # the skill covered per date, "" = none asked for


@dataclass(frozen=True, slots=True)
class RosterGrid:
    site_code: str
    dates: tuple[date, ...]
    rows: tuple[GridRow, ...]
    source: str  # which run(s) the grid shows, in words
    runs: tuple[int, ...]


def roster_grid(
    session: Session, site_code: str, date_from: date, date_to: date, *, run_id: int | None = None
) -> RosterGrid:
    """The roster of a site over a range: a given run, else the published roster in force,
    else the newest draft overlapping the range."""
    site = get_site(session, site_code)
    cells: dict[tuple[int, date], tuple[int, str | None]] = {}
    if run_id is not None:
        run = session.get(RosterRun, run_id)
        if run is None or run.site_id != site.id:
            raise NotFound(f"roster run {run_id} does not exist at site {site_code!r}")
        runs: tuple[int, ...] = (run.id,)
        source = f"run {run.id} ({run.status}, {run.date_from}..{run.date_to})"
    else:
        published = published_roster(session, site.id, date_from, date_to)
        if published.in_force:
            cells = {
                (a.employee_id, a.date): (a.shift_type_id, a.skill) for a in published.assignments
            }
            runs = tuple(sorted(set(published.in_force.values())))
            source = "published roster (runs " + ", ".join(str(r) for r in runs) + ")"
        else:
            draft = session.scalars(
                select(RosterRun)
                .where(
                    RosterRun.site_id == site.id,
                    RosterRun.status == RosterStatus.DRAFT,
                    RosterRun.date_from <= date_to,
                    RosterRun.date_to >= date_from,
                )
                .order_by(RosterRun.created_at.desc(), RosterRun.id.desc())
            ).first()
            if draft is None:
                raise NotFound(
                    f"site {site_code!r} has no roster for {date_from}..{date_to}; "
                    "run `shiftgate roster solve` first"
                )
            runs = (draft.id,)
            source = f"draft run {draft.id} (not published)"
    if not cells:
        for emp_id, day, shift_id, skill in session.execute(
            select(
                RosterAssignment.employee_id,
                RosterAssignment.date,
                RosterAssignment.shift_type_id,
                RosterAssignment.skill,
            ).where(
                RosterAssignment.roster_run_id == runs[0],
                RosterAssignment.date >= date_from,
                RosterAssignment.date <= date_to,
            )
        ):
            cells[(emp_id, day)] = (shift_id, skill)
    shift_code = {
        i: c
        for i, c in session.execute(
            select(ShiftType.id, ShiftType.code).where(ShiftType.site_id == site.id)
        )
    }
    emps = session.scalars(
        select(Employee).where(Employee.site_id == site.id).order_by(Employee.code)
    )
    dates = tuple(_dates(date_from, date_to))
    rows_out = []
    for e in emps:
        mine = [cells.get((e.id, d)) for d in dates]
        if any(mine) or (
            e.hire_date <= date_to and (e.exit_date is None or e.exit_date >= date_from)
        ):
            rows_out.append(
                GridRow(
                    e.code,
                    e.name,
                    tuple(shift_code[c[0]] if c else "" for c in mine),
                    tuple((c[1] or "") if c else "" for c in mine),
                )
            )
    return RosterGrid(site.code, dates, tuple(rows_out), source, runs)
