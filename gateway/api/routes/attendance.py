"""``/api/v1/attendance`` and ``/api/v1/corrections``: computed days with their why-trace,
and the corrections workflow (request, approve or reject, the day recomputed)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, status
from pydantic import AwareDatetime, BaseModel, Field

from gateway.api.deps import SessionDep, StateDep, require
from gateway.api.errors import ERROR_RESPONSES
from gateway.api.pages import Page, PageDep
from gateway.attendance.corrections import decide_and_recompute
from gateway.auth.roles import Permission
from gateway.auth.service import Principal
from hrcore.enums import CorrectionStatus, PunchStateCode
from hrcore.store.attendance import explain_day
from hrcore.store.attendance.days import stored_days
from hrcore.store.corrections import (
    CorrectionIn,
    CorrectionView,
    list_corrections,
    request_correction,
)
from hrcore.store.directory import get_site

router = APIRouter(prefix="/api/v1", tags=["attendance"], responses=ERROR_RESPONSES)
Reader = Annotated[Principal, Depends(require(Permission.READ))]
Requester = Annotated[Principal, Depends(require(Permission.CORRECTION_REQUEST))]
Decider = Annotated[Principal, Depends(require(Permission.CORRECTION_DECIDE))]


class DayOut(BaseModel):
    employee: str
    name: str
    date: date
    shift: str | None
    status: str
    worked_minutes: int
    late_minutes: int
    early_exit_minutes: int
    overtime_minutes: int
    needs_review: bool
    pending_corrections: int


class TraceOut(BaseModel):
    kind: str
    message: str
    punch_id: str | None


class CorrectionOut(BaseModel):
    id: int
    employee: str
    employee_name: str
    site: str
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
    punch_id: UUID | None


class DayDetailOut(DayOut):
    timezone: str
    computed_at: datetime
    trace: list[TraceOut]
    corrections: list[CorrectionOut]


class CorrectionBody(BaseModel):
    employee: str = Field(min_length=1, max_length=64)
    day: date
    at: AwareDatetime = Field(description="The time asked for, with its UTC offset.")
    state: PunchStateCode = PunchStateCode.IN
    reason: str = Field(min_length=1, max_length=500)


class DecisionBody(BaseModel):
    note: str | None = Field(default=None, max_length=500)


def correction_out(v: CorrectionView) -> CorrectionOut:
    return CorrectionOut(
        id=v.id,
        employee=v.employee_code,
        employee_name=v.employee_name,
        site=v.site_code,
        day=v.day,
        at=v.at,
        local_time=v.local_time,
        state=v.state,
        reason=v.reason,
        status=v.status,
        requested_by=v.requested_by,
        requested_at=v.requested_at,
        decided_by=v.decided_by,
        decided_at=v.decided_at,
        decision_note=v.decision_note,
        punch_id=v.punch_id,
    )


def day_page(
    session: SessionDep,
    *,
    site: str,
    date_from: date,
    date_to: date,
    employee: str | None,
    status_: str | None,
    limit: int,
    offset: int,
) -> Page[DayOut]:
    found = stored_days(
        session,
        get_site(session, site),
        date_from,
        date_to,
        employee_code=employee,
        status=status_,
        limit=limit,
        offset=offset,
    )
    items = [
        DayOut(
            employee=d.employee_code,
            name=d.employee_name,
            date=d.date,
            shift=d.shift_code,
            status=d.status,
            worked_minutes=d.worked_minutes,
            late_minutes=d.late_minutes,
            early_exit_minutes=d.early_exit_minutes,
            overtime_minutes=d.overtime_minutes,
            needs_review=d.needs_review,
            pending_corrections=d.pending_corrections,
        )
        for d in found.days
    ]
    return Page(items=items, total=found.total, limit=limit, offset=offset)


@router.get("/attendance/days", response_model=Page[DayOut])
def list_days(
    session: SessionDep,
    page: PageDep,
    _: Reader,
    site: Annotated[str, Query(max_length=64)],
    date_from: Annotated[date, Query(alias="from")],
    date_to: Annotated[date, Query(alias="to")],
    employee: Annotated[str | None, Query(max_length=64)] = None,
    status_: Annotated[str | None, Query(alias="status", max_length=32)] = None,
) -> Page[DayOut]:
    """Computed days of a site, by date then employee; each says how many corrections wait."""
    return day_page(
        session,
        site=site,
        date_from=date_from,
        date_to=date_to,
        employee=employee,
        status_=status_,
        limit=page.limit,
        offset=page.offset,
    )


def day_detail(session: SessionDep, employee: str, day: date) -> DayDetailOut:
    ex = explain_day(session, employee, day)
    corrections = [
        correction_out(c) for c in list_corrections(session, employee_code=employee, day=day)
    ]
    return DayDetailOut(
        employee=ex.employee_code,
        name=ex.employee_name,
        date=ex.date,
        shift=ex.shift_code,
        status=ex.status,
        worked_minutes=ex.worked_minutes,
        late_minutes=ex.late_minutes,
        early_exit_minutes=ex.early_exit_minutes,
        overtime_minutes=ex.overtime_workday_minutes
        + ex.overtime_restday_minutes
        + ex.overtime_holiday_minutes,
        needs_review=ex.needs_review,
        pending_corrections=sum(c.status == CorrectionStatus.PENDING for c in corrections),
        timezone=ex.timezone,
        computed_at=ex.computed_at,
        trace=[TraceOut(kind=t.kind, message=t.message, punch_id=t.punch_id) for t in ex.trace],
        corrections=corrections,
    )


@router.get("/attendance/days/{employee}/{day}", response_model=DayDetailOut)
def get_day(employee: str, day: date, session: SessionDep, _: Reader) -> DayDetailOut:
    """One day with its why-trace and its correction requests."""
    return day_detail(session, employee, day)


@router.get("/corrections", response_model=Page[CorrectionOut])
def list_requests(
    session: SessionDep,
    page: PageDep,
    _: Reader,
    status_: Annotated[CorrectionStatus | None, Query(alias="status")] = None,
    site: Annotated[str | None, Query(max_length=64)] = None,
    employee: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[CorrectionOut]:
    """Correction requests, oldest first (``status=pending`` is the queue)."""
    rows = list_corrections(
        session,
        status=status_,
        site_code=site,
        employee_code=employee,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[correction_out(r) for r in rows], total=None, limit=page.limit, offset=page.offset
    )


@router.post("/corrections", response_model=CorrectionOut, status_code=status.HTTP_201_CREATED)
def create_request(
    body: CorrectionBody, session: SessionDep, state: StateDep, principal: Requester
) -> CorrectionOut:
    """Ask for a missed or wrong punch to be corrected; a manager then decides."""
    view = request_correction(
        session,
        CorrectionIn(
            employee_code=body.employee,
            day=body.day,
            at=body.at,
            state=body.state,
            reason=body.reason,
            requested_by=principal.actor,
        ),
        now=state.clock(),
    )
    session.commit()
    return correction_out(view)


def decide(
    session: SessionDep,
    state: StateDep,
    principal: Principal,
    request_id: int,
    *,
    approve: bool,
    note: str | None,
) -> CorrectionOut:
    view = decide_and_recompute(
        session,
        request_id,
        approve=approve,
        decided_by=principal.actor,
        note=note,
        clock=state.clock,
    )
    session.commit()
    return correction_out(view)


@router.post("/corrections/{request_id}/approve", response_model=CorrectionOut)
def approve_request(
    request_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    session: SessionDep,
    state: StateDep,
    principal: Decider,
    body: DecisionBody | None = None,
) -> CorrectionOut:
    """Approve: a corrected punch is added (raw punches stay) and the day is recomputed."""
    return decide(
        session, state, principal, request_id, approve=True, note=body.note if body else None
    )


@router.post("/corrections/{request_id}/reject", response_model=CorrectionOut)
def reject_request(
    request_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    session: SessionDep,
    state: StateDep,
    principal: Decider,
    body: DecisionBody | None = None,
) -> CorrectionOut:
    return decide(
        session, state, principal, request_id, approve=False, note=body.note if body else None
    )
