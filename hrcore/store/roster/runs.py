"""Roster runs in the store: reading them, writing drafts, editing a draft's cells, importing a
roster published elsewhere, and publishing.

The roster in force on a date is the newest published run covering it; publishing makes the
published runs lying wholly inside the new run's range ``superseded``, while runs overlapping it
partly stay published for their other days. Both are named in the audit-log entry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hrcore.errors import InvalidData, NotFound
from hrcore.models import (
    AuditEntry,
    Employee,
    RosterAssignment,
    RosterRun,
    RosterStatus,
    ShiftType,
    Site,
)
from hrcore.store.audit import AuditIn, record_audit
from hrcore.store.directory import get_site
from hrcore.store.roster.reads import StoredAssignment

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class RunSummary:
    """A roster run without its assignments."""

    id: int
    site_id: int
    site_code: str
    date_from: date
    date_to: date
    status: RosterStatus
    objective: int | None
    created_at: datetime
    published_at: datetime | None
    penalty_report: tuple[Mapping[str, Any], ...]


def _summary(run: RosterRun, site_code: str) -> RunSummary:
    return RunSummary(
        run.id,
        run.site_id,
        site_code,
        run.date_from,
        run.date_to,
        run.status,
        run.objective,
        run.created_at,
        run.published_at,
        tuple(run.penalty_report),
    )


def find_run(session: Session, run_id: int) -> RunSummary | None:
    """The run with this id, or None."""
    row = session.execute(
        select(RosterRun, Site.code)
        .join(Site, Site.id == RosterRun.site_id)
        .where(RosterRun.id == run_id)
    ).first()
    return None if row is None else _summary(row[0], row[1])


def roster_runs(
    session: Session,
    *,
    site_id: int | None = None,
    status: RosterStatus | None = None,
    limit: int,
    offset: int = 0,
) -> tuple[tuple[RunSummary, ...], int]:
    """Runs, newest first, a page at a time, and how many match over every page."""
    query = select(RosterRun, Site.code).join(Site, Site.id == RosterRun.site_id)
    if site_id is not None:
        query = query.where(RosterRun.site_id == site_id)
    if status is not None:
        query = query.where(RosterRun.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(RosterRun.id.desc()).offset(offset).limit(limit))
    return tuple(_summary(run, code) for run, code in rows), total


def run_stamp(session: Session, run_id: int) -> tuple[object, ...] | None:
    """What a cached view of the run depends on: its status, when it was published and its
    newest audit entry (every change of a run -- an edit, a publish -- is audited); None when
    there is no such run."""
    run = session.get(RosterRun, run_id)
    if run is None:
        return None
    newest = session.scalar(
        select(func.max(AuditEntry.id)).where(
            AuditEntry.entity == "roster_run", AuditEntry.entity_id == str(run_id)
        )
    )
    return (run.status, run.published_at, newest)


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


def set_assignment(
    session: Session,
    run_id: int,
    employee_code: str,
    day: date,
    shift_code: str,
    *,
    actor: str,
    now: datetime,
    skill: str | None = None,
) -> None:
    """Change one cell of a draft ("" = day off); audited. Published runs are not edited:
    edit the draft and publish it. `skill`: the demand skill covered (None: the cell keeps
    the one it had)."""
    run = session.get(RosterRun, run_id)
    if run is None:
        raise NotFound(f"roster run {run_id} does not exist")
    if run.status != RosterStatus.DRAFT:
        raise InvalidData(f"roster run {run_id} is {run.status}; only drafts can be edited")
    if not run.date_from <= day <= run.date_to:
        raise InvalidData(f"{day} is outside run {run_id} ({run.date_from}..{run.date_to})")
    site = session.get(Site, run.site_id)
    assert site is not None
    emp = session.scalar(
        select(Employee).where(Employee.code == employee_code, Employee.site_id == site.id)
    )
    if emp is None:
        raise NotFound(f"no employee {employee_code!r} at site {site.code!r}")
    cell = session.scalar(
        select(RosterAssignment).where(
            RosterAssignment.roster_run_id == run.id,
            RosterAssignment.employee_id == emp.id,
            RosterAssignment.date == day,
        )
    )
    before = ""
    if cell is not None:
        old = session.get(ShiftType, cell.shift_type_id)
        before = old.code if old else ""
    if shift_code:
        shift = session.scalar(
            select(ShiftType).where(ShiftType.site_id == site.id, ShiftType.code == shift_code)
        )
        if shift is None:
            raise NotFound(f"site {site.code!r} has no shift type {shift_code!r}")
        if cell is None:
            session.add(
                RosterAssignment(
                    roster_run_id=run.id,
                    employee_id=emp.id,
                    date=day,
                    shift_type_id=shift.id,
                    skill=skill,
                )
            )
        else:
            cell.shift_type_id = shift.id
            if skill is not None:
                cell.skill = skill
    elif cell is not None:
        session.delete(cell)
    session.flush()
    record_audit(
        session,
        AuditIn(
            at=now,
            actor=actor,
            action="roster_edit",
            entity="roster_run",
            entity_id=str(run.id),
            detail={"employee": emp.code, "day": day.isoformat(), "from": before, "to": shift_code},
        ),
    )


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
