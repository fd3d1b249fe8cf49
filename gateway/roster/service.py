"""Rostering a site from the HR store: store rows -> `scheduler.Problem` -> draft run -> publish.

- `build_problem` reads the site's employees (skills, working-hours system, hire and exit
  dates, personal limits: no nights, no overtime, runs, rest, overtime caps), approved
  leave, shift types, the demand file, the published roster in force over the horizon
  (minimal change) and the 7 days of published roster before it (history, so rest and run
  rules hold across periods).
- `solve_site` solves it and writes a draft `RosterRun` with its `RosterAssignment` rows and
  the penalty report in one transaction; nothing is written when the solve finds no roster.
- Publishing a draft, the roster in force and the grid are the store's
  (`hrcore.store.roster`); this module reads and writes the store only through it.

Shift types: worked minutes are the span minus the break; a shift is a night shift when it
crosses midnight or starts before 05:00.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from gateway.roster.demand import DemandFile
from hrcore.attendance.cn_calendar import official_working_days
from hrcore.errors import InvalidData, NotFound
from hrcore.models import ProtectionKind
from hrcore.store import get_site
from hrcore.store import roster as store
from hrcore.store.roster import RosterGrid, StoredAssignment
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
    Pin,
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


class _ShiftRow(Protocol):
    """What `solver_shift` reads of a shift type (a stored one, or an ORM row)."""

    @property
    def code(self) -> str: ...
    @property
    def start(self) -> time: ...
    @property
    def end(self) -> time: ...
    @property
    def break_minutes(self) -> int: ...
    @property
    def required_skill(self) -> str | None: ...


def solver_shift(row: _ShiftRow) -> SolverShift:
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


def _assignments(
    rows: Iterable[StoredAssignment],
    emp_code: dict[int, str],
    shift_code: dict[int, str],
) -> tuple[Assignment, ...]:
    """Stored assignments of the given employees and shift types, by day and person."""
    return tuple(
        sorted(
            (
                Assignment(emp_code[a.employee_id], a.date, shift_code[a.shift_type_id], a.skill)
                for a in rows
                if a.employee_id in emp_code and a.shift_type_id in shift_code
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
    nights: dict[int, set[date]] = {}
    overtime: set[int] = set()
    for p in store.protections(session, emp_code, date_from, date_to):
        if p.kind == ProtectionKind.NO_OVERTIME:
            overtime.add(p.employee_id)
        else:
            span = _dates(max(p.start, date_from), min(p.end, date_to))
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
    shift_rows = store.shift_types(session, site.id)
    if not shift_rows:
        raise NotFound(f"site {site_code!r} has no shift types; add them before rostering")
    demand.check_shifts((r.code for r in shift_rows), source=demand_source, site=site_code)
    shifts = tuple(solver_shift(r) for r in shift_rows)
    shift_code = {r.id: r.code for r in shift_rows}

    emp_rows = store.employees_working(session, site.id, date_from, date_to)
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
            skills=frozenset(r.skills),
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
            if not r.works_on(d):
                absences[(r.code, d)] = Absence(r.code, d, AbsenceKind.UNAVAILABLE)
    for lv in store.approved_leave(session, emp_code, date_from, date_to):
        code = emp_code[lv.employee_id]
        for d in _dates(max(lv.start, date_from), min(lv.end, date_to)):
            absences.setdefault((code, d), Absence(code, d, AbsenceKind.LEAVE))

    hist_from = date_from - timedelta(days=HISTORY_DAYS)
    before = store.published_roster(session, site.id, hist_from, date_from - timedelta(days=1))
    history = _assignments(before.assignments, emp_code, shift_code)
    in_force = store.published_roster(session, site.id, date_from, date_to)
    owner = in_force.in_force
    published = None
    if owner:
        # the solver's published roster is one contiguous span; days inside it that no
        # published run covers do not occur in practice (runs are contiguous), but if they
        # do they count as "off" there.
        first, last = min(owner), max(owner)
        published = Roster(
            first, (last - first).days + 1, _assignments(in_force.assignments, emp_code, shift_code)
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
) -> int:
    """Write the draft run and its assignments (caller's transaction, caller commits); returns
    the run's id."""
    if result.roster is None or result.objective is None:
        raise InvalidData(f"no roster to save for site {sp.site_code!r} ({result.status})")
    draft = store.DraftIn(
        site_id=sp.site_id,
        site_code=sp.site_code,
        date_from=sp.date_from,
        date_to=sp.date_to,
        objective=result.objective,
        status=str(result.status),
        penalty_report=penalty_json(result.penalties),
        assignments=tuple(
            StoredAssignment(
                sp.employee_db_ids[a.employee_id], a.day, sp.shift_db_ids[a.shift_id], a.skill
            )
            for a in result.roster.assignments
        ),
    )
    run_id = store.save_draft_run(session, draft, at=clock(), actor=actor)
    log.info(
        "roster draft saved site=%s run=%d objective=%d", sp.site_code, run_id, result.objective
    )
    return run_id


@dataclass(frozen=True, slots=True)
class SolveRequest:
    site_code: str
    date_from: date
    date_to: date
    policy: Policy
    demand: DemandFile
    demand_source: str = "demand file"
    actor: str = "cli"
    #: assignments the solve must keep (HR's edits of a draft, re-solved around)
    pins: tuple[Pin, ...] = ()


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
    if req.pins:
        known = {e.id for e in sp.problem.employees}
        if unknown := sorted({p.employee_id for p in req.pins} - known):
            raise InvalidData(f"pinned employees not rostered at {req.site_code}: {unknown}")
        sp = replace(sp, problem=replace(sp.problem, pins=(*sp.problem.pins, *req.pins)))
    result = solve(
        with_warm_start(sp.problem), options, on_progress=on_progress, on_building=on_building
    )
    if result.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE) or result.roster is None:
        return SolveOutcome(result, sp, None, None)
    with factory.begin() as session:
        run_id = save_draft(session, sp, result, clock=clock, actor=req.actor)
    return SolveOutcome(result, sp, run_id, count_changes(sp.problem, result.roster))


def roster_grid(
    session: Session, site_code: str, date_from: date, date_to: date, *, run_id: int | None = None
) -> RosterGrid:
    """The roster of a site over a range (at most the horizon a solve takes): a given run, else
    the published roster in force, else the newest draft overlapping the range."""
    check_range(date_from, date_to)
    return store.roster_grid(session, site_code, date_from, date_to, run_id=run_id)
