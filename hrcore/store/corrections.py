"""Correction requests: a missed or wrong punch asked for, approved or rejected.

Approval adds one corrected punch (source ``correction``); the raw punches are never changed
or deleted. The request and the decision each get an audit entry.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hrcore.errors import InvalidData, NotFound
from hrcore.models import (
    CorrectionRequest,
    CorrectionStatus,
    Employee,
    PunchRecord,
    PunchStateCode,
    Site,
)
from hrcore.store.audit import AuditIn, record_audit

#: the serial and source a corrected punch carries, so nobody mistakes it for a device's
CORRECTION_SERIAL = "CORRECTION"
CORRECTION_SOURCE = "correction"
#: ids of corrected punches: uuid5 over the request id in this namespace
CORRECTION_NAMESPACE = uuid.UUID("5b3f6a52-52c1-4f0e-9d0e-6f2b3c9a1d24")
#: how far from its shift date a requested time may lie (a night shift ends the next day)
MAX_DAY_DISTANCE = timedelta(hours=36)
MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class CorrectionIn:
    employee_code: str
    day: date
    at: datetime  # aware
    state: PunchStateCode
    reason: str
    requested_by: str


@dataclass(frozen=True, slots=True)
class CorrectionView:
    id: int
    employee_code: str
    employee_name: str
    site_code: str
    day: date
    at: datetime
    local_time: str
    state: PunchStateCode
    reason: str
    status: CorrectionStatus
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    punch_id: uuid.UUID | None


def _view(row: CorrectionRequest, emp: Employee, site: Site) -> CorrectionView:
    return CorrectionView(
        id=row.id,
        employee_code=emp.code,
        employee_name=emp.name,
        site_code=site.code,
        day=row.day,
        at=row.at,
        local_time=row.at.astimezone(ZoneInfo(site.timezone)).isoformat(),
        state=row.state,
        reason=row.reason,
        status=row.status,
        requested_by=row.requested_by,
        requested_at=row.requested_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
        punch_id=row.punch_id,
    )


def _employee_and_site(session: Session, employee_id: int) -> tuple[Employee, Site]:
    emp = session.get(Employee, employee_id)
    assert emp is not None  # foreign key
    site = session.get(Site, emp.site_id)
    assert site is not None  # foreign key
    return emp, site


def request_correction(session: Session, req: CorrectionIn, *, now: datetime) -> CorrectionView:
    """Store a pending request (audited); bad input raises before anything is written."""
    emp = session.scalar(select(Employee).where(Employee.code == req.employee_code))
    if emp is None:
        raise NotFound(f"no employee with code {req.employee_code!r}")
    if req.at.tzinfo is None or req.at.utcoffset() is None:
        raise InvalidData("the time asked for must carry its UTC offset, e.g. 09:00+08:00")
    reason = req.reason.strip()
    if not reason:
        raise InvalidData("say why the punch is missing or wrong (reason)")
    if len(reason) > MAX_REASON:
        raise InvalidData(f"the reason is over {MAX_REASON} characters; shorten it")
    site = session.get(Site, emp.site_id)
    assert site is not None  # foreign key
    local = req.at.astimezone(ZoneInfo(site.timezone))
    midday = datetime.combine(req.day, datetime.min.time(), ZoneInfo(site.timezone)) + timedelta(
        hours=12
    )
    if abs(local - midday) > MAX_DAY_DISTANCE:
        raise InvalidData(
            f"{local.isoformat()} is too far from the shift date {req.day}; "
            "ask for a time on that day (or the next morning, for a night shift)"
        )
    row = CorrectionRequest(
        employee_id=emp.id,
        day=req.day,
        at=req.at,
        state=req.state,
        reason=reason,
        status=CorrectionStatus.PENDING,
        requested_by=req.requested_by,
        requested_at=now,
    )
    session.add(row)
    session.flush()
    record_audit(
        session,
        AuditIn(
            at=now,
            actor=req.requested_by,
            action="correction_request",
            entity="correction_request",
            entity_id=str(row.id),
            detail={
                "employee": emp.code,
                "day": req.day.isoformat(),
                "at": local.isoformat(),
                "state": req.state.value,
                "reason": reason,
            },
        ),
    )
    return _view(row, emp, site)


def decide_correction(
    session: Session,
    request_id: int,
    *,
    approve: bool,
    decided_by: str,
    note: str | None,
    now: datetime,
) -> CorrectionView:
    """Approve (adding the corrected punch) or reject a pending request; audited."""
    row = session.get(CorrectionRequest, request_id)
    if row is None:
        raise NotFound(f"correction request {request_id} does not exist")
    if row.status != CorrectionStatus.PENDING:
        raise InvalidData(
            f"correction request {request_id} was {row.status} by {row.decided_by} already"
        )
    if note is not None and len(note) > MAX_REASON:
        raise InvalidData(f"the note is over {MAX_REASON} characters; shorten it")
    emp, site = _employee_and_site(session, row.employee_id)
    row.status = CorrectionStatus.APPROVED if approve else CorrectionStatus.REJECTED
    row.decided_by = decided_by
    row.decided_at = now
    row.decision_note = note
    if approve:
        punch_id = uuid.uuid5(CORRECTION_NAMESPACE, str(row.id))
        session.add(
            PunchRecord(
                id=punch_id,
                device_sn=CORRECTION_SERIAL,
                device_user=emp.code,
                device_id=None,
                employee_id=emp.id,
                local_time=row.at.astimezone(ZoneInfo(site.timezone)).isoformat(),
                at=row.at,
                timezone=site.timezone,
                received_at=now,
                stored_at=now,
                state=row.state,
                verify_mode=CORRECTION_SOURCE,
                source=CORRECTION_SOURCE,
                raw=f"correction request {row.id} approved by {decided_by}: {row.reason}",
                clock_offset_s=None,
                clock_suspect=False,
            )
        )
        row.punch_id = punch_id
    session.flush()
    record_audit(
        session,
        AuditIn(
            at=now,
            actor=decided_by,
            action="correction_approve" if approve else "correction_reject",
            entity="correction_request",
            entity_id=str(row.id),
            detail={
                "employee": emp.code,
                "day": row.day.isoformat(),
                "note": note or "",
                "punch_id": str(row.punch_id) if row.punch_id else None,
            },
        ),
    )
    return _view(row, emp, site)


def get_correction(session: Session, request_id: int) -> CorrectionView:
    row = session.get(CorrectionRequest, request_id)
    if row is None:
        raise NotFound(f"correction request {request_id} does not exist")
    emp, site = _employee_and_site(session, row.employee_id)
    return _view(row, emp, site)


def list_corrections(
    session: Session,
    *,
    status: CorrectionStatus | None = None,
    site_code: str | None = None,
    employee_code: str | None = None,
    day: date | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[CorrectionView]:
    """Requests, oldest first (the queue order)."""
    query = (
        select(CorrectionRequest, Employee, Site)
        .join(Employee, Employee.id == CorrectionRequest.employee_id)
        .join(Site, Site.id == Employee.site_id)
        .order_by(CorrectionRequest.requested_at, CorrectionRequest.id)
    )
    if status is not None:
        query = query.where(CorrectionRequest.status == status)
    if site_code is not None:
        query = query.where(Site.code == site_code)
    if employee_code is not None:
        query = query.where(Employee.code == employee_code)
    if day is not None:
        query = query.where(CorrectionRequest.day == day)
    rows = session.execute(query.offset(offset).limit(limit)).all()
    return [_view(row, emp, site) for row, emp, site in rows]
