"""What the app holds for its routes: built once by create_app and stored on ``app.state``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session, sessionmaker

from gateway.metrics import GatewayMetrics
from gateway.settings import Settings


class DeviceHealth(StrEnum):
    STARTING = "starting"
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    serial: str
    name: str
    health: DeviceHealth
    address: str
    last_success: datetime | None
    last_error: str | None
    clock_offset_s: float | None


class UploaderState(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    #: the centre is unreachable or the uploader hit an internal error; it retries with backoff
    FAILING = "failing"
    #: no loop turn for longer than ``stuck_after_s``: a call hangs
    STUCK = "stuck"
    #: the uploader thread is not running
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class UploaderStatus:
    state: UploaderState
    last_success: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class AppState:
    settings: Settings
    metrics: GatewayMetrics
    session_factory: sessionmaker[Session]
    device_status: Callable[[], Sequence[DeviceStatus]]
    outbox_depth: Callable[[], int | None]
    uploader_status: Callable[[], UploaderStatus | None]
