"""How the upload loop is doing, as the health route shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


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
