"""Session code of the HR store: writes that must be idempotent or all-or-nothing live here."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hrcore.models import DeviceUserMapping, PunchRecord, PunchStateCode


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

    def as_row(self, employee_id: int | None) -> dict[str, object]:
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
    raise NotImplementedError(f"database dialect {dialect!r} is not supported; use SQLite or PostgreSQL")


def _employee_lookup(session: Session, punches: Sequence[PunchIn]) -> dict[tuple[int, str], int]:
    sites = {p.site_id for p in punches if p.site_id is not None}
    if not sites:
        return {}
    rows = session.execute(
        select(DeviceUserMapping.site_id, DeviceUserMapping.device_user, DeviceUserMapping.employee_id)
        .where(DeviceUserMapping.site_id.in_(sites))
    )
    return {(site, user): emp for site, user, emp in rows}


def insert_punches(session: Session, punches: Iterable[PunchIn]) -> int:
    """Insert punches, skipping any whose deterministic id is already stored.

    Returns how many were new. Runs inside the caller's transaction: the caller commits.
    """
    batch = list({p.id: p for p in punches}.values())
    if not batch:
        return 0
    employees = _employee_lookup(session, batch)
    rows = [
        p.as_row(employees.get((p.site_id, p.device_user)) if p.site_id is not None else None)
        for p in batch
    ]
    stmt = _insert_ignoring_duplicates(session).returning(PunchRecord.__table__.c.id)
    connection = session.connection()
    inserted = 0
    for start in range(0, len(rows), 500):
        inserted += len(connection.execute(stmt, rows[start : start + 500]).all())
    return inserted
