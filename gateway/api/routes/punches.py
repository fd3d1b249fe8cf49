"""``/api/v1/punches``: the centre's intake of punches from gateways."""

from __future__ import annotations

import logging
from typing import NoReturn

from fastapi import APIRouter, Depends, Header, HTTPException
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from gateway.api.deps import SessionDep, require_token
from gateway.punches.intake import store_batch, store_one_by_one
from gateway.punches.wire import BatchResult, PunchBatch

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
        try:
            result = store_batch(session, body.punches)
            session.commit()
        except IntegrityError:
            # not a duplicate (those are skipped): some punch breaks a store rule; store the
            # rest and name the refused ones (422), so the gateway parks them instead of
            # retrying the batch forever
            session.rollback()
            result, refused = store_one_by_one(session, body.punches)
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


def _refuse(refused: dict[int, str], idempotency_key: str | None) -> NoReturn:
    """Answer 422 naming the refused punches the way request validation does."""
    for index, reason in sorted(refused.items()):
        log.error(
            "punch refused by the store key=%s index=%d reason=%s", idempotency_key, index, reason
        )
    raise HTTPException(
        status_code=422,  # the status request validation uses
        detail=[
            {"loc": ["body", "punches", index], "msg": reason, "type": "store_refused"}
            for index, reason in sorted(refused.items())
        ],
    )
