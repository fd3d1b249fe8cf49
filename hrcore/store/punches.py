"""Punches in the store: the idempotent insert and the reads.

``insert_punches`` maps each punch's device user to an employee through the site's
device-user mapping and skips any punch whose deterministic id is already stored. Every
function runs inside the caller's transaction; the caller commits.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Insert, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hrcore.errors import InvalidData
from hrcore.models import Device, DeviceUserMapping, Employee, PunchRecord, PunchStateCode, Site


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
    # None: the store resolves them from the serial's registered device (see insert_punches)
    device_id: int | None = None
    site_id: int | None = None  # whose device-user mapping gives the employee

    def __post_init__(self) -> None:
        for name in ("local_time", "received_at"):
            value: datetime = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() is None:
                raise InvalidData(
                    f"punch {self.id} from device {self.device_sn!r}: {name} is a naive "
                    "datetime; attach the device's timezone"
                )

    def as_row(
        self, device_id: int | None, employee_id: int | None, stored_at: datetime
    ) -> dict[str, object]:
        return {
            "id": self.id,
            "device_sn": self.device_sn,
            "device_user": self.device_user,
            "device_id": device_id,
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


def _resolve(session: Session, batch: Sequence[PunchIn]) -> list[tuple[int | None, int | None]]:
    """(device id, employee id) of each punch: the one place a punch gets its employee.

    A punch without ``device_id`` or ``site_id`` takes them from the device registered under
    its serial (none: an unregistered clock, the punch is kept without either); the site's
    device-user mapping then gives the employee (none: held until mapped, then adopted).
    """
    serials = {p.device_sn for p in batch if p.device_id is None or p.site_id is None}
    registered: dict[str, tuple[int, int]] = {}
    if serials:
        registered = {
            sn: (device, site)
            for sn, device, site in session.execute(
                select(Device.serial_number, Device.id, Device.site_id).where(
                    Device.serial_number.in_(serials)
                )
            )
        }
    placed: list[tuple[int | None, int | None]] = []
    for p in batch:
        device, site = registered.get(p.device_sn, (None, None))
        placed.append(
            (
                p.device_id if p.device_id is not None else device,
                p.site_id if p.site_id is not None else site,
            )
        )
    sites = {site for _, site in placed if site is not None}
    employees: dict[tuple[int, str], int] = {}
    if sites:
        employees = {
            (site, user): emp
            for site, user, emp in session.execute(
                select(
                    DeviceUserMapping.site_id,
                    DeviceUserMapping.device_user,
                    DeviceUserMapping.employee_id,
                ).where(DeviceUserMapping.site_id.in_(sites))
            )
        }
    return [
        (device, employees.get((site, p.device_user)) if site is not None else None)
        for p, (device, site) in zip(batch, placed, strict=True)
    ]


def utc_now() -> datetime:
    """The default clock of store writes: the current instant, in UTC."""
    return datetime.now(UTC)


def insert_punches(
    session: Session, punches: Iterable[PunchIn], *, clock: Callable[[], datetime] = utc_now
) -> int:
    """Insert punches, skipping any whose deterministic id is already stored.

    Each punch's device, site and employee are resolved here, once (see ``_resolve``): callers
    pass what the clock said and, when they know better, the device or site.

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
    rows = [
        p.as_row(device, employee, stored_at)
        for p, (device, employee) in zip(batch, _resolve(session, batch), strict=True)
    ]
    connection = session.connection()
    inserted = 0
    if connection.dialect.name == "postgresql":
        for start in range(0, len(rows), _PG_CHUNK):
            payload = json.dumps(rows[start : start + _PG_CHUNK], default=_json_value)
            inserted += len(connection.execute(_PG_JSON_INSERT, {"rows": payload}).all())
        return inserted
    stmt = _insert_ignoring_duplicates(session).returning(PunchRecord.__table__.c.id)
    for start in range(0, len(rows), 500):
        inserted += len(connection.execute(stmt, rows[start : start + 500]).all())
    return inserted


_PG_CHUNK = 5000
# One short statement whose one parameter is the batch as JSON: PostgreSQL's driver parses it
# once and sends one text value, where a multi-row VALUES insert costs a parse of every
# placeholder on every batch, and one array per column a Python-level dump of every value.
_PG_JSON_INSERT = text(
    "INSERT INTO punches SELECT * FROM json_populate_recordset(NULL::punches, CAST(:rows AS json))"
    " ON CONFLICT (id) DO NOTHING RETURNING id"
)


def _json_value(value: object) -> object:
    """What ``json`` cannot write itself: ids as text, instants as ISO-8601 in UTC."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    raise TypeError(f"cannot write {type(value).__name__} into a punch row")


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


def punch_span(session: Session, site: Site) -> tuple[datetime, datetime] | None:
    """The first and the last instant punched by the site's employees (None: no punches)."""
    lo, hi = session.execute(
        select(func.min(PunchRecord.at), func.max(PunchRecord.at))
        .join(Employee, Employee.id == PunchRecord.employee_id)
        .where(Employee.site_id == site.id)
    ).one()
    if lo is None or hi is None:
        return None
    return lo, hi


@dataclass(frozen=True, slots=True)
class PunchActivity:
    since_count: int  # punches stored at or after the instant asked about
    latest: datetime | None  # the newest punch of all (UTC); None: no punches yet


def punch_activity(session: Session, since: datetime) -> PunchActivity:
    """How many punches arrived since ``since`` (aware), and when the newest one was."""
    count = session.scalar(
        select(func.count()).select_from(PunchRecord).where(PunchRecord.at >= since)
    )
    latest = session.scalar(select(func.max(PunchRecord.at)))
    return PunchActivity(since_count=count or 0, latest=latest)


@dataclass(frozen=True, slots=True)
class DayPunch:
    at: datetime  # UTC
    state: PunchStateCode
    source: str
    device_sn: str


def punches_around_day(
    session: Session, employee_code: str, day: date, zone: ZoneInfo
) -> list[DayPunch]:
    """The employee's punches that can belong to ``day``: from 6 h before its midnight in
    ``zone`` to 36 h after (a night shift ends the next morning), oldest first."""
    midnight = datetime.combine(day, time(0), zone)
    rows = session.execute(
        select(PunchRecord.at, PunchRecord.state, PunchRecord.source, PunchRecord.device_sn)
        .join(Employee, Employee.id == PunchRecord.employee_id)
        .where(
            Employee.code == employee_code,
            PunchRecord.at >= midnight - timedelta(hours=6),
            PunchRecord.at < midnight + timedelta(hours=36),
        )
        .order_by(PunchRecord.at)
    )
    return [DayPunch(at, state, source, sn) for at, state, source, sn in rows]
