"""Rostering a site from the HR store: store rows -> `scheduler.Problem` -> draft run -> publish.

- `build_problem` reads the site's employees (skills, working-hours system, hire and exit
  dates, personal limits: no nights, no overtime, runs, rest, overtime caps), approved
  leave, shift types, the demand file, the published roster in force over the horizon
  (minimal change) and the 7 days of published roster before it (history, so rest and run
  rules hold across periods).
- `solve_site` solves it and writes a draft `RosterRun` with its `RosterAssignment` rows and
  the penalty report in one transaction; nothing is written when the solve finds no roster.
- `publish` marks a draft published. The roster in force on a date is the newest published
  run covering it; published runs lying wholly inside the new run's range become
  `superseded`, runs overlapping it partly stay published for their other days. Both are
  named in the audit-log entry.

Shift types: worked minutes are the span minus the break; a shift is a night shift when it
crosses midnight or starts before 05:00.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gateway.roster.demand import DemandFile
from hrcore.attendance.cn_calendar import official_working_days
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
)
from hrcore.store import get_site
from scheduler.greedy import greedy_roster
from scheduler.model import (
    Absence,
    AbsenceKind,
    Assignment,
    Building,
    HoursCycle,
    HoursSystem,
    Penalty,
    PenaltyReport,
    Policy,
    Problem,
    Progress,
    Roster,
    SolveOptions,
    SolveResult,
    SolveStatus,
)
from scheduler.model import Employee as SolverEmployee
from scheduler.model import ShiftType as SolverShift
from scheduler.solve import solve

log = logging.getLogger(__name__)

HISTORY_DAYS = 7
NIGHT_START_BEFORE = time(5, 0)
MAX_HORIZON_DAYS = 62

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class SiteProblem:
    """A site's roster problem with the store ids behind the solver's string ids."""

    problem: Problem
    site_id: int
    site_code: str
    date_from: date
    date_to: date
    employee_db_ids: dict[str, int] = field(default_factory=dict)  # code -> employees.id
    shift_db_ids: dict[str, int] = field(default_factory=dict)  # code -> shift_types.id
    #: years whose official working days were assumed Mon-Fri (no published schedule yet)
    assumed_calendar_years: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class SolveOutcome:
    result: SolveResult
    site_problem: SiteProblem
    run_id: int | None  # the draft written, None when no roster was found
    changed: int | None  # assignments differing from the published roster (None: none in force)


@dataclass(frozen=True, slots=True)
class PublishOutcome:
    run_id: int
    site_code: str
    date_from: date
    date_to: date
    superseded: tuple[int, ...]
    overridden: tuple[int, ...]  # published runs that stay in force on their other days


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


def check_range(date_from: date, date_to: date) -> int:
    days = (date_to - date_from).days + 1
    if days <= 0:
        raise InvalidData(f"--to {date_to} is before --from {date_from}; give a forward range")
    if days > MAX_HORIZON_DAYS:
        raise InvalidData(
            f"{days} days from {date_from} to {date_to} is too long a horizon; "
            f"roster at most {MAX_HORIZON_DAYS} days at a time"
        )
    return days


def _dates(date_from: date, date_to: date) -> Iterable[date]:
    d = date_from
    while d <= date_to:
        yield d
        d += timedelta(days=1)


def solver_shift(row: ShiftType) -> SolverShift:
    start = row.start.hour * 60 + row.start.minute
    end = row.end.hour * 60 + row.end.minute
    span = (end - start) % (24 * 60) or 24 * 60
    worked = span - row.break_minutes
    if worked <= 0:
        raise InvalidData(
            f"shift type {row.code!r}: break of {row.break_minutes} min leaves no "
            "working time; fix the shift type"
        )
    night = start + span > 24 * 60 or row.start < NIGHT_START_BEFORE
    return SolverShift(
        id=row.code, start=row.start, minutes=worked, skill=row.required_skill, night=night
    )


def _published_in_force(
    session: Session, site_id: int, date_from: date, date_to: date
) -> tuple[dict[date, int], list[RosterRun]]:
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
    return owner, runs


def published_assignments(
    session: Session, site_id: int, date_from: date, date_to: date
) -> tuple[dict[date, int], list[tuple[int, date, int, str | None]]]:
    """(date -> run in force, [(employee id, date, shift type id, skill)]) of the published
    roster."""
    owner, _runs = _published_in_force(session, site_id, date_from, date_to)
    if not owner:
        return owner, []
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
    return owner, [
        (emp, d, shift, skill) for run, emp, d, shift, skill in rows if owner.get(d) == run
    ]


def _assignments(
    rows: Iterable[tuple[int, date, int, str | None]],
    emp_code: dict[int, str],
    shift_code: dict[int, str],
) -> tuple[Assignment, ...]:
    """Stored assignment rows of the given employees and shift types, by day and person."""
    return tuple(
        sorted(
            (
                Assignment(emp_code[e], d, shift_code[s], skill)
                for e, d, s, skill in rows
                if e in emp_code and s in shift_code
            ),
            key=lambda a: (a.day, a.employee_id),
        )
    )


def _protected(
    session: Session, emp_code: dict[int, str], date_from: date, date_to: date
) -> tuple[dict[int, frozenset[date]], set[int]]:
    """(employee id -> the horizon's days in a no-nights period, the employees with a
    no-overtime period touching the horizon). Overtime is counted over weeks and months,
    so a no-overtime period that covers part of the horizon bars overtime in all of it."""
    rows = session.scalars(
        select(Protection).where(
            Protection.employee_id.in_(emp_code),
            Protection.start_date <= date_to,
            Protection.end_date >= date_from,
        )
    )
    nights: dict[int, set[date]] = {}
    overtime: set[int] = set()
    for p in rows:
        if p.kind == ProtectionKind.NO_OVERTIME:
            overtime.add(p.employee_id)
        else:
            span = _dates(max(p.start_date, date_from), min(p.end_date, date_to))
            nights.setdefault(p.employee_id, set()).update(span)
    return {e: frozenset(days) for e, days in nights.items()}, overtime


def build_problem(
    session: Session,
    site_code: str,
    date_from: date,
    date_to: date,
    policy: Policy,
    demand: DemandFile,
    *,
    demand_source: str = "demand file",
) -> SiteProblem:
    days = check_range(date_from, date_to)
    site = get_site(session, site_code)
    shift_rows = list(
        session.scalars(
            select(ShiftType).where(ShiftType.site_id == site.id).order_by(ShiftType.code)
        )
    )
    if not shift_rows:
        raise NotFound(f"site {site_code!r} has no shift types; add them before rostering")
    demand.check_shifts((r.code for r in shift_rows), source=demand_source, site=site_code)
    shifts = tuple(solver_shift(r) for r in shift_rows)
    shift_code = {r.id: r.code for r in shift_rows}

    emp_rows = list(
        session.scalars(
            select(Employee)
            .where(
                Employee.site_id == site.id,
                Employee.hire_date <= date_to,
                (Employee.exit_date.is_(None)) | (Employee.exit_date >= date_from),
            )
            .order_by(Employee.code)
        )
    )
    if not emp_rows:
        raise NotFound(
            f"site {site_code!r} has no employees working between {date_from} and {date_to}"
        )
    emp_code = {r.id: r.code for r in emp_rows}
    night_days, overtime_barred = _protected(session, emp_code, date_from, date_to)
    horizon = frozenset(_dates(date_from, date_to))
    employees = tuple(
        SolverEmployee(
            id=r.code,
            name=r.name,
            skills=frozenset(r.skills or ()),
            hours_system=HoursSystem(r.working_hours_system.value),
            # comprehensive hours average over calendar months, as hrcore's CN overtime does
            cycle=HoursCycle.MONTH,
            no_nights=r.no_nights or night_days.get(r.id) == horizon,
            no_overtime=r.no_overtime or r.id in overtime_barred,
            max_consecutive_days=r.max_consecutive_days,
            min_rest_minutes=r.min_rest_minutes,
            daily_overtime_cap_minutes=r.daily_overtime_cap_minutes,
            monthly_overtime_cap_minutes=r.monthly_overtime_cap_minutes,
            no_night_days=night_days.get(r.id, frozenset()),
        )
        for r in emp_rows
    )

    absences: dict[tuple[str, date], Absence] = {}
    for r in emp_rows:  # not yet hired / already left
        for d in _dates(date_from, date_to):
            if d < r.hire_date or (r.exit_date is not None and d > r.exit_date):
                absences[(r.code, d)] = Absence(r.code, d, AbsenceKind.UNAVAILABLE)
    leaves = session.scalars(
        select(Leave).where(
            Leave.employee_id.in_(emp_code),
            Leave.approved.is_(True),
            Leave.start_date <= date_to,
            Leave.end_date >= date_from,
        )
    )
    for lv in leaves:
        code = emp_code[lv.employee_id]
        for d in _dates(max(lv.start_date, date_from), min(lv.end_date, date_to)):
            absences.setdefault((code, d), Absence(code, d, AbsenceKind.LEAVE))

    hist_from = date_from - timedelta(days=HISTORY_DAYS)
    _o, hist_rows = published_assignments(
        session, site.id, hist_from, date_from - timedelta(days=1)
    )
    history = _assignments(hist_rows, emp_code, shift_code)
    owner, pub_rows = published_assignments(session, site.id, date_from, date_to)
    published = None
    if owner:
        # the solver's published roster is one contiguous span; days inside it that no
        # published run covers do not occur in practice (runs are contiguous), but if they
        # do they count as "off" there.
        first, last = min(owner), max(owner)
        published = Roster(
            first, (last - first).days + 1, _assignments(pub_rows, emp_code, shift_code)
        )

    working = official_working_days(date_from, date_to) if site.policy == "cn" else None
    if working is not None and working.assumed_years:
        log.warning(
            "no official CN calendar for years=%s; regular hours assume Mon-Fri working days",
            ",".join(map(str, working.assumed_years)),
        )
    problem = Problem(
        start=date_from,
        days=days,
        shifts=shifts,
        employees=employees,
        demand=demand.lines(date_from, days),
        policy=policy,
        absences=tuple(sorted(absences.values(), key=lambda a: (a.day, a.employee_id))),
        history=history,
        history_days=HISTORY_DAYS,
        published=published,
        name=f"{site_code} {date_from}..{date_to}",
        # comprehensive staff's monthly regular hours: the payroll's (8 h a working day)
        working_days=working.days if working is not None else None,
    )
    return SiteProblem(
        problem,
        site.id,
        site.code,
        date_from,
        date_to,
        {r.code: r.id for r in emp_rows},
        {r.code: r.id for r in shift_rows},
        working.assumed_years if working is not None else (),
    )


def with_warm_start(problem: Problem) -> Problem:
    """The problem with a starting roster for the search: the published roster when
    re-rostering (minimal change starts there), else the rule-aware greedy roster."""
    if problem.published is not None or problem.hint is not None:
        return problem
    return replace(problem, hint=greedy_roster(problem, careful=True))


def count_changes(problem: Problem, roster: Roster) -> int | None:
    """(employee, day) cells on the published roster's days whose shift differs."""
    pub = problem.published
    if pub is None:
        return None
    was = {(a.employee_id, a.day): a.shift_id for a in pub.assignments}
    now = {(a.employee_id, a.day): a.shift_id for a in roster.assignments}
    days = [d for d in (problem.date_of(i) for i in range(problem.days)) if pub.covers(d)]
    return sum(
        1 for e in problem.employees for d in days if was.get((e.id, d)) != now.get((e.id, d))
    )


def penalty_json(report: PenaltyReport) -> list[Any]:
    def one(p: Penalty) -> dict[str, Any]:
        return {
            "rule": str(p.rule),
            "cost": p.cost,
            "words": p.words,
            "employee": p.employee_id,
            "day": p.day.isoformat() if p.day else None,
            "shift": p.shift_id,
        }

    return [one(p) for p in report.items]


def save_draft(
    session: Session, sp: SiteProblem, result: SolveResult, *, clock: Clock, actor: str
) -> RosterRun:
    """Write the draft run and its assignments (caller's transaction, caller commits)."""
    if result.roster is None or result.objective is None:
        raise InvalidData(f"no roster to save for site {sp.site_code!r} ({result.status})")
    now = clock()
    run = RosterRun(
        site_id=sp.site_id,
        date_from=sp.date_from,
        date_to=sp.date_to,
        status=RosterStatus.DRAFT,
        objective=result.objective,
        created_at=now,
        published_at=None,
        penalty_report=penalty_json(result.penalties),
    )
    session.add(run)
    session.flush()
    session.add_all(
        RosterAssignment(
            roster_run_id=run.id,
            employee_id=sp.employee_db_ids[a.employee_id],
            date=a.day,
            shift_type_id=sp.shift_db_ids[a.shift_id],
            skill=a.skill,
        )
        for a in result.roster.assignments
    )
    session.add(
        AuditEntry(
            at=now,
            actor=actor,
            action="roster.draft",
            entity="roster_run",
            entity_id=str(run.id),
            detail={
                "site": sp.site_code,
                "from": sp.date_from.isoformat(),
                "to": sp.date_to.isoformat(),
                "objective": result.objective,
                "status": str(result.status),
                "assignments": len(result.roster.assignments),
            },
        )
    )
    session.flush()
    log.info(
        "roster draft saved site=%s run=%d objective=%d", sp.site_code, run.id, result.objective
    )
    return run


@dataclass(frozen=True, slots=True)
class SolveRequest:
    site_code: str
    date_from: date
    date_to: date
    policy: Policy
    demand: DemandFile
    demand_source: str = "demand file"
    actor: str = "cli"


def solve_site(
    factory: sessionmaker[Session],
    req: SolveRequest,
    options: SolveOptions,
    *,
    clock: Clock,
    on_progress: Callable[[Progress], None] | None = None,
    on_building: Callable[[Building], None] | None = None,
) -> SolveOutcome:
    """Read the problem, solve it (no transaction open meanwhile), write the draft."""
    with factory() as session:
        sp = build_problem(
            session,
            req.site_code,
            req.date_from,
            req.date_to,
            req.policy,
            req.demand,
            demand_source=req.demand_source,
        )
    result = solve(
        with_warm_start(sp.problem), options, on_progress=on_progress, on_building=on_building
    )
    if result.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE) or result.roster is None:
        return SolveOutcome(result, sp, None, None)
    with factory.begin() as session:
        run = save_draft(session, sp, result, clock=clock, actor=req.actor)
        run_id = run.id
    return SolveOutcome(result, sp, run_id, count_changes(sp.problem, result.roster))


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


def roster_grid(
    session: Session, site_code: str, date_from: date, date_to: date, *, run_id: int | None = None
) -> RosterGrid:
    """The roster of a site over a range: a given run, else the published roster in force,
    else the newest draft overlapping the range."""
    check_range(date_from, date_to)
    site = get_site(session, site_code)
    cells: dict[tuple[int, date], tuple[int, str | None]] = {}
    if run_id is not None:
        run = session.get(RosterRun, run_id)
        if run is None or run.site_id != site.id:
            raise NotFound(f"roster run {run_id} does not exist at site {site_code!r}")
        runs: tuple[int, ...] = (run.id,)
        source = f"run {run.id} ({run.status}, {run.date_from}..{run.date_to})"
    else:
        owner, rows = published_assignments(session, site.id, date_from, date_to)
        if owner:
            cells = {(e, d): (s, skill) for e, d, s, skill in rows}
            runs = tuple(sorted(set(owner.values())))
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
