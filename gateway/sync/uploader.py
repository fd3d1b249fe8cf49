"""Moves punches from the outbox to the centre, and prunes the outbox only on confirmation.

Two kinds of centre: :class:`HttpCentre` posts to ``/api/v1/punches:batch`` of a central
shiftgate; :class:`StoreCentre` inserts straight into the HR store when the gateway runs beside
it. Both are idempotent by the deterministic punch id (the store's primary key), so a batch
re-sent after a crash between "centre committed" and "outbox pruned" is harmless.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

import httpx
from sqlalchemy import make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from gateway.backoff import Backoff
from gateway.errors import CentreRejected, CentreUnavailable, UploadError
from gateway.metrics import GatewayMetrics
from gateway.punches.intake import store_batch, store_one_by_one
from gateway.punches.wire import BatchResult, PunchBatch, PunchWire
from gateway.sync.outbox import Outbox, OutboxItem
from gateway.sync.status import UploaderState, UploaderStatus

log = logging.getLogger(__name__)

BATCH_PATH = "/api/v1/punches:batch"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Centre(Protocol):
    def send(self, punches: Sequence[PunchWire]) -> BatchResult: ...

    def describe(self) -> str: ...


def batch_key(punches: Sequence[PunchWire]) -> str:
    """Idempotency-Key of a batch: a digest of its sorted punch ids."""
    digest = hashlib.sha256("\n".join(sorted(str(p.id) for p in punches)).encode())
    return digest.hexdigest()


class HttpCentre:
    """A central shiftgate instance reached over HTTP(S)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float = 10.0,
        token: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(
            base_url=self.base_url, timeout=timeout_s, headers=headers, transport=transport
        )

    def describe(self) -> str:
        return self.base_url

    def close(self) -> None:
        self._client.close()

    def send(self, punches: Sequence[PunchWire]) -> BatchResult:
        # the punches are validated PunchWire values already: no second validation pass
        body = PunchBatch.model_construct(punches=list(punches)).model_dump_json()
        try:
            resp = self._client.post(
                BATCH_PATH,
                content=body,
                headers={"Content-Type": "application/json", "Idempotency-Key": batch_key(punches)},
            )
        except httpx.HTTPError as exc:
            raise CentreUnavailable(f"centre {self.base_url} unreachable: {exc}") from exc
        if resp.status_code >= 500 or resp.status_code in (408, 429):
            raise CentreUnavailable(f"centre {self.base_url} answered {resp.status_code}")
        if resp.status_code in (403, 422) and (bad := _bad_indexes(resp)):
            # named punches refused (422: invalid; 403: a clock of another site): they are
            # parked, the rest of the batch goes again
            raise CentreRejected(f"centre {self.base_url} refused punches: {resp.text[:500]}", bad)
        if resp.status_code == 422:
            raise CentreRejected(f"centre {self.base_url} refused punches: {resp.text[:500]}")
        if resp.status_code >= 400:
            raise CentreRejected(
                f"centre {self.base_url} answered {resp.status_code}: {resp.text[:300]}; "
                "check centre.url and centre.token in config/gateway.yaml"
            )
        try:
            return BatchResult.model_validate_json(resp.content)
        except ValueError as exc:
            raise CentreUnavailable(f"centre {self.base_url} sent an unreadable answer") from exc


def _bad_indexes(resp: httpx.Response) -> dict[int, str]:
    """Which batch items a 422 names (``loc = ["body", "punches", i, ...]``), in the error
    body's ``details`` (or FastAPI's plain ``detail`` of older centres)."""
    try:
        body = resp.json()
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    error = body.get("error")
    detail = error.get("details", []) if isinstance(error, dict) else body.get("detail", [])
    bad: dict[int, str] = {}
    for err in detail if isinstance(detail, list) else []:
        loc = err.get("loc", []) if isinstance(err, dict) else []
        if len(loc) >= 3 and loc[1] == "punches" and isinstance(loc[2], int):
            bad[loc[2]] = str(err.get("msg", "invalid"))
    return bad


class StoreCentre:
    """The HR store itself, when the gateway runs beside it."""

    def __init__(self, session_factory: sessionmaker[Session], url: str = "") -> None:
        self._factory = session_factory
        self._url = make_url(url).render_as_string(hide_password=True) if url else ""

    def describe(self) -> str:
        return f"store {self._url}" if self._url else "store"

    def send(self, punches: Sequence[PunchWire]) -> BatchResult:
        try:
            with self._factory.begin() as session:
                return store_batch(session, punches)
        except IntegrityError:
            pass  # some punch breaks a store rule: find it below, so it alone is parked
        except SQLAlchemyError as exc:
            raise CentreUnavailable(f"HR store unavailable: {type(exc).__name__}") from exc
        try:
            with self._factory() as session:
                result, refused = store_one_by_one(session, punches)
        except SQLAlchemyError as exc:
            raise CentreUnavailable(f"HR store unavailable: {type(exc).__name__}") from exc
        if refused:
            raise CentreRejected(
                f"HR store refused {len(refused)} of {len(punches)} punches", refused
            )
        return result


class Uploader:
    """Drains the outbox into a centre, oldest first, in batches."""

    def __init__(
        self,
        outbox: Outbox,
        centre: Centre,
        metrics: GatewayMetrics,
        *,
        batch_size: int = 500,
        idle_s: float = 1.0,
        backoff: Backoff | None = None,
        remember: timedelta = timedelta(days=30),
        stuck_after_s: float = 300.0,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.outbox = outbox
        self.centre = centre
        self.metrics = metrics
        self.batch_size = batch_size
        self.idle_s = idle_s
        self.backoff = backoff or Backoff(base_s=1.0, cap_s=60.0)
        self._failing = False
        self._wake = threading.Event()
        self.remember = remember
        self._last_forget = float("-inf")
        self.stuck_after_s = stuck_after_s
        self.clock = clock
        self._last_turn: float | None = None  # monotonic time the loop last went round
        self._last_success: datetime | None = None
        self._last_error: str | None = None
        self._unsent: list[OutboxItem] | None = None  # the full batch a failed send left

    def wake(self) -> None:
        """New punches are waiting: skip the idle pause."""
        self._wake.set()

    def upload_once(self) -> int:
        """Send one batch; returns how many punches left the outbox. Raises UploadError.

        A full batch the centre could not take is kept and sent again as it is: only this
        uploader removes rows, so the outbox's head is unchanged, and a long outage does not
        read and parse the same rows from disk at every retry."""
        items, self._unsent = self._unsent or self.outbox.peek(self.batch_size), None
        if not items:
            return 0
        punches = [i.punch for i in items]
        try:
            result = self.centre.send(punches)
        except CentreUnavailable:
            if len(items) == self.batch_size:  # a short batch may grow: read it again
                self._unsent = items
            raise
        except CentreRejected as exc:
            if not exc.bad_indexes:
                raise
            for index, reason in sorted(exc.bad_indexes.items()):
                if 0 <= index < len(punches):
                    log.error(
                        "centre rejected punch id=%s device=%s reason=%s; parked in outbox",
                        punches[index].id,
                        punches[index].device_sn,
                        reason,
                    )
                    self.outbox.reject(punches[index].id, reason)
                    self.metrics.uploaded.labels(result="rejected").inc()
            return len(exc.bad_indexes)
        removed = self.outbox.confirm(p.id for p in punches)
        self.metrics.uploaded.labels(result="accepted").inc(result.accepted)
        self.metrics.uploaded.labels(result="duplicate").inc(result.duplicate)
        log.debug(
            "uploaded n=%d accepted=%d duplicate=%d", removed, result.accepted, result.duplicate
        )
        return removed

    def drain(self) -> int:
        """Upload until the outbox is empty (raises on the first failure)."""
        total = 0
        while (n := self.upload_once()) > 0:
            total += n
        return total

    def status(self, *, alive: bool = True) -> UploaderStatus:
        """How the upload loop is doing; ``alive`` says whether its thread still runs."""
        turn = self._last_turn
        if not alive:
            state = UploaderState.STOPPED
        elif turn is None:
            state = UploaderState.STARTING
        elif time.monotonic() - turn > self.stuck_after_s:
            state = UploaderState.STUCK
        elif self._failing:
            state = UploaderState.FAILING
        else:
            state = UploaderState.RUNNING
        return UploaderStatus(state, self._last_success, self._last_error)

    def run(self, stop: threading.Event) -> None:
        """Loop until ``stop``: drain, then wait for new punches or the idle pause.

        No error ends the loop: an unexpected one (a broken outbox file, a bug in a centre) is
        counted as ``kind="internal"``, logged once, and retried with backoff like an outage.
        """
        while not stop.is_set():
            self._last_turn = time.monotonic()
            try:
                sent = self.upload_once()
            except Exception as exc:  # never fatal: counted, logged once, retried
                if isinstance(exc, UploadError):
                    kind = "rejected" if isinstance(exc, CentreRejected) else "unavailable"
                else:
                    kind = "internal"
                self.metrics.upload_errors.labels(kind=kind).inc()
                self._last_error = f"{kind}: {type(exc).__name__}: {exc}"
                if not self._failing:
                    log.warning(
                        "upload failing centre=%s kind=%s error=%s",
                        self.centre.describe(),
                        kind,
                        exc,
                        exc_info=kind == "internal",
                    )
                    self._failing = True
                stop.wait(self.backoff.next_delay())
                continue
            self._last_success = self.clock()
            if self._failing:
                log.info(
                    "upload recovered centre=%s depth=%d",
                    self.centre.describe(),
                    self.outbox.depth(),
                )
                self._failing = False
            self.backoff.reset()
            if sent == 0:
                self._forget_old_deliveries()
                self._wake.wait(self.idle_s)
                self._wake.clear()

    def _forget_old_deliveries(self) -> None:
        """Hourly, drop the memory of punches delivered longer ago than ``remember``."""
        now = time.monotonic()
        if now - self._last_forget < 3600:
            return
        self._last_forget = now
        forgotten = self.outbox.forget_delivered(self.remember)
        if forgotten:
            log.info("outbox forgot delivered punches n=%d older_than=%s", forgotten, self.remember)
