"""Session code of the HR store: writes that must be idempotent or all-or-nothing live here.

Every function runs inside the caller's transaction; the caller commits. Inputs are frozen
dataclasses (``SiteIn``, ``EmployeeIn``, ``DeviceIn``, ``PunchIn`` ...); ``save_*`` functions
create a row or update the one with the same code / serial number, so applying the same
configuration twice changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Insert, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hrcore.attendance.model import HoursMode, InOutMode
from hrcore.errors import InvalidData, NotFound
from hrcore.models import (
    AuditEntry,
    Device,
    DeviceUserMapping,
    Employee,
    OrgUnit,
    PayBasis,
    Protection,
    ProtectionKind,
    PunchRecord,
    PunchStateCode,
    ShiftType,
    Site,
    WorkingHoursSystem,
)
from hrcore.secrets import decrypt_secret, encrypt_secret


@dataclass(frozen=True, slots=True)
class PunchIn:
    """A punch as the store takes it (the gateway maps driver punches to this)."""

    id: uuid.UUID
    device_sn: str
    device_user: str
    local_time: datetime  # aware, the device's wall clock with its UTC offset
    timezone: str  # IANA zone of the device
    received_at: datetime  # aware
    state: PunchStateCode = PunchStateCode.UNDEFINED
    verify_mode: str = "unknown"
    source: str = ""
    raw: str = ""
    clock_offset_s: float | None = None
    clock_suspect: bool = False
    device_id: int | None = None
    site_id: int | None = None  # used to map device_user -> employee

    def __post_init__(self) -> None:
        for name in ("local_time", "received_at"):
            value: datetime = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() is None:
                raise InvalidData(
                    f"punch {self.id} from device {self.device_sn!r}: {name} is a naive "
                    "datetime; attach the device's timezone"
                )

    def as_row(self, employee_id: int | None, stored_at: datetime) -> dict[str, object]:
        return {
            "id": self.id,
            "device_sn": self.device_sn,
            "device_user": self.device_user,
            "device_id": self.device_id,
            "employee_id": employee_id,
            "local_time": self.local_time.isoformat(timespec="seconds"),
            "at": self.local_time,
            "timezone": self.timezone,
            "received_at": self.received_at,
            "stored_at": stored_at,
            "state": self.state,
            "verify_mode": self.verify_mode,
            "source": self.source,
            "raw": self.raw,
            "clock_offset_s": self.clock_offset_s,
            "clock_suspect": self.clock_suspect,
        }


def _insert_ignoring_duplicates(session: Session) -> Insert:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(PunchRecord).on_conflict_do_nothing(index_elements=["id"])
    if dialect == "sqlite":
        return sqlite.insert(PunchRecord).on_conflict_do_nothing(index_elements=["id"])
    raise NotImplementedError(
        f"database dialect {dialect!r} is not supported; use SQLite or PostgreSQL"
    )


def _employee_lookup(session: Session, punches: Sequence[PunchIn]) -> dict[tuple[int, str], int]:
    sites = {p.site_id for p in punches if p.site_id is not None}
    if not sites:
        return {}
    rows = session.execute(
        select(
            DeviceUserMapping.site_id, DeviceUserMapping.device_user, DeviceUserMapping.employee_id
        ).where(DeviceUserMapping.site_id.in_(sites))
    )
    return {(site, user): emp for site, user, emp in rows}


def utc_now() -> datetime:
    """The default clock of store writes: the current instant, in UTC."""
    return datetime.now(UTC)


def insert_punches(
    session: Session, punches: Iterable[PunchIn], *, clock: Callable[[], datetime] = utc_now
) -> int:
    """Insert punches, skipping any whose deterministic id is already stored.

    New rows get ``stored_at = clock()``: the moment they reached the store, which can be long
    after ``received_at`` (the gateway held them in its outbox), and which incremental
    recomputation compares with a day's ``computed_at``.

    Returns how many were new. Runs inside the caller's transaction: the caller commits.
    """
    batch = list({p.id: p for p in punches}.values())
    if not batch:
        return 0
    stored_at = clock()
    if stored_at.tzinfo is None or stored_at.utcoffset() is None:
        raise InvalidData("insert_punches: clock() returned a naive datetime; return aware UTC")
    employees = _employee_lookup(session, batch)
    rows = [
        p.as_row(
            employees.get((p.site_id, p.device_user)) if p.site_id is not None else None,
            stored_at,
        )
        for p in batch
    ]
    stmt = _insert_ignoring_duplicates(session).returning(PunchRecord.__table__.c.id)
    connection = session.connection()
    inserted = 0
    for start in range(0, len(rows), 500):
        inserted += len(connection.execute(stmt, rows[start : start + 500]).all())
    return inserted


@dataclass(frozen=True, slots=True)
class PunchView:
    """A stored punch as readers see it, with the employee code when the device user is mapped."""

    id: uuid.UUID
    device_sn: str
    device_user: str
    employee_code: str | None
    at: datetime  # UTC
    local_time: str  # as the device showed it, ISO-8601 with offset
    timezone: str
    state: PunchStateCode
    verify_mode: str
    source: str


def find_punches(
    session: Session,
    *,
    site: Site | None = None,
    device_sn: str | None = None,
    employee_code: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 100,
) -> list[PunchView]:
    """Punches in ``[start, end)`` (aware instants) ordered by time, at most ``limit``.

    ``site`` matches punches of the site's employees or from the site's devices.
    """
    for name, value in (("start", start), ("end", end)):
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise InvalidData(f"{name} must be an aware datetime")
    if limit < 1:
        raise InvalidData("limit must be at least 1")
    stmt = (
        select(PunchRecord, Employee.code)
        .outerjoin(Employee, Employee.id == PunchRecord.employee_id)
        .outerjoin(Device, Device.id == PunchRecord.device_id)
        .order_by(PunchRecord.at, PunchRecord.device_sn, PunchRecord.device_user)
        .limit(limit)
    )
    if site is not None:
        stmt = stmt.where((Employee.site_id == site.id) | (Device.site_id == site.id))
    if device_sn is not None:
        stmt = stmt.where(PunchRecord.device_sn == device_sn)
    if employee_code is not None:
        stmt = stmt.where(Employee.code == employee_code)
    if start is not None:
        stmt = stmt.where(PunchRecord.at >= start)
    if end is not None:
        stmt = stmt.where(PunchRecord.at < end)
    return [
        PunchView(
            id=row.id,
            device_sn=row.device_sn,
            device_user=row.device_user,
            employee_code=code,
            at=row.at,
            local_time=row.local_time,
            timezone=row.timezone,
            state=row.state,
            verify_mode=row.verify_mode,
            source=row.source,
        )
        for row, code in session.execute(stmt)
    ]


# -- sites, org units, shift types -------------------------------------------------------------


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


# -- devices -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeviceIn:
    """A time clock. ``connection`` holds its non-secret driver settings; ``secret`` (comm key,
    password) is stored encrypted and never in ``connection``."""

    serial_number: str
    driver: str
    timezone: str
    name: str = ""
    brand: str = ""
    connection: Mapping[str, Any] = field(default_factory=dict)
    secret: str | None = None
    enabled: bool = True


def save_device(
    session: Session, site: Site, device: DeviceIn, *, secret_key: str | None
) -> Device:
    """Create or update the device with this serial number.

    A secret is encrypted with ``secret_key`` (Fernet); without a key, storing a secret is
    refused with :class:`hrcore.secrets.SecretKeyError`. ``secret=None`` keeps a stored secret.
    """
    what = f"device {device.serial_number!r}"
    if not device.serial_number.strip():
        raise InvalidData("device serial number must not be empty")
    check_timezone(device.timezone, f"{what} timezone")
    ciphertext = None
    if device.secret is not None:
        ciphertext = encrypt_secret(device.secret, secret_key)
    row = session.scalar(select(Device).where(Device.serial_number == device.serial_number))
    if row is None:
        row = Device(serial_number=device.serial_number, site_id=site.id)
        session.add(row)
    row.site_id = site.id
    row.name = device.name
    row.brand = device.brand
    row.driver = device.driver
    row.timezone = device.timezone
    row.connection = dict(device.connection)
    row.enabled = device.enabled
    if ciphertext is not None:
        row.secret_ciphertext = ciphertext
    session.flush()
    return row


def get_device(session: Session, serial_number: str) -> Device:
    row = session.scalar(select(Device).where(Device.serial_number == serial_number))
    if row is None:
        raise NotFound(f"device {serial_number!r} is not registered; add it to config/devices.yaml")
    return row


def device_secret(device: Device, secret_key: str | None) -> str | None:
    """The device's decrypted secret, or ``None`` when it has none."""
    if device.secret_ciphertext is None:
        return None
    return decrypt_secret(device.secret_ciphertext, secret_key)


# -- audit log ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditIn:
    at: datetime  # aware
    actor: str
    action: str
    entity: str
    entity_id: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)


def record_audit(session: Session, entry: AuditIn) -> AuditEntry:
    """Append one entry to the audit log (which refuses updates and deletes)."""
    row = AuditEntry(
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        entity=entry.entity,
        entity_id=entry.entity_id,
        detail=dict(entry.detail),
    )
    session.add(row)
    session.flush()
    return row
