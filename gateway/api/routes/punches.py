"""``/api/v1/punches``: the centre's intake of punches from gateways."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Header
from sqlalchemy.exc import SQLAlchemyError

from gateway.api.deps import SessionDep, require_token
from gateway.punch_wire import BatchResult, PunchBatch
from gateway.uploader import store_batch

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1", tags=["punches"])


@router.post("/punches:batch", response_model=BatchResult, dependencies=[Depends(require_token)])
def post_punch_batch(
    body: PunchBatch,
    session: SessionDep,
    idempotency_key: str | None = Header(default=None, max_length=128),
) -> BatchResult:
    """Store a batch of punches. Idempotent by punch id: re-sending a batch (whatever its
    ``Idempotency-Key``) stores nothing twice and reports those punches as duplicates."""
    try:
        result = store_batch(session, body.punches)
        session.commit()
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
