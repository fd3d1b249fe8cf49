"""The FastAPI application of one shiftgate instance (gateway, centre, or both)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from gateway.api.routes import health, metrics, punches
from gateway.api.state import AppState
from gateway.devices.status import DeviceStatus
from gateway.metrics import GatewayMetrics
from gateway.settings import Settings
from gateway.sync.status import UploaderStatus
from hrcore.db import make_engine, make_session_factory


def create_app(
    settings: Settings,
    *,
    metrics_: GatewayMetrics | None = None,
    session_factory: sessionmaker[Session] | None = None,
    device_status: Callable[[], Sequence[DeviceStatus]] | None = None,
    outbox_depth: Callable[[], int | None] | None = None,
    uploader_status: Callable[[], UploaderStatus | None] | None = None,
) -> FastAPI:
    """Build the app. Everything it needs is passed in or built here from ``settings``."""
    app = FastAPI(title="shiftgate", version="0.1.0")
    app.state.shiftgate = AppState(
        settings=settings,
        metrics=metrics_ or GatewayMetrics(),
        session_factory=session_factory or make_session_factory(make_engine(settings.database_url)),
        device_status=device_status or (lambda: ()),
        outbox_depth=outbox_depth or (lambda: None),
        uploader_status=uploader_status or (lambda: None),
    )
    app.include_router(health.router)
    app.include_router(punches.router)
    app.include_router(metrics.router)
    return app
