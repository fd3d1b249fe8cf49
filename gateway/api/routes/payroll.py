"""``/api/v1/payroll`` and ``/api/v1/risk``: pay runs with their explained lines, a run's
diff against another, starting a run and locking a period (the work is in
:mod:`hrcore.store.payroll`); the risk list with the flags behind each level."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from gateway.api.deps import SessionDep, StateDep, require
from gateway.api.errors import ERROR_RESPONSES, ApiError
from gateway.auth.roles import Permission
from gateway.auth.service import Principal
from gateway.errors import BadInput
from gateway.payroll.webhook import config_of, period_closed, send_in_background
from hrcore.enums import PayrollRunStatus, RiskLevel
from hrcore.payroll.errors import PayrollError
from hrcore.payroll.templates import load_templates
from hrcore.store.payroll import diff_runs, export_lines, list_runs, lock_period, run_payroll
from hrcore.store.risk import list_risk

router = APIRouter(prefix="/api/v1", tags=["payroll", "risk"], responses=ERROR_RESPONSES)
Reader = Annotated[Principal, Depends(require(Permission.READ))]
PayReader = Annotated[Principal, Depends(require(Permission.PAYROLL_READ))]
PayWriter = Annotated[Principal, Depends(require(Permission.PAYROLL_WRITE))]
RunId = Annotated[int, Path(ge=1, le=2_147_483_647)]


class RiskOut(BaseModel):
    employee: str
    name: str
    site: str
    level: RiskLevel
    reason: str
    as_of: date
    #: (kind, evidence) of each flag behind the level
    flags: list[tuple[str, str]]


class RunOut(BaseModel):
    run_id: int
    site: str
    month: date
    status: PayrollRunStatus
    created_at: datetime
    employees: int
    gross: Decimal
    net: Decimal


class LineOut(BaseModel):
    employee: str
    name: str
    sequence: int
    code: str
    label: str
    site: str | None
    amount: Decimal
    #: how the amount was computed, and from what
    formula: str
    source: str
    unconfirmed: bool


class ChangeOut(BaseModel):
    employee: str
    code: str
    site: str | None
    before: Decimal | None
    after: Decimal | None
    moved: list[tuple[str, str, str]]


class DiffOut(BaseModel):
    run_a: int
    run_b: int
    changes: list[ChangeOut]
    only_in_a: list[str]
    only_in_b: list[str]


class MonthBody(BaseModel):
    site: str = Field(min_length=1, max_length=64)
    month: date = Field(description="Any day of the month, e.g. 2025-03-01.")


class RunStarted(BaseModel):
    run_id: int
    employees: int
    gross: Decimal
    net: Decimal
    unchanged: bool


class LockOut(BaseModel):
    run_id: int
    site: str
    month: date
    employees: int
    gross: Decimal
    net: Decimal
    locked_at: datetime


@router.get("/risk", response_model=list[RiskOut])
def get_risk(
    session: SessionDep,
    _: Reader,
    site: Annotated[str | None, Query(max_length=64)] = None,
    level: RiskLevel | None = None,
) -> list[RiskOut]:
    """Every evaluated employee's latest risk level, worst first, with its evidence."""
    return [
        RiskOut(
            employee=r.employee,
            name=r.name,
            site=r.site,
            level=r.level,
            reason=r.reason,
            as_of=r.as_of,
            flags=list(r.flags),
        )
        for r in list_risk(session, site_code=site, level=level)
    ]


@router.get("/payroll/runs", response_model=list[RunOut])
def get_runs(
    session: SessionDep, _: PayReader, site: Annotated[str | None, Query(max_length=64)] = None
) -> list[RunOut]:
    return [
        RunOut(
            run_id=r.run_id,
            site=r.site,
            month=r.month,
            status=r.status,
            created_at=r.created_at,
            employees=r.employees,
            gross=r.gross,
            net=r.net,
        )
        for r in list_runs(session, site)
    ]


@router.get("/payroll/runs/{run_id}/lines", response_model=list[LineOut])
def get_lines(run_id: RunId, session: SessionDep, _: PayReader) -> list[LineOut]:
    """Every line of a run with the formula and source that explain it."""
    return [
        LineOut(
            employee=ln.employee_code,
            name=ln.employee_name,
            sequence=ln.sequence,
            code=ln.code,
            label=ln.label,
            site=ln.site,
            amount=ln.amount,
            formula=ln.formula,
            source=ln.source,
            unconfirmed=ln.unconfirmed,
        )
        for ln in export_lines(session, run_id)
    ]


@router.get("/payroll/runs/{run_id}/diff/{other}", response_model=DiffOut)
def get_diff(
    run_id: RunId,
    other: Annotated[int, Path(ge=1, le=2_147_483_647)],
    session: SessionDep,
    _: PayReader,
) -> DiffOut:
    d = diff_runs(session, run_id, other)
    return DiffOut(
        run_a=d.run_a,
        run_b=d.run_b,
        changes=[
            ChangeOut(
                employee=c.employee,
                code=c.code,
                site=c.site,
                before=c.before,
                after=c.after,
                moved=list(c.moved),
            )
            for c in d.changes
        ],
        only_in_a=list(d.only_in_a),
        only_in_b=list(d.only_in_b),
    )


@router.post("/payroll/runs", response_model=RunStarted)
def start_run(
    body: MonthBody, session: SessionDep, state: StateDep, principal: PayWriter
) -> RunStarted:
    """Compute the month's pay run (a draft; the store audits it)."""
    try:
        templates = load_templates(state.settings.config_dir / "policies" / "cn")
    except PayrollError as exc:
        raise ApiError(422, str(exc), code="config_invalid") from exc
    report = run_payroll(
        session,
        body.site,
        body.month,
        templates=templates,
        clock=state.clock,
        actor=principal.actor,
    )
    session.commit()
    return RunStarted(
        run_id=report.run_id,
        employees=report.employees,
        gross=report.gross,
        net=report.net,
        unchanged=report.unchanged,
    )


@router.post("/payroll/lock", response_model=LockOut)
def lock(body: MonthBody, session: SessionDep, state: StateDep, principal: PayWriter) -> LockOut:
    """Lock the month: its draft run becomes the signed one (audited); the payroll webhook,
    if configured, is told in the background."""
    try:
        hook = config_of(state.settings.payroll_webhook_url, state.settings.payroll_webhook_secret)
    except BadInput as exc:
        raise ApiError(500, str(exc), code="config_invalid") from exc
    out = lock_period(session, body.site, body.month, clock=state.clock, actor=principal.actor)
    session.commit()
    if hook is not None:
        send_in_background(hook, period_closed(out))
    return LockOut(
        run_id=out.run_id,
        site=out.site,
        month=out.month,
        employees=out.employees,
        gross=out.gross,
        net=out.net,
        locked_at=out.locked_at,
    )
