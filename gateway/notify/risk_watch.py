"""The risk watcher: every interval, the employees whose punches reached the store since the
last tick are re-evaluated (attendance recomputed where stale), a turn to red raises one
alert, and undelivered alerts go to the webhook.

However the punches arrived (gateway upload, file import, push), they carry the time they
reached the store (``stored_at``), so one watcher covers them all; an alert is raised within
one interval of the punch that crossed the line. Each tick looks back a little before the
last one (``overlap``) so a punch committed late is not missed; evaluating an employee twice
raises nothing twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from gateway.errors import AlertDeliveryFailed
from gateway.metrics import GatewayMetrics
from gateway.notify.people_files import PeopleConfig
from hrcore.errors import StoreError
from hrcore.store.risk import AlertView, list_alerts, record_delivery, reevaluate_after_punches

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


class AlertSender(Protocol):
    def send(self, alert: AlertView) -> None: ...


@dataclass(frozen=True, slots=True)
class TickReport:
    employees: int
    raised: tuple[int, ...]
    delivered: int
    failed: int


class RiskWatcher:
    def __init__(
        self,
        factory: sessionmaker[Session],
        config: PeopleConfig,
        *,
        clock: Clock,
        metrics: GatewayMetrics | None = None,
        sender: AlertSender | None = None,
        max_attempts: int = 10,
        overlap: timedelta = timedelta(minutes=2),
        since: datetime | None = None,
        as_of: date | None = None,
    ) -> None:
        self.factory = factory
        self.config = config
        self.clock = clock
        self.metrics = metrics or GatewayMetrics()
        self.sender = sender
        self.max_attempts = max_attempts
        self.overlap = overlap
        self.watermark = since if since is not None else clock()
        self.as_of = as_of  # None: each site's local today (a replay or the demo fixes it)

    def tick(self) -> TickReport:
        now = self.clock()
        with self.factory.begin() as session:
            result = reevaluate_after_punches(
                session,
                self.watermark,
                now,
                config=self.config.risk,
                clock=self.clock,
                scorecard=self.config.scorecard,
                overlap=self.overlap,
                as_of=self.as_of,
            )
        self.watermark = now
        if result.alerts:
            with self.factory() as session:
                raised = [a for a in list_alerts(session) if a.id in set(result.alerts)]
            for alert in raised:
                self.metrics.risk_alerts.labels(level=alert.level.value).inc()
                delay = (
                    (alert.raised_at - alert.trigger_at).total_seconds()
                    if alert.trigger_at is not None
                    else 0.0
                )
                self.metrics.risk_alert_delay.set(delay)
                log.warning(
                    "risk alert raised alert=%d employee=%s level=%s reason=%r delay_s=%.0f",
                    alert.id,
                    alert.employee,
                    alert.level.value,
                    alert.reason,
                    delay,
                )
        delivered, failed = self.deliver()
        return TickReport(len(result.assessments), result.alerts, delivered, failed)

    def deliver(self) -> tuple[int, int]:
        """Send every alert not delivered yet (and tried fewer than ``max_attempts`` times)."""
        if self.sender is None:
            return 0, 0
        with self.factory() as session:
            pending = list_alerts(session, undelivered_below=self.max_attempts)
        delivered = failed = 0
        for alert in reversed(pending):  # oldest first
            error = None
            try:
                self.sender.send(alert)
            except AlertDeliveryFailed as exc:
                error = str(exc)
            with self.factory.begin() as session:
                record_delivery(session, alert.id, at=self.clock(), error=error)
            if error is None:
                delivered += 1
                self.metrics.risk_alert_deliveries.labels(outcome="delivered").inc()
                log.info("risk alert delivered alert=%d employee=%s", alert.id, alert.employee)
            else:
                failed += 1
                self.metrics.risk_alert_deliveries.labels(outcome="failed").inc()
                log.warning(
                    "risk alert delivery failed alert=%d attempt=%d error=%s",
                    alert.id,
                    alert.attempts + 1,
                    error,
                )
        return delivered, failed

    def run(self, stop: threading.Event, interval_s: float) -> None:
        """Tick every ``interval_s`` until ``stop`` is set; a failed tick is logged, counted
        and retried at the next one (its window is kept)."""
        while not stop.wait(interval_s):
            try:
                self.tick()
            except (StoreError, SQLAlchemyError) as exc:
                self.metrics.risk_watch_errors.inc()
                log.error("risk watch failed error=%s: %s", type(exc).__name__, exc)
