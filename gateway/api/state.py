"""What the app holds for its routes: built once by create_app and stored on ``app.state``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from gateway.auth.secrets import Passwords
from gateway.devices.status import DeviceStatus
from gateway.metrics import GatewayMetrics
from gateway.push.service import PushService
from gateway.roster.jobs import SolveJobs
from gateway.roster.view import RosterViews
from gateway.settings import Settings
from gateway.sync.status import UploaderStatus


@dataclass(frozen=True, slots=True)
class AppState:
    settings: Settings
    metrics: GatewayMetrics
    session_factory: sessionmaker[Session]
    device_status: Callable[[], Sequence[DeviceStatus]]
    outbox_depth: Callable[[], int | None]
    uploader_status: Callable[[], UploaderStatus | None]
    clock: Callable[[], datetime]
    passwords: Passwords
    jobs: SolveJobs
    rosters: RosterViews
    push: PushService | None = None
