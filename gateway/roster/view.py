"""What a roster screen shows: the grid, shift types, coverage against demand, hours per
week and the cost inputs a browser needs to project changes before re-solving."""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from gateway.roster.demand import DemandFile
from gateway.roster.service import roster_grid, solver_shift
from hrcore.enums import PayBasis
from hrcore.errors import NotFound
from hrcore.models import RosterStatus
from hrcore.store.audit import audit_of
from hrcore.store.roster import EmployeePay, employee_pay, find_run, run_stamp, shift_types
from scheduler.model import Pin

#: CN: monthly pay / 21.75 days / 8 h is the hourly rate (MOHRSS 2008 No. 3)
MONTHLY_TO_HOURLY = Decimal("174")
#: the line a week's hours are drawn against (the issue's burnout line)
WEEK_HOURS_LINE = 50
REGULAR_WEEK_HOURS = 40
OVERTIME_FACTOR = Decimal("1.5")
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class ShiftInfo:
    code: str
    name: str
    start: str
    end: str
    paid_hours: float
    night: bool


@dataclass(frozen=True, slots=True)
class Coverage:
    day: date
    shift: str
    assigned: int
    minimum: int | None
    target: int | None
    maximum: int | None

    @property
    def state(self) -> str:
        """``under`` (below minimum), ``short`` (below target), ``over`` (above maximum)."""
        if self.minimum is not None and self.assigned < self.minimum:
            return "under"
        if self.target is not None and self.assigned < self.target:
            return "short"
        if self.maximum is not None and self.assigned > self.maximum:
            return "over"
        return "ok"


@dataclass(frozen=True, slots=True)
class PersonWeek:
    employee: str
    week_start: date
    hours: float


@dataclass(frozen=True, slots=True)
class RosterView:
    run_id: int
    site_code: str
    status: RosterStatus
    date_from: date
    date_to: date
    objective: int | None
    dates: tuple[date, ...]
    employees: tuple[tuple[str, str], ...]  # (code, name)
    cells: tuple[tuple[str, ...], ...]  # shift code per employee per date, "" = off
    shifts: tuple[ShiftInfo, ...]
    coverage: tuple[Coverage, ...]
    weeks: tuple[PersonWeek, ...]
    hourly_rates: tuple[Decimal, ...]  # per employee, for the projection
    penalties: tuple[dict[str, Any], ...]
    projected_hours: float
    projected_overtime_hours: float
    projected_cost: Decimal


def _hourly(emp: EmployeePay) -> Decimal:
    if emp.pay_basis == PayBasis.HOURLY:
        return emp.base_pay
    return (emp.base_pay / MONTHLY_TO_HOURLY).quantize(CENT, ROUND_HALF_UP)


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def roster_view(session: Session, run_id: int, demand: DemandFile | None) -> RosterView:
    run = find_run(session, run_id)
    if run is None:
        raise NotFound(f"roster run {run_id} does not exist; see GET /api/v1/rosters")
    grid = roster_grid(session, run.site_code, run.date_from, run.date_to, run_id=run.id)
    shift_rows = sorted(shift_types(session, run.site_id), key=lambda t: t.start)
    shifts = []
    for row in shift_rows:
        s = solver_shift(row)
        shifts.append(
            ShiftInfo(
                code=row.code,
                name=row.name or row.code,
                start=row.start.strftime("%H:%M"),
                end=row.end.strftime("%H:%M"),
                paid_hours=s.minutes / 60,
                night=s.night,
            )
        )
    hours_of = {s.code: s.paid_hours for s in shifts}
    emps = {e.code: e for e in employee_pay(session, run.site_id)}
    wanted: dict[tuple[date, str], list[int | None]] = {}
    if demand is not None:
        for line in demand.lines(run.date_from, len(grid.dates)):
            acc = wanted.setdefault((line.day, line.shift_id), [0, 0, 0])
            acc[0] = (acc[0] or 0) + line.minimum
            acc[1] = (acc[1] or 0) + line.target
            acc[2] = None if line.maximum is None or acc[2] is None else acc[2] + line.maximum
    assigned: defaultdict[tuple[date, str], int] = defaultdict(int)
    week_hours: defaultdict[tuple[str, date], float] = defaultdict(float)
    for grid_row in grid.rows:
        for day, code in zip(grid.dates, grid_row.cells, strict=True):
            if code:
                assigned[(day, code)] += 1
                week_hours[(grid_row.employee_code, _week_start(day))] += hours_of.get(code, 0.0)
    coverage = tuple(
        Coverage(
            day=day,
            shift=s.code,
            assigned=assigned[(day, s.code)],
            minimum=wanted.get((day, s.code), [None, None, None])[0],
            target=wanted.get((day, s.code), [None, None, None])[1],
            maximum=wanted.get((day, s.code), [None, None, None])[2],
        )
        for day in grid.dates
        for s in shifts
    )
    rates = tuple(
        _hourly(emps[r.employee_code]) if r.employee_code in emps else Decimal(0) for r in grid.rows
    )
    total = overtime = 0.0
    cost = Decimal(0)
    rate_of = {r.employee_code: rate for r, rate in zip(grid.rows, rates, strict=True)}
    for (code, _week), hours in week_hours.items():
        over = max(0.0, hours - REGULAR_WEEK_HOURS)
        total += hours
        overtime += over
        rate = rate_of.get(code, Decimal(0))
        cost += rate * Decimal(str(hours - over)) + rate * OVERTIME_FACTOR * Decimal(str(over))
    return RosterView(
        run_id=run.id,
        site_code=run.site_code,
        status=run.status,
        date_from=run.date_from,
        date_to=run.date_to,
        objective=run.objective,
        dates=grid.dates,
        employees=tuple((r.employee_code, r.name) for r in grid.rows),
        cells=tuple(r.cells for r in grid.rows),
        shifts=tuple(shifts),
        coverage=coverage,
        weeks=tuple(
            PersonWeek(employee=c, week_start=w, hours=h)
            for (c, w), h in sorted(week_hours.items())
        ),
        hourly_rates=rates,
        penalties=tuple(dict(p) for p in run.penalty_report),
        projected_hours=total,
        projected_overtime_hours=overtime,
        projected_cost=cost.quantize(CENT, ROUND_HALF_UP),
    )


def view_stamp(session: Session, run_id: int) -> tuple[object, ...]:
    """What a cached view of the run depends on: its status and its newest audit entry (every
    change of a run -- an edit, a publish -- is audited)."""
    stamp = run_stamp(session, run_id)
    if stamp is None:
        raise NotFound(f"roster run {run_id} does not exist; see GET /api/v1/rosters")
    return stamp


class RosterViews:
    """Computed roster views, reused while their run is unchanged (reading a 1,000-person
    roster costs a hundred milliseconds of CPU; a cache hit costs one small query)."""

    def __init__(self, max_entries: int = 32) -> None:
        self._lock = threading.Lock()
        self._max = max_entries
        self._views: OrderedDict[int, tuple[tuple[object, ...], RosterView]] = OrderedDict()

    def get(
        self,
        session: Session,
        run_id: int,
        demand: Callable[[], tuple[object, DemandFile | None]],
    ) -> RosterView:
        """The view of ``run_id``; ``demand`` gives (its stamp, the demand file)."""
        demand_stamp, demand_file = demand()
        stamp = (*view_stamp(session, run_id), demand_stamp)
        with self._lock:
            hit = self._views.get(run_id)
            if hit is not None and hit[0] == stamp:
                self._views.move_to_end(run_id)
                return hit[1]
        view = roster_view(session, run_id, demand_file)
        with self._lock:
            self._views[run_id] = (stamp, view)
            self._views.move_to_end(run_id)
            while len(self._views) > self._max:
                self._views.popitem(last=False)
        return view


def edited_cells(session: Session, run_id: int) -> tuple[Pin, ...]:
    """The cells HR changed in a draft (the newest change of each), as pins for a re-solve."""
    last: dict[tuple[str, date], str] = {}
    for entry in audit_of(session, "roster_edit", "roster_run", str(run_id)):
        detail = entry.detail
        last[(str(detail["employee"]), date.fromisoformat(str(detail["day"])))] = str(detail["to"])
    return tuple(
        Pin(employee_id=emp, day=day, shift_id=shift or None)
        for (emp, day), shift in sorted(last.items())
    )
