"""The FastAPI application of one shiftgate instance (gateway, centre, or both)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from gateway.api.errors import BodyLimit, install_error_handlers
from gateway.api.routes import ROUTERS
from gateway.api.state import AppState
from gateway.auth.secrets import Passwords
from gateway.devices.status import DeviceStatus
from gateway.metrics import GatewayMetrics
from gateway.push.service import PushService
from gateway.roster.jobs import SolveJobs
from gateway.roster.view import RosterViews
from gateway.settings import Settings
from gateway.sync.status import UploaderStatus
from gateway.web.pages import install_web
from hrcore.db import make_engine, make_session_factory


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings,
    *,
    metrics_: GatewayMetrics | None = None,
    session_factory: sessionmaker[Session] | None = None,
    device_status: Callable[[], Sequence[DeviceStatus]] | None = None,
    outbox_depth: Callable[[], int | None] | None = None,
    uploader_status: Callable[[], UploaderStatus | None] | None = None,
    clock: Callable[[], datetime] | None = None,
    push: PushService | None = None,
) -> FastAPI:
    """Build the app. Everything it needs is passed in or built here from ``settings``."""
    app = FastAPI(
        title="shiftgate",
        version="0.1.0",
        description="Attendance, rosters and payroll hours. Every route but /api/v1/health "
        "needs `Authorization: Bearer <token>` (`shiftgate users token NAME`) or a web "
        'session; errors have the body `{"error": {"code", "message", "details"}}`.',
    )
    factory = session_factory or make_session_factory(make_engine(settings.database_url))
    now = clock or _utc_now
    app.state.shiftgate = AppState(
        settings=settings,
        metrics=metrics_ or GatewayMetrics(),
        session_factory=factory,
        device_status=device_status or (lambda: ()),
        outbox_depth=outbox_depth or (lambda: None),
        uploader_status=uploader_status or (lambda: None),
        clock=now,
        passwords=Passwords(),
        push=push,
        jobs=SolveJobs(factory, now),
        rosters=RosterViews(),
    )
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.api_max_body_bytes)
    for router in ROUTERS:
        app.include_router(router)
    install_web(app)
    return app
