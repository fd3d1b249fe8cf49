"""``/api/v1/punches``: query stored punches, and the centre's intake of batches from gateways."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, NoReturn
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query
from pydantic import AwareDatetime, BaseModel
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from gateway.api.deps import SessionDep, StateDep, audit, require
from gateway.api.errors import ERROR_RESPONSES, ApiError
from gateway.api.pages import Page, PageDep
from gateway.auth.roles import Permission
from gateway.auth.service import Principal
from gateway.punches.intake import foreign_punches, store_batch, store_one_by_one
from gateway.punches.wire import BatchResult, PunchBatch
from hrcore.enums import PunchStateCode
from hrcore.store import find_punches, get_site

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1", tags=["punches"], responses=ERROR_RESPONSES)


class PunchOut(BaseModel):
    id: UUID
    device_sn: str
    device_user: str
    employee_code: str | None
    at: datetime
    local_time: str
    timezone: str
    state: PunchStateCode
    verify_mode: str
    source: str


@router.get("/punches", response_model=Page[PunchOut])
def list_punches(
    session: SessionDep,
    page: PageDep,
    _: Annotated[Principal, Depends(require(Permission.READ))],
    site: Annotated[str | None, Query(max_length=64)] = None,
    employee: Annotated[str | None, Query(max_length=64)] = None,
    device: Annotated[str | None, Query(max_length=64)] = None,
    start: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    end: Annotated[AwareDatetime | None, Query(alias="to")] = None,
) -> Page[PunchOut]:
    """Punches in ``[from, to)`` ordered by time, filtered by site, employee code or device."""
    rows = find_punches(
        session,
        site=get_site(session, site) if site else None,
        device_sn=device,
        employee_code=employee,
        start=start,
        end=end,
        limit=page.offset + page.limit,
    )[page.offset :]
    items = [
        PunchOut(
            id=r.id,
            device_sn=r.device_sn,
            device_user=r.device_user,
            employee_code=r.employee_code,
            at=r.at,
            local_time=r.local_time,
            timezone=r.timezone,
            state=r.state,
            verify_mode=r.verify_mode,
            source=r.source,
        )
        for r in rows
    ]
    return Page(items=items, total=None, limit=page.limit, offset=page.offset)


@router.post("/punches:batch", response_model=BatchResult)
def post_punch_batch(
    body: PunchBatch,
    session: SessionDep,
    state: StateDep,
    principal: Annotated[Principal, Depends(require(Permission.PUNCH_INGEST))],
    idempotency_key: str | None = Header(default=None, max_length=128),
) -> BatchResult:
    """Store a batch of punches. Idempotent by punch id: re-sending a batch (whatever its
    ``Idempotency-Key``) stores nothing twice and reports those punches as duplicates.

    A gateway user bound to a site may write only punches of that site's clocks: a batch with
    any other is refused whole (403, nothing stored), naming those punches."""
    if principal.site is not None:
        foreign = foreign_punches(session, principal.site, body.punches)
        if foreign:
            _forbid(principal, foreign, idempotency_key)
    try:
        try:
            result = store_batch(session, body.punches)
            _audit_batch(session, state, principal, result, idempotency_key)
            session.commit()
        except IntegrityError:
            # not a duplicate (those are skipped): some punch breaks a store rule; store the
            # rest and name the refused ones (422), so the gateway parks them instead of
            # retrying the batch forever
            session.rollback()
            result, refused = store_one_by_one(session, body.punches)
            _audit_batch(session, state, principal, result, idempotency_key)
            session.commit()
            if refused:
                _refuse(refused, idempotency_key)
    except SQLAlchemyError:
        session.rollback()
        log.exception("punch batch failed key=%s n=%d", idempotency_key, len(body.punches))
        raise
    log.debug(
        "punch batch key=%s accepted=%d duplicate=%d",
        idempotency_key,
        result.accepted,
        result.duplicate,
    )
    return result


def _audit_batch(
    session: SessionDep,
    state: StateDep,
    principal: Principal,
    result: BatchResult,
    idempotency_key: str | None,
) -> None:
    if result.accepted == 0:
        return  # a pure re-send changed nothing
    audit(
        session,
        principal,
        state.clock(),
        "punch_batch",
        "punches",
        idempotency_key or "",
        {"accepted": result.accepted, "duplicate": result.duplicate},
    )


def _refuse(refused: dict[int, str], idempotency_key: str | None) -> NoReturn:
    """Answer 422 naming the refused punches the way request validation does."""
    for index, reason in sorted(refused.items()):
        log.error(
            "punch refused by the store key=%s index=%d reason=%s", idempotency_key, index, reason
        )
    raise ApiError(
        422,
        f"{len(refused)} punch(es) refused by the store; the others were stored",
        code="store_refused",
        details=[
            {"loc": ["body", "punches", index], "msg": reason, "type": "store_refused"}
            for index, reason in sorted(refused.items())
        ],
    )


def _forbid(principal: Principal, foreign: dict[int, str], idempotency_key: str | None) -> NoReturn:
    """Answer 403 naming the punches of other sites' clocks; nothing of the batch is stored."""
    log.error(
        "punch batch refused: clocks outside the caller's site user=%s site=%s key=%s n=%d",
        principal.username,
        principal.site,
        idempotency_key,
        len(foreign),
    )
    raise ApiError(
        403,
        f"{len(foreign)} punch(es) of clocks outside site {principal.site!r}, which "
        f"{principal.username!r} may not write; nothing of the batch was stored",
        code="foreign_site",
        details=[
            {"loc": ["body", "punches", index], "msg": reason, "type": "foreign_site"}
            for index, reason in sorted(foreign.items())
        ],
    )
