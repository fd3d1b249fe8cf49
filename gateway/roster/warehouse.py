"""A seeded e-commerce warehouse site for the roster benchmark and the demo.

`warehouse_site(seed, employees, weeks)` builds, deterministically from `seed`:
- three 8-hour shifts: D 06:00-14:00, E 14:00-22:00, N 22:00-06:00 (night);
- staff with mixed skills: pickers, packers (many cross-trained both ways), forklift
  drivers (half also pick) and leads (who also pick and pack), enough drivers and leads
  for the demand; about one in ten on the
  comprehensive working-hours system; a few joining in week 2 and leaving in the last week;
- demand per shift and skill sized for the staff count (about 93 % of the regular
  five-days-a-week capacity on normal weeks), weekends about 15 % busier, and a
  promotion peak ("11.11", x1.2 by default) on the days from two days before to one day
  after 11 November (within that week), when the horizon contains them;
- leave: annual leave blocks of 3-5 days outside the peak, 1-2 day sick calls.

`seed_store` writes it to the HR store; `demand_yaml` renders the demand as a
`config/demand.yaml` file. Nothing here touches the solver.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.roster.demand import Counts, DemandFile, Peak, Weekday
from hrcore.models import Leave, LeaveKind, WorkingHoursSystem
from hrcore.store import EmployeeIn, ShiftTypeIn, SiteIn, save_employee, save_shift_type, save_site

DEFAULT_START = date(2026, 10, 26)  # a Monday; four weeks reach 22 Nov, past 11.11
REFERENCE_STAFF = 200

#: (shift, skill) -> target head count on a normal weekday for 200 staff
WEEKDAY_TARGETS: dict[str, dict[str, int]] = {
    "D": {"picker": 24, "packer": 17, "forklift": 4, "lead": 2},
    "E": {"picker": 24, "packer": 17, "forklift": 4, "lead": 2},
    "N": {"picker": 17, "packer": 12, "forklift": 3, "lead": 1},
}
WEEKEND_FACTOR = 1.15
PEAK_FACTOR = 1.2


@dataclass(frozen=True, slots=True)
class LeaveIn:
    employee_code: str
    kind: LeaveKind
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class WarehouseSite:
    site: SiteIn
    shifts: tuple[ShiftTypeIn, ...]
    employees: tuple[EmployeeIn, ...]
    leaves: tuple[LeaveIn, ...]
    demand: DemandFile
    date_from: date
    date_to: date


def _counts(target: int) -> Counts:
    return Counts(min=math.floor(target * 0.8), target=target, max=math.ceil(target * 1.3))


def _scaled(n: int, staff: int, factor: float = 1.0) -> int:
    return max(1, round(n * factor * staff / REFERENCE_STAFF))


def warehouse_demand(
    staff: int, start: date, days: int, peak_factor: float = PEAK_FACTOR
) -> DemandFile:
    base = {
        s: {k: _counts(_scaled(t, staff)) for k, t in skills.items()}
        for s, skills in WEEKDAY_TARGETS.items()
    }
    weekend = {
        s: {k: _counts(_scaled(t, staff, WEEKEND_FACTOR)) for k, t in skills.items()}
        for s, skills in WEEKDAY_TARGETS.items()
    }
    end = start + timedelta(days=days - 1)
    peaks = []
    for year in range(start.year, end.year + 1):
        day = date(year, 11, 11)
        monday = day - timedelta(days=day.weekday())
        p_from, p_to = max(monday, day - timedelta(days=2)), day + timedelta(days=1)
        if p_from <= end and p_to >= start:
            peaks.append(
                Peak.model_validate(
                    {"name": f"11.11 {year}", "from": p_from, "to": p_to, "factor": peak_factor}
                )
            )
    return DemandFile(
        under_weight=1000,
        over_weight=1,
        base=base,
        weekdays={Weekday.SAT: weekend, Weekday.SUN: weekend},
        peaks=peaks,
    )


def _roles(rng: random.Random, staff: int, demand: DemandFile, start: date) -> list[str]:
    """One primary role per person: enough forklift drivers and leads for a normal week's
    demand at 4.5 shifts each (at least 12 % and 8 % of staff), the rest pickers and
    packers 45:35, in random order."""
    week = demand.lines(start, 7)

    def need(skill: str, share: float) -> int:
        shifts = sum(ln.target for ln in week if ln.skill == skill)
        return max(round(staff * share), math.ceil(shifts / 4.5))

    lead, fork = need("lead", 0.08), need("forklift", 0.12)
    rest = max(0, staff - lead - fork)
    pickers = round(rest * 45 / 80)
    roles = ["lead"] * lead + ["forklift"] * fork + ["picker"] * pickers
    roles += ["packer"] * (rest - pickers)
    roles = roles[:staff]
    rng.shuffle(roles)
    return roles


def _skills(rng: random.Random, role: str) -> tuple[tuple[str, ...], str]:
    if role == "picker":
        return (("picker", "packer") if rng.random() < 0.4 else ("picker",)), "picker"
    if role == "packer":
        return (("packer", "picker") if rng.random() < 0.4 else ("packer",)), "packer"
    if role == "forklift":
        return (("forklift", "picker") if rng.random() < 0.5 else ("forklift",)), "forklift"
    return ("lead", "picker", "packer"), "team lead"


def warehouse_site(
    seed: int = 0,
    employees: int = REFERENCE_STAFF,
    weeks: int = 4,
    start: date = DEFAULT_START,
    code: str = "WH-SH1",
    peak_factor: float = PEAK_FACTOR,
) -> WarehouseSite:
    """The whole site, deterministic in `seed`."""
    rng = random.Random(seed)
    days = weeks * 7
    end = start + timedelta(days=days - 1)
    shifts = (
        ShiftTypeIn("D", time(6), time(14), name="early"),
        ShiftTypeIn("E", time(14), time(22), name="late"),
        ShiftTypeIn("N", time(22), time(6), name="night"),
    )
    demand = warehouse_demand(employees, start, days, peak_factor)
    roles = _roles(rng, employees, demand, start)
    joiners = max(1, employees // 60)
    leavers = max(1, employees // 80)
    staff = []
    for i in range(employees):
        skills, title = _skills(rng, roles[i])
        hire = date(2024, 3, 1) + timedelta(days=rng.randrange(500))
        exit_date = None
        if i < joiners and weeks >= 2:
            hire = start + timedelta(days=7 + rng.randrange(3))
        elif joiners <= i < joiners + leavers and weeks >= 2:
            exit_date = end - timedelta(days=rng.randrange(2, 6))
        system = (
            WorkingHoursSystem.COMPREHENSIVE if rng.random() < 0.1 else WorkingHoursSystem.STANDARD
        )
        staff.append(
            EmployeeIn(
                code=f"{code}-{i + 1:03d}",
                name=f"Worker {i + 1:03d}",
                hire_date=hire,
                job_title=title,
                skills=skills,
                exit_date=exit_date,
                working_hours_system=system,
                base_pay=Decimal("6200.00"),
            )
        )
    peak_days = {
        start + timedelta(days=d)
        for d in range(days)
        if demand.factor_on(start + timedelta(days=d)) > 1
    }
    leaves = []
    for e in staff:
        r = rng.random()
        if r < 0.10:  # annual leave, never over the peak
            length = rng.randint(3, 5)
            for _try in range(10):
                first = start + timedelta(days=rng.randrange(days - length + 1))
                span = {first + timedelta(days=k) for k in range(length)}
                if not span & peak_days:
                    leaves.append(
                        LeaveIn(e.code, LeaveKind.ANNUAL, first, first + timedelta(days=length - 1))
                    )
                    break
        elif r < 0.20:
            length = rng.randint(1, 2)
            first = start + timedelta(days=rng.randrange(days - length + 1))
            leaves.append(
                LeaveIn(e.code, LeaveKind.SICK, first, first + timedelta(days=length - 1))
            )
    return WarehouseSite(
        site=SiteIn(
            code, "Shanghai e-commerce fulfilment centre", "Asia/Shanghai", city="Shanghai"
        ),
        shifts=shifts,
        employees=tuple(staff),
        leaves=tuple(leaves),
        demand=demand,
        date_from=start,
        date_to=end,
    )


def seed_store(session: Session, data: WarehouseSite) -> None:
    """Write (or update) the site, its shift types, staff and leave; caller commits.

    Leave rows are added only for employees that have none yet, so seeding twice
    does not double them."""
    site = save_site(session, data.site)
    for shift in data.shifts:
        save_shift_type(session, site, shift)
    ids = {}
    for e in data.employees:
        ids[e.code] = save_employee(session, site, e).id
    has_leave = set(
        session.scalars(select(Leave.employee_id).where(Leave.employee_id.in_(ids.values())))
    )
    for lv in data.leaves:
        if ids[lv.employee_code] not in has_leave:
            session.add(
                Leave(
                    employee_id=ids[lv.employee_code],
                    kind=lv.kind,
                    start_date=lv.start,
                    end_date=lv.end,
                    approved=True,
                )
            )
    session.flush()


def demand_yaml(demand: DemandFile) -> str:
    """The demand as a `config/demand.yaml` text (round-trips through `parse_demand`)."""
    data = demand.model_dump(mode="json", by_alias=True, exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=100)
