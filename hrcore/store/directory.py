"""The directory: sites, org units, shift types, employees and the device-user mapping.

Every function runs inside the caller's transaction; the caller commits. Inputs are frozen
dataclasses (``SiteIn``, ``OrgUnitIn``, ``ShiftTypeIn``, ``EmployeeIn``); ``save_*`` functions
create a row or update the one with the same code, so applying the same configuration twice
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hrcore.attendance.model import HoursMode, InOutMode
from hrcore.errors import InvalidData, NotFound
from hrcore.models import (
    DeviceUserMapping,
    Employee,
    OrgUnit,
    PayBasis,
    Protection,
    ProtectionKind,
    ShiftType,
    Site,
    WorkingHoursSystem,
)


def check_timezone(name: str, what: str) -> ZoneInfo:
    """The zone named ``name``; :class:`InvalidData` naming ``what`` when it is not IANA."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidData(
            f"{what}: {name!r} is not an IANA timezone (e.g. 'Asia/Shanghai', 'Europe/Berlin')"
        ) from exc


@dataclass(frozen=True, slots=True)
class SiteIn:
    code: str
    name: str
    timezone: str  # IANA
    city: str | None = None
    policy: str = "cn"


def save_site(session: Session, site: SiteIn) -> Site:
    """Create the site, or update the one with the same code."""
    if not site.code.strip():
        raise InvalidData("site code must not be empty")
    check_timezone(site.timezone, f"site {site.code!r} timezone")
    row = session.scalar(select(Site).where(Site.code == site.code))
    if row is None:
        row = Site(code=site.code)
        session.add(row)
    row.name = site.name
    row.timezone = site.timezone
    row.city = site.city
    row.policy = site.policy
    session.flush()
    return row


def get_site(session: Session, code: str) -> Site:
    row = session.scalar(select(Site).where(Site.code == code))
    if row is None:
        raise NotFound(f"site {code!r} does not exist; add it to config/site.yaml and seed it")
    return row


def list_sites(session: Session) -> list[Site]:
    """Every site, by code."""
    return list(session.scalars(select(Site).order_by(Site.code)))


@dataclass(frozen=True, slots=True)
class OrgUnitIn:
    code: str
    name: str
    parent_code: str | None = None


def save_org_unit(session: Session, site: Site, unit: OrgUnitIn) -> OrgUnit:
    """Create or update an org unit of ``site``; its parent must exist already."""
    parent_id = None
    if unit.parent_code is not None:
        parent_id = _org_unit(session, unit.parent_code, f"parent of org unit {unit.code!r}").id
    row = session.scalar(select(OrgUnit).where(OrgUnit.code == unit.code))
    if row is None:
        row = OrgUnit(code=unit.code, site_id=site.id)
        session.add(row)
    elif row.site_id != site.id:
        raise InvalidData(f"org unit {unit.code!r} belongs to another site")
    row.name = unit.name
    row.parent_id = parent_id
    session.flush()
    return row


def _org_unit(session: Session, code: str, what: str) -> OrgUnit:
    row = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if row is None:
        raise NotFound(f"{what}: org unit {code!r} does not exist")
    return row


@dataclass(frozen=True, slots=True)
class ShiftTypeIn:
    """A shift pattern; ``end`` not after ``start`` means it ends the next day."""

    code: str
    start: time
    end: time
    name: str = ""
    break_minutes: int = 0
    required_skill: str | None = None
    in_out_mode: InOutMode = InOutMode.ALTERNATING  # device state or alternating punches
    hours_mode: HoursMode = HoursMode.FIRST_LAST  # first in to last out, or every pair


def save_shift_type(session: Session, site: Site, shift: ShiftTypeIn) -> ShiftType:
    if shift.break_minutes < 0:
        raise InvalidData(f"shift type {shift.code!r}: break_minutes must not be negative")
    for key, value, allowed in (
        ("in_out_mode", shift.in_out_mode, InOutMode),
        ("hours_mode", shift.hours_mode, HoursMode),
    ):
        if value not in {m.value for m in allowed}:
            choices = ", ".join(m.value for m in allowed)
            raise InvalidData(f"shift type {shift.code!r}: {key} {value!r} is not one of {choices}")
    row = session.scalar(
        select(ShiftType).where(ShiftType.site_id == site.id, ShiftType.code == shift.code)
    )
    if row is None:
        row = ShiftType(site_id=site.id, code=shift.code)
        session.add(row)
    row.name = shift.name
    row.start = shift.start
    row.end = shift.end
    row.break_minutes = shift.break_minutes
    row.required_skill = shift.required_skill
    row.in_out_mode = InOutMode(shift.in_out_mode).value
    row.hours_mode = HoursMode(shift.hours_mode).value
    session.flush()
    return row


# -- employees and device users ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProtectionPeriod:
    """Whole days `start`..`end` in which the person may not work nights, or overtime."""

    kind: ProtectionKind
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class RosterLimits:
    """A person's own rostering limits; None falls back to the site's policy. The flags
    hold on every day, `protections` on the days of their periods."""

    no_nights: bool = False
    no_overtime: bool = False
    max_consecutive_days: int | None = None
    min_rest_minutes: int | None = None
    daily_overtime_cap_minutes: int | None = None
    monthly_overtime_cap_minutes: int | None = None
    protections: tuple[ProtectionPeriod, ...] = ()

    def problems(self) -> list[str]:
        """What is out of range, in words (empty when the limits are usable)."""
        ranges = (
            ("max_consecutive_days", 1, None),
            ("min_rest_minutes", 0, 24 * 60),
            ("daily_overtime_cap_minutes", 0, 24 * 60),
            ("monthly_overtime_cap_minutes", 0, None),
        )
        found = []
        for name, low, high in ranges:
            value = getattr(self, name)
            if value is not None and (value < low or (high is not None and value > high)):
                allowed = f"at least {low}" if high is None else f"{low}..{high}"
                found.append(f"{name} must be {allowed}, got {value}")
        for p in self.protections:
            if p.end < p.start:
                found.append(f"{p.kind} protection ends on {p.end}, before it starts ({p.start})")
        return found


@dataclass(frozen=True, slots=True)
class EmployeeIn:
    code: str
    name: str
    hire_date: date
    org_unit_code: str | None = None
    job_title: str | None = None
    skills: tuple[str, ...] = ()
    exit_date: date | None = None
    working_hours_system: WorkingHoursSystem = WorkingHoursSystem.STANDARD
    pay_basis: PayBasis = PayBasis.MONTHLY
    base_pay: Decimal = Decimal("0.00")
    social_insurance_city: str | None = None
    default_shift_code: str | None = None
    limits: RosterLimits = field(default_factory=RosterLimits)


def save_employee(session: Session, site: Site, employee: EmployeeIn) -> Employee:
    """Create the employee, or update the one with the same code (on the same site)."""
    what = f"employee {employee.code!r}"
    if not employee.code.strip():
        raise InvalidData("employee code must not be empty")
    if not isinstance(employee.base_pay, Decimal):
        raise InvalidData(f"{what}: base_pay must be a Decimal, got {type(employee.base_pay)}")
    if employee.base_pay < 0:
        raise InvalidData(f"{what}: base_pay must not be negative")
    if employee.exit_date is not None and employee.exit_date < employee.hire_date:
        raise InvalidData(f"{what}: exit_date is before hire_date")
    if problems := employee.limits.problems():
        raise InvalidData(f"{what}: " + "; ".join(problems))
    org_unit_id = None
    if employee.org_unit_code is not None:
        org_unit_id = _org_unit(session, employee.org_unit_code, what).id
    shift_id = None
    if employee.default_shift_code is not None:
        shift = session.scalar(
            select(ShiftType).where(
                ShiftType.site_id == site.id, ShiftType.code == employee.default_shift_code
            )
        )
        if shift is None:
            raise NotFound(f"{what}: shift type {employee.default_shift_code!r} does not exist")
        shift_id = shift.id
    row = session.scalar(select(Employee).where(Employee.code == employee.code))
    if row is None:
        row = Employee(code=employee.code, site_id=site.id)
        session.add(row)
    elif row.site_id != site.id:
        raise InvalidData(f"{what} already belongs to another site")
    row.name = employee.name
    row.org_unit_id = org_unit_id
    row.job_title = employee.job_title
    row.skills = list(employee.skills)
    row.hire_date = employee.hire_date
    row.exit_date = employee.exit_date
    row.working_hours_system = employee.working_hours_system
    row.pay_basis = employee.pay_basis
    row.base_pay = employee.base_pay.quantize(Decimal("0.01"))
    row.social_insurance_city = employee.social_insurance_city
    row.default_shift_type_id = shift_id
    limits = employee.limits
    row.no_nights = limits.no_nights
    row.no_overtime = limits.no_overtime
    row.max_consecutive_days = limits.max_consecutive_days
    row.min_rest_minutes = limits.min_rest_minutes
    row.daily_overtime_cap_minutes = limits.daily_overtime_cap_minutes
    row.monthly_overtime_cap_minutes = limits.monthly_overtime_cap_minutes
    session.flush()
    session.execute(delete(Protection).where(Protection.employee_id == row.id))
    session.add_all(
        Protection(employee_id=row.id, kind=p.kind, start_date=p.start, end_date=p.end)
        for p in limits.protections
    )
    session.flush()
    return row


def get_employee(session: Session, code: str) -> Employee:
    row = session.scalar(select(Employee).where(Employee.code == code))
    if row is None:
        raise NotFound(f"employee {code!r} does not exist")
    return row


@dataclass(frozen=True, slots=True)
class EmployeeAtSite:
    employee: Employee
    site_code: str


def employee_page(
    session: Session,
    *,
    site: Site | None = None,
    text: str | None = None,
    limit: int,
    offset: int = 0,
) -> tuple[tuple[EmployeeAtSite, ...], int]:
    """Employees by code, a page at a time (of one site; whose code or name contains ``text``),
    and how many match over every page."""
    query = select(Employee, Site.code).join(Site, Site.id == Employee.site_id)
    if site is not None:
        query = query.where(Employee.site_id == site.id)
    if text:
        like = f"%{text}%"
        query = query.where(Employee.code.ilike(like) | Employee.name.ilike(like))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(Employee.code).offset(offset).limit(limit))
    return tuple(EmployeeAtSite(e, code) for e, code in rows), total


def site_code_of(session: Session, employee: Employee) -> str:
    """The code of the employee's site."""
    code = session.scalar(select(Site.code).where(Site.id == employee.site_id))
    assert code is not None  # foreign key
    return code


def list_employees(session: Session, site: Site) -> list[Employee]:
    return list(
        session.scalars(select(Employee).where(Employee.site_id == site.id).order_by(Employee.code))
    )


def map_device_user(
    session: Session, site: Site, device_user: str, employee_code: str
) -> DeviceUserMapping:
    """Say that ``device_user`` (the PIN on the site's clocks) is ``employee_code``.

    Remapping a device user to another employee updates the mapping; punches already stored
    keep the employee they were stored with.
    """
    device_user = device_user.strip()
    if not device_user:
        raise InvalidData(f"device user id for employee {employee_code!r} must not be empty")
    employee = get_employee(session, employee_code)
    if employee.site_id != site.id:
        raise InvalidData(f"employee {employee_code!r} does not work at site {site.code!r}")
    row = session.scalar(
        select(DeviceUserMapping).where(
            DeviceUserMapping.site_id == site.id, DeviceUserMapping.device_user == device_user
        )
    )
    if row is None:
        row = DeviceUserMapping(site_id=site.id, device_user=device_user)
        session.add(row)
    row.employee_id = employee.id
    session.flush()
    return row


def device_user_map(session: Session, site: Site) -> dict[str, str]:
    """Device user id -> employee code for one site."""
    rows = session.execute(
        select(DeviceUserMapping.device_user, Employee.code)
        .join(Employee, Employee.id == DeviceUserMapping.employee_id)
        .where(DeviceUserMapping.site_id == site.id)
    )
    return {user: code for user, code in rows}


@dataclass(frozen=True, slots=True)
class MappedDeviceUser:
    """A device user id of a site with the employee it is mapped to."""

    device_user: str
    name: str
    hire_date: date
    exit_date: date | None


def mapped_device_users(session: Session, site: Site) -> tuple[MappedDeviceUser, ...]:
    """Every device user mapped at ``site``, with the employee's name and dates."""
    rows = session.execute(
        select(DeviceUserMapping.device_user, Employee.name, Employee.hire_date, Employee.exit_date)
        .join(Employee, Employee.id == DeviceUserMapping.employee_id)
        .where(DeviceUserMapping.site_id == site.id)
    )
    return tuple(MappedDeviceUser(user, name, hired, left) for user, name, hired, left in rows)
