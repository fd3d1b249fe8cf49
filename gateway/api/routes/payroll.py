"""``/api/v1/risk-flags`` and ``/api/v1/payroll``: risk flags with their evidence, pay
periods with their explained lines, and locking a period."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel
from sqlalchemy import func, select

from gateway.api.deps import SessionDep, StateDep, audit, require
from gateway.api.errors import ERROR_RESPONSES, ApiError
from gateway.api.pages import Page, PageDep
from gateway.auth.roles import Permission
from gateway.auth.service import Principal
from hrcore.enums import PayPeriodStatus, RiskSeverity
from hrcore.models import Employee, PayPeriod, PayrollLine, PayrollResult, RiskFlag, Site
from hrcore.store.directory import get_site

router = APIRouter(prefix="/api/v1", tags=["payroll", "risk"], responses=ERROR_RESPONSES)
Reader = Annotated[Principal, Depends(require(Permission.READ))]
PayReader = Annotated[Principal, Depends(require(Permission.PAYROLL_READ))]
PayWriter = Annotated[Principal, Depends(require(Permission.PAYROLL_WRITE))]
PeriodId = Annotated[int, Path(ge=1, le=2_147_483_647)]


class RiskOut(BaseModel):
    employee: str
    name: str
    date: date
    kind: str
    severity: RiskSeverity
    evidence: str
    created_at: datetime


class PeriodOut(BaseModel):
    id: int
    site: str
    start_date: date
    end_date: date
    status: PayPeriodStatus
    closed_at: datetime | None
    results: int


class LineOut(BaseModel):
    sequence: int
    code: str
    label: str
    amount: Decimal
    basis: str


class ResultOut(BaseModel):
    employee: str
    name: str
    gross: Decimal
    net: Decimal
    computed_at: datetime
    lines: list[LineOut]


class PeriodDetailOut(PeriodOut):
    employees: list[ResultOut]


@router.get("/risk-flags", response_model=Page[RiskOut])
def list_risk(
    session: SessionDep,
    page: PageDep,
    _: Reader,
    site: Annotated[str | None, Query(max_length=64)] = None,
    severity: RiskSeverity | None = None,
) -> Page[RiskOut]:
    """Risk flags, newest day first, with the evidence that raised each."""
    query = select(RiskFlag, Employee.code, Employee.name).join(
        Employee, Employee.id == RiskFlag.employee_id
    )
    if site:
        query = query.where(Employee.site_id == get_site(session, site).id)
    if severity:
        query = query.where(RiskFlag.severity == severity)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(RiskFlag.date.desc(), RiskFlag.id.desc())
        .offset(page.offset)
        .limit(page.limit)
    )
    items = [
        RiskOut(
            employee=code,
            name=name,
            date=f.date,
            kind=f.kind,
            severity=f.severity,
            evidence=f.detail,
            created_at=f.created_at,
        )
        for f, code, name in rows
    ]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


def _period_out(session: SessionDep, p: PayPeriod, site_code: str) -> PeriodOut:
    n = session.scalar(
        select(func.count()).select_from(PayrollResult).where(PayrollResult.pay_period_id == p.id)
    )
    return PeriodOut(
        id=p.id,
        site=site_code,
        start_date=p.start_date,
        end_date=p.end_date,
        status=p.status,
        closed_at=p.closed_at,
        results=n or 0,
    )


@router.get("/payroll/periods", response_model=list[PeriodOut])
def list_periods(
    session: SessionDep, _: PayReader, site: Annotated[str | None, Query(max_length=64)] = None
) -> list[PeriodOut]:
    query = select(PayPeriod, Site.code).join(Site, Site.id == PayPeriod.site_id)
    if site:
        query = query.where(PayPeriod.site_id == get_site(session, site).id)
    return [
        _period_out(session, p, c)
        for p, c in session.execute(query.order_by(PayPeriod.start_date.desc()))
    ]


def period_detail(session: SessionDep, period_id: int) -> PeriodDetailOut:
    p = session.get(PayPeriod, period_id)
    if p is None:
        raise ApiError(404, f"pay period {period_id} does not exist")
    site = session.get(Site, p.site_id)
    assert site is not None  # foreign key
    results = []
    for r, code, name in session.execute(
        select(PayrollResult, Employee.code, Employee.name)
        .join(Employee, Employee.id == PayrollResult.employee_id)
        .where(PayrollResult.pay_period_id == p.id)
        .order_by(Employee.code)
    ):
        lines = session.scalars(
            select(PayrollLine).where(PayrollLine.result_id == r.id).order_by(PayrollLine.sequence)
        )
        results.append(
            ResultOut(
                employee=code,
                name=name,
                gross=r.gross,
                net=r.net,
                computed_at=r.computed_at,
                lines=[
                    LineOut(
                        sequence=ln.sequence,
                        code=ln.code,
                        label=ln.label,
                        amount=ln.amount,
                        basis=ln.basis,
                    )
                    for ln in lines
                ],
            )
        )
    return PeriodDetailOut(**_period_out(session, p, site.code).model_dump(), employees=results)


@router.get("/payroll/periods/{period_id}", response_model=PeriodDetailOut)
def get_period(period_id: PeriodId, session: SessionDep, _: PayReader) -> PeriodDetailOut:
    """A period with every employee's result and its explained lines."""
    return period_detail(session, period_id)


@router.post("/payroll/periods/{period_id}/lock", response_model=PeriodOut)
def lock_period(
    period_id: PeriodId, session: SessionDep, state: StateDep, principal: PayWriter
) -> PeriodOut:
    """Lock (close) a period: its attendance is frozen from then on (audited)."""
    p = session.get(PayPeriod, period_id)
    if p is None:
        raise ApiError(404, f"pay period {period_id} does not exist")
    if p.status == PayPeriodStatus.CLOSED:
        raise ApiError(409, f"pay period {period_id} is locked already")
    now = state.clock()
    p.status = PayPeriodStatus.CLOSED
    p.closed_at = now
    site = session.get(Site, p.site_id)
    assert site is not None  # foreign key
    audit(
        session,
        principal,
        now,
        "payroll_lock",
        "pay_period",
        str(p.id),
        {"site": site.code, "start": p.start_date.isoformat(), "end": p.end_date.isoformat()},
    )
    session.commit()
    return _period_out(session, p, site.code)
