"""``/api/v1/health``: is this instance, its database and its devices alive."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response, status
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from gateway.api.deps import StateDep
from gateway.devices.status import DeviceHealth
from gateway.sync.status import UploaderState

router = APIRouter(prefix="/api/v1", tags=["health"])


class DeviceHealthOut(BaseModel):
    serial: str
    name: str
    health: DeviceHealth
    address: str
    last_success: datetime | None
    last_error: str | None
    clock_offset_s: float | None


class UploaderOut(BaseModel):
    state: UploaderState
    last_success: datetime | None
    last_error: str | None


class HealthOut(BaseModel):
    status: str
    database: str
    outbox_depth: int | None
    #: None where this instance uploads nothing (a centre without local devices)
    uploader: UploaderOut | None
    devices: list[DeviceHealthOut]


#: an uploader in these states will never drain the outbox on its own: the instance is unhealthy
_UPLOADER_DOWN = frozenset({UploaderState.STOPPED, UploaderState.STUCK})


@router.get("/health", response_model=HealthOut)
def get_health(state: StateDep, response: Response) -> HealthOut:
    try:
        with state.session_factory() as session:
            session.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError as exc:
        database = f"error: {type(exc).__name__}"
    devices = [
        DeviceHealthOut(
            serial=d.serial,
            name=d.name,
            health=d.health,
            address=d.address,
            last_success=d.last_success,
            last_error=d.last_error,
            clock_offset_s=d.clock_offset_s,
        )
        for d in state.device_status()
    ]
    up = state.uploader_status()
    uploader = (
        UploaderOut(state=up.state, last_success=up.last_success, last_error=up.last_error)
        if up is not None
        else None
    )
    ok = database == "ok" and (up is None or up.state not in _UPLOADER_DOWN)
    if not ok:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return HealthOut(
        status="ok" if ok else "degraded",
        database=database,
        outbox_depth=state.outbox_depth(),
        uploader=uploader,
        devices=devices,
    )
