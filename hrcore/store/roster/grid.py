"""A site's roster over a range as a grid: a given run, else the published roster in force,
else the newest draft overlapping the range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hrcore.errors import NotFound
from hrcore.models import (
    Employee,
    RosterAssignment,
    RosterRun,
    RosterStatus,
    ShiftType,
)
from hrcore.store.directory import get_site
from hrcore.store.roster.reads import dates_between, published_roster


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
    dates = tuple(dates_between(date_from, date_to))
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
