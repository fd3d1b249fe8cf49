"""Punches with no employee yet: adopted once their device user is mapped, reported until then.

A punch of an unmapped device user, or from a serial number no site registered, is kept
(a punch accepted is never lost) and listed in the compute report as unmatched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from hrcore.models import Device, DeviceUserMapping, PunchRecord, Site

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class UnmatchedPunchReport:
    punch_id: str
    device_sn: str
    device_user: str
    at: datetime
    employee_code: str | None
    reason: str


def adopt_mapped_punches(session: Session, site: Site, lo: datetime, hi: datetime) -> int:
    """Give held punches of unknown device users their employee once a mapping exists."""
    return len(adopt_punches(session, site, lo, hi))


def adopt_punches(
    session: Session, site: Site, lo: datetime, hi: datetime
) -> list[tuple[int, datetime]]:
    """Adopt held punches in ``[lo, hi)``; returns (employee id, instant) of each adopted one."""
    devices = select(Device.serial_number).where(Device.site_id == site.id)
    rows = session.execute(
        select(PunchRecord.id, DeviceUserMapping.employee_id, PunchRecord.at)
        .join(
            DeviceUserMapping,
            and_(
                DeviceUserMapping.site_id == site.id,
                DeviceUserMapping.device_user == PunchRecord.device_user,
            ),
        )
        .where(
            PunchRecord.employee_id.is_(None),
            PunchRecord.device_sn.in_(devices),
            PunchRecord.at >= lo,
            PunchRecord.at < hi,
        )
    ).all()
    if rows:
        session.execute(
            update(PunchRecord), [{"id": pid, "employee_id": emp} for pid, emp, _ in rows]
        )
        log.info("adopted punches site=%s n=%d", site.code, len(rows))
    return [(emp, at) for _, emp, at in rows]


def unknown_user_punches(
    session: Session, site: Site, lo: datetime, hi: datetime
) -> list[UnmatchedPunchReport]:
    devices = select(Device.serial_number).where(Device.site_id == site.id)
    rows = session.execute(
        select(PunchRecord.id, PunchRecord.device_sn, PunchRecord.device_user, PunchRecord.at)
        .where(
            PunchRecord.employee_id.is_(None),
            PunchRecord.device_sn.in_(devices),
            PunchRecord.at >= lo,
            PunchRecord.at < hi,
        )
        .order_by(PunchRecord.at)
    ).all()
    return [
        UnmatchedPunchReport(
            str(pid),
            sn,
            user,
            at,
            None,
            f"device user {user} on device {sn} is not mapped to an employee of site "
            f"{site.code}; add a device-user mapping, then recompute (the punch is kept)",
        )
        for pid, sn, user, at in rows
    ]


def unregistered_device_punches(
    session: Session, lo: datetime, hi: datetime
) -> list[UnmatchedPunchReport]:
    """Punches in ``[lo, hi)`` with no employee from a serial number no site has registered
    (the push API and the uploader accept them): no site's compute can use them."""
    registered = select(Device.serial_number)
    rows = session.execute(
        select(PunchRecord.id, PunchRecord.device_sn, PunchRecord.device_user, PunchRecord.at)
        .where(
            PunchRecord.employee_id.is_(None),
            PunchRecord.device_sn.not_in(registered),
            PunchRecord.at >= lo,
            PunchRecord.at < hi,
        )
        .order_by(PunchRecord.at, PunchRecord.device_sn, PunchRecord.device_user)
    ).all()
    return [
        UnmatchedPunchReport(
            str(pid),
            sn,
            user,
            at,
            None,
            f"device SN {sn} is not registered; add it to devices.yaml (with its site), run "
            "`shiftgate config apply`, map its users, then recompute (the punch is kept)",
        )
        for pid, sn, user, at in rows
    ]
