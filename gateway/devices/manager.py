"""One worker thread per device: poll on its interval, or hold a live connection (with a
catch-up read at every (re)connect and every ``live_resync_s``, and the driver's own catch-up
once its events are on); back off with jitter on
failure; watch the clock; commit every punch to the outbox together with the cursor.

Logs state changes only: "device unavailable" once when a device starts failing, "device
recovered" once when it answers again; likewise for clock drift.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter

from drivers.base import Anomaly, AnomalyKind, Capability, Driver, RejectedRecord
from drivers.errors import (
    AuthRejected,
    DeviceUnreachable,
    DriverError,
    ProtocolViolation,
)
from drivers.punch import DeviceInfo, Punch
from drivers.registry import load_driver
from gateway.backoff import Backoff
from gateway.config.service import ClockPolicy, DeviceSpec, GatewayConfig, address_of
from gateway.devices.clock_watch import Correction, measure_offset, plan_correction
from gateway.devices.status import DeviceHealth, DeviceStatus
from gateway.errors import OutboxError, WrongDevice
from gateway.metrics import GatewayMetrics
from gateway.punches.mapping import to_wire
from gateway.sync.outbox import Outbox

log = logging.getLogger(__name__)

#: how often a live session's timer looks at the worker-wide stop
_STOP_CHECK_S = 0.2

DriverFactory = Callable[[DeviceSpec, Mapping[str, Any]], Driver]
Clock = Callable[[], datetime]


def registry_driver_factory(spec: DeviceSpec, settings: Mapping[str, Any]) -> Driver:
    """Build the device's driver from the installed plug-ins."""
    return load_driver(spec.driver).from_settings(dict(settings))


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    clock_policy: ClockPolicy = field(default_factory=ClockPolicy)
    retry_base_s: float = 1.0
    retry_cap_s: float = 60.0
    live_resync_s: float = 60.0
    rediscover_after_failures: int = 3

    @classmethod
    def from_config(cls, cfg: GatewayConfig) -> WorkerOptions:
        return cls(
            clock_policy=cfg.clock,
            retry_base_s=cfg.retry.base_s,
            retry_cap_s=cfg.retry.cap_s,
            live_resync_s=cfg.live_resync_s,
            rediscover_after_failures=cfg.rediscover_after_failures,
        )


ERROR_KINDS = ("unreachable", "protocol", "auth", "wrong_device", "outbox", "driver", "internal")


def _error_kind(exc: BaseException) -> str:
    if isinstance(exc, WrongDevice):
        return "wrong_device"
    if isinstance(exc, AuthRejected):
        return "auth"
    if isinstance(exc, DeviceUnreachable):
        return "unreachable"
    if isinstance(exc, ProtocolViolation):
        return "protocol"
    if isinstance(exc, OutboxError):
        return "outbox"
    if isinstance(exc, DriverError):
        return "driver"
    return "internal"


class DeviceWorker:
    """Reads one device forever (until ``stop``)."""

    def __init__(
        self,
        spec: DeviceSpec,
        *,
        outbox: Outbox,
        metrics: GatewayMetrics,
        factory: DriverFactory = registry_driver_factory,
        options: WorkerOptions = WorkerOptions(),
        clock: Clock = utc_now,
        on_committed: Callable[[], None] = lambda: None,
    ) -> None:
        self.spec = spec
        self.outbox = outbox
        self.metrics = metrics
        self.factory = factory
        self.options = options
        self.clock = clock
        self.on_committed = on_committed
        self.settings: dict[str, Any] = dict(spec.settings)
        self.backoff = Backoff(base_s=options.retry_base_s, cap_s=options.retry_cap_s)
        self._lock = threading.Lock()
        self._health = DeviceHealth.STARTING
        self._last_success: datetime | None = None
        self._last_error: str | None = None
        self._offset: float | None = None
        self._prev_offset: float | None = None
        self._drifting = False
        self._record_count: int | None = None
        self._failures = 0
        # every series of this device exists from the start (at 0), so dashboards see it
        metrics.device_up.labels(device=self.label).set(0)
        for kind in ERROR_KINDS:
            metrics.device_read_errors.labels(device=self.label, kind=kind)
        metrics.device_punches_read.labels(device=self.label)
        metrics.device_clock_alerts.labels(device=self.label)

    # -- status ------------------------------------------------------------------------------
    @property
    def label(self) -> str:
        return self.spec.serial

    def status(self) -> DeviceStatus:
        with self._lock:
            return DeviceStatus(
                serial=self.spec.serial,
                name=self.spec.name,
                health=self._health,
                address=address_of(self.settings, self.spec.driver),
                last_success=self._last_success,
                last_error=self._last_error,
                clock_offset_s=self._offset,
            )

    def _mark_success(self) -> None:
        now = self.clock()
        with self._lock:
            was = self._health
            self._health = DeviceHealth.UP
            self._last_success = now
            self._last_error = None
        self._failures = 0
        self.backoff.reset()
        self.metrics.device_up.labels(device=self.label).set(1)
        self.metrics.device_last_success.labels(device=self.label).set(now.timestamp())
        if was == DeviceHealth.DOWN:
            log.info(
                "device recovered device=%s address=%s",
                self.label,
                address_of(self.settings, self.spec.driver),
            )
        elif was == DeviceHealth.STARTING:
            log.info(
                "device connected device=%s address=%s",
                self.label,
                address_of(self.settings, self.spec.driver),
            )

    def _mark_failure(self, exc: BaseException) -> None:
        kind = _error_kind(exc)
        self.metrics.device_read_errors.labels(device=self.label, kind=kind).inc()
        self.metrics.device_up.labels(device=self.label).set(0)
        self._failures += 1
        with self._lock:
            was = self._health
            self._health = DeviceHealth.DOWN
            self._last_error = f"{type(exc).__name__}: {exc}"
        if was != DeviceHealth.DOWN:
            operator = kind in ("auth", "wrong_device", "internal")
            level = logging.ERROR if operator else logging.WARNING
            log.log(
                level,
                "device unavailable device=%s kind=%s error=%s",
                self.label,
                kind,
                exc,
                exc_info=kind == "internal",
            )

    # -- main loop ---------------------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self._session(stop)
            except Exception as exc:  # noqa: BLE001 - a device thread must never die; counted, logged
                self._mark_failure(exc)
                if isinstance(exc, DeviceUnreachable):
                    self._maybe_rediscover(stop)
                delay = (
                    self.options.retry_cap_s
                    if isinstance(exc, AuthRejected | WrongDevice)
                    else self.backoff.next_delay()
                )
                stop.wait(delay)
                continue
            stop.wait(self.spec.poll_interval_s)

    def poll_once(self) -> None:
        """One contact as the loop makes it, on the caller's thread (a live driver is read,
        not followed); errors propagate. Benches and tests drive a simulated clock with it."""
        driver = self.factory(self.spec, self.settings)
        try:
            self._contact(driver)
            self._mark_success()
        finally:
            driver.close()

    def _session(self, stop: threading.Event) -> None:
        """One connection: identify, catch up, then (live) follow events until resync."""
        driver = self.factory(self.spec, self.settings)
        driver.on_reject(self._count_reject)
        driver.watch_anomalies(self._count_anomaly)
        for anomaly in driver.anomalies:  # the family's series exist from the start, at 0
            self._anomaly_series(anomaly)
        try:
            self._contact(driver)
            self._mark_success()
            if self.spec.live and Capability.LIVE in driver.capabilities:
                while not stop.is_set():
                    self._follow_live(driver, stop)
                    if stop.is_set():
                        return
                    self._contact(driver)
                    self._mark_success()
        finally:
            driver.close()

    def _contact(self, driver: Driver) -> None:
        info = driver.info()
        self._identify(info)
        offset = self._measure_clock(driver, info)
        cursor = self.outbox.cursor(self.spec.serial)
        result = driver.read_punches(since=cursor)
        self.metrics.device_punches_read.labels(device=self.label).inc(len(result.punches))
        added = self._commit(driver, result.punches, result.cursor, offset)
        if added:
            log.info("pulled device=%s read=%d new=%d", self.label, len(result.punches), added)

    def _anomaly_series(self, anomaly: Anomaly) -> Counter:
        series = (
            self.metrics.device_checksum_mismatch
            if anomaly.kind is AnomalyKind.CHECKSUM
            else self.metrics.device_protocol_quirks
        )
        return series.labels(device=self.label, kind=anomaly.detail)

    def _count_anomaly(self, anomaly: Anomaly) -> None:
        """Count what the driver accepted although it deviates (it logs each once)."""
        self._anomaly_series(anomaly).inc()

    def _identify(self, info: DeviceInfo) -> None:
        if info.serial_number != self.spec.serial:
            raise WrongDevice(
                f"device at {address_of(self.settings, self.spec.driver)} reports serial "
                f"{info.serial_number!r}, expected {self.spec.serial!r}; fix the address or the "
                "serial in config/devices.yaml"
            )
        address = address_of(self.settings, self.spec.driver)
        previous = self.outbox.remember_address(self.spec.serial, address)
        if previous is not None:
            self.metrics.device_address_changes.labels(device=self.label).inc()
            log.warning(
                "device address changed device=%s old=%s new=%s", self.label, previous, address
            )
        count = info.record_count
        if count is not None:
            if self._record_count is not None and count < self._record_count:
                self.metrics.device_log_shrinks.labels(device=self.label).inc()
                log.warning(
                    "device log shrank (cleared or reset) device=%s before=%d now=%d",
                    self.label,
                    self._record_count,
                    count,
                )
            self._record_count = count

    def _measure_clock(self, driver: Driver, info: DeviceInfo) -> float | None:
        device_clock: datetime | None
        if Capability.CLOCK in driver.capabilities:
            device_clock = driver.get_clock()
        else:
            device_clock = info.clock
        if device_clock is None:
            return None
        now = self.clock()
        offset = measure_offset(device_clock, now, self.spec.timezone)
        policy = self.options.clock_policy
        with self._lock:
            self._prev_offset, self._offset = self._offset, offset
        self.metrics.device_clock_offset.labels(device=self.label).set(offset)
        drifting = abs(offset) > policy.alert_threshold_s
        if drifting:
            self.metrics.device_clock_alerts.labels(device=self.label).inc()
        if drifting and not self._drifting:
            log.warning(
                "device clock drift device=%s offset_s=%.0f threshold_s=%.0f",
                self.label,
                offset,
                policy.alert_threshold_s,
            )
        elif self._drifting and not drifting:
            log.info("device clock back in tolerance device=%s offset_s=%.0f", self.label, offset)
        self._drifting = drifting
        if drifting and Capability.CLOCK in driver.capabilities:
            self._maybe_correct(driver, offset, now)
        return offset

    def _maybe_correct(self, driver: Driver, offset: float, now: datetime) -> None:
        plan = plan_correction(self.options.clock_policy, offset, now, self.spec.timezone)
        if isinstance(plan, Correction):
            driver.set_clock(plan.target)
            self.metrics.device_clock_corrections.labels(device=self.label).inc()
            log.warning(
                "device clock corrected device=%s offset_s=%.0f step_s=%.0f",
                self.label,
                offset,
                plan.step_s,
            )
        elif self.options.clock_policy.auto_correct:
            log.info("device clock not corrected device=%s reason=%s", self.label, plan)

    def _suspect(self, offset: float | None) -> bool:
        limit = self.options.clock_policy.alert_threshold_s
        return any(o is not None and abs(o) > limit for o in (offset, self._prev_offset))

    def _count_reject(self, record: RejectedRecord) -> None:
        self.metrics.device_records_rejected.labels(device=self.label, kind=record.kind.value).inc()

    def _commit(
        self, driver: Driver, punches: list[Punch], cursor: str | None, offset: float | None
    ) -> int:
        """Store the punches with the cursor, then let the driver acknowledge them."""
        received = self.clock()
        suspect = self._suspect(offset)
        wires = [
            to_wire(
                p,
                timezone=self.spec.timezone,
                received_at=received,
                clock_offset_s=offset,
                clock_suspect=suspect,
            )
            for p in punches
        ]
        added = self.outbox.commit(self.spec.serial, wires, cursor)
        if added:
            self.on_committed()
        if punches:
            driver.acknowledge(punches)  # stored (new or already there): the device may forget
        return added

    def _follow_live(self, driver: Driver, stop: threading.Event) -> None:
        """Take live events until ``stop`` or the resync interval ends."""
        session_stop = threading.Event()

        def end_session() -> None:
            # Ends with the session (a dropped connection must not leave this thread behind for
            # live_resync_s) and still ends the session on the worker-wide stop.
            deadline = time.monotonic() + self.options.live_resync_s
            while not (session_stop.is_set() or stop.is_set()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                session_stop.wait(min(remaining, _STOP_CHECK_S))
            session_stop.set()

        timer = threading.Thread(target=end_session, daemon=True, name=f"live-timer-{self.label}")
        timer.start()
        try:
            for punch in driver.live_punches(session_stop):
                self.metrics.device_punches_read.labels(device=self.label).inc()
                if punch.device_sn != self.spec.serial:
                    raise WrongDevice(
                        f"live event from serial {punch.device_sn!r} on device {self.spec.serial!r}"
                    )
                self._commit(driver, [punch], None, self._offset)
                self._mark_success()
                if session_stop.is_set():
                    break
        finally:
            session_stop.set()

    # -- rediscovery -------------------------------------------------------------------------
    def _maybe_rediscover(self, stop: threading.Event) -> None:
        subnet = self.spec.rediscover_subnet
        if subnet is None or "host" not in self.settings:
            return
        if self._failures % self.options.rediscover_after_failures != 0:
            return
        current = str(self.settings["host"])
        for n, host in enumerate(subnet.hosts()):
            if stop.is_set() or n >= 1024:
                return
            if str(host) == current:
                continue
            candidate = {**self.settings, "host": str(host)}
            try:
                with self.factory(self.spec, candidate) as driver:
                    serial = driver.info().serial_number
            except DriverError:
                continue
            if serial == self.spec.serial:
                log.warning(
                    "device rediscovered device=%s old=%s new=%s",
                    self.label,
                    address_of(self.settings, self.spec.driver),
                    address_of(candidate, self.spec.driver),
                )
                self.settings = candidate
                return


class DeviceManager:
    """The workers of every configured device, each on its own thread."""

    def __init__(self, workers: list[DeviceWorker]) -> None:
        self.workers = workers
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @classmethod
    def build(
        cls,
        specs: Iterable[DeviceSpec],
        *,
        outbox: Outbox,
        metrics: GatewayMetrics,
        options: WorkerOptions,
        factory: DriverFactory = registry_driver_factory,
        clock: Clock = utc_now,
        on_committed: Callable[[], None] = lambda: None,
    ) -> DeviceManager:
        return cls(
            [
                DeviceWorker(
                    s,
                    outbox=outbox,
                    metrics=metrics,
                    factory=factory,
                    options=options,
                    clock=clock,
                    on_committed=on_committed,
                )
                for s in specs
            ]
        )

    def start(self) -> None:
        for w in self.workers:
            t = threading.Thread(
                target=w.run, args=(self._stop,), daemon=True, name=f"device-{w.label}"
            )
            t.start()
            self._threads.append(t)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout)

    def status(self) -> list[DeviceStatus]:
        return [w.status() for w in self.workers]
