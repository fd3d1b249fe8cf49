"""Locking a period's run for payment and reopening it with a reason (both audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hrcore.errors import InvalidData
from hrcore.models import (
    AttendanceDay,
    AuditEntry,
    Employee,
    PayPeriodStatus,
    PayrollResult,
    PayrollRun,
    PayrollRunStatus,
)
from hrcore.store.payroll.periods import (
    Clock,
    _current_run,
    _period,
    _site,
    month_bounds,
)


@dataclass(frozen=True, slots=True)
class LockReport:
    run_id: int
    site: str
    month: date
    employees: int
    gross: Decimal
    net: Decimal
    locked_at: datetime


def lock_period(
    session: Session, site_code: str, month: date, *, clock: Clock, actor: str = "shiftgate"
) -> LockReport:
    """Lock (close) the period: its draft run becomes the signed one, its attendance days are
    protected from recomputation. Refused if attendance changed after the run."""
    site = _site(session, site_code)
    first, last = month_bounds(month)
    period = _period(session, site, first, create=False)
    run = _current_run(session, period.id) if period else None
    if period is None or run is None:
        raise InvalidData(
            f"no pay run for {site.code} {first:%Y-%m}; run `shiftgate payroll run --site "
            f"{site.code} --month {first:%Y-%m}` first"
        )
    if period.status is PayPeriodStatus.CLOSED:
        raise InvalidData(f"pay period {site.code} {first:%Y-%m} is already locked (run {run.id})")
    changed = session.scalar(
        select(func.count())
        .select_from(AttendanceDay)
        .join(Employee, Employee.id == AttendanceDay.employee_id)
        .where(
            Employee.site_id == site.id,
            AttendanceDay.date >= first,
            AttendanceDay.date <= last,
            AttendanceDay.computed_at > run.created_at,
        )
    )
    if changed:
        raise InvalidData(
            f"{changed} attendance day(s) of {site.code} {first:%Y-%m} changed after run "
            f"{run.id}; run payroll again, check the diff, then lock"
        )
    now = clock()
    run.status = PayrollRunStatus.LOCKED
    run.locked_at = now
    period.status = PayPeriodStatus.CLOSED
    period.closed_at = now
    gross, net = session.execute(
        select(
            func.coalesce(func.sum(PayrollResult.gross), 0),
            func.coalesce(func.sum(PayrollResult.net), 0),
        ).where(PayrollResult.run_id == run.id)
    ).one()
    session.add(
        AuditEntry(
            at=now,
            actor=actor,
            action="payroll.lock",
            entity="pay_period",
            entity_id=str(period.id),
            detail={"site": site.code, "month": f"{first:%Y-%m}", "run": run.id},
        )
    )
    return LockReport(run.id, site.code, first, run.employees, Decimal(gross), Decimal(net), now)


def reopen_period(
    session: Session,
    site_code: str,
    month: date,
    reason: str,
    *,
    clock: Clock,
    actor: str = "shiftgate",
) -> int:
    """Reopen a locked period with a reason (written to the audit log); returns the run id
    that was locked. The run stays readable (status ``reopened``) for diff."""
    if not reason.strip():
        raise InvalidData("reopening a locked pay period needs a reason (--reason '...')")
    site = _site(session, site_code)
    first, _ = month_bounds(month)
    period = _period(session, site, first, create=False)
    if period is None or period.status is not PayPeriodStatus.CLOSED:
        raise InvalidData(f"pay period {site.code} {first:%Y-%m} is not locked; nothing to reopen")
    run = session.scalar(
        select(PayrollRun).where(
            PayrollRun.pay_period_id == period.id, PayrollRun.status == PayrollRunStatus.LOCKED
        )
    )
    now = clock()
    period.status = PayPeriodStatus.OPEN
    period.closed_at = None
    if run is not None:
        run.status = PayrollRunStatus.REOPENED
    session.add(
        AuditEntry(
            at=now,
            actor=actor,
            action="payroll.reopen",
            entity="pay_period",
            entity_id=str(period.id),
            detail={
                "site": site.code,
                "month": f"{first:%Y-%m}",
                "run": run.id if run else None,
                "reason": reason.strip(),
            },
        )
    )
    return run.id if run else 0
