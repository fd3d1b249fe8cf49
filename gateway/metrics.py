"""Prometheus series of one gateway, on a registry of its own (never the global one)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class GatewayMetrics:
    """Every series the gateway exports. Built once per process (or per test) and passed down."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.device_up = Gauge(
            "shiftgate_device_up",
            "1 when the last contact with the device worked",
            ["device"],
            registry=r,
        )
        self.device_last_success = Gauge(
            "shiftgate_device_last_success_timestamp_seconds",
            "Unix time of the last successful read from the device",
            ["device"],
            registry=r,
        )
        self.device_read_errors = Counter(
            "shiftgate_device_read_errors",
            "Failed contacts with a device, by error kind",
            ["device", "kind"],
            registry=r,
        )
        self.device_records_rejected = Counter(
            "shiftgate_device_records_rejected",
            "Records or bytes a device sent that are not punches (kept in the log, raw), by kind",
            ["device", "kind"],
            registry=r,
        )
        self.device_punches_read = Counter(
            "shiftgate_device_punches_read",
            "Punches read from the device (before dedup)",
            ["device"],
            registry=r,
        )
        self.device_clock_offset = Gauge(
            "shiftgate_device_clock_offset_seconds",
            "Device clock minus true time, measured at the last contact",
            ["device"],
            registry=r,
        )
        self.device_clock_alerts = Counter(
            "shiftgate_device_clock_drift_alerts",
            "Contacts at which the clock offset exceeded the alert threshold",
            ["device"],
            registry=r,
        )
        self.device_clock_corrections = Counter(
            "shiftgate_device_clock_corrections",
            "Automatic clock corrections applied",
            ["device"],
            registry=r,
        )
        self.device_address_changes = Counter(
            "shiftgate_device_address_changes",
            "Times the device answered at a new address",
            ["device"],
            registry=r,
        )
        self.device_log_shrinks = Counter(
            "shiftgate_device_log_shrinks",
            "Times the device's record count went down (log cleared or device reset)",
            ["device"],
            registry=r,
        )
        self.device_checksum_mismatch = Counter(
            "shiftgate_device_checksum_mismatch",
            "Replies whose checksum was not the protocol manual's, by kind (pyzk: the form of "
            "the open-source clients; neither_retried / neither_accepted: of no known form)",
            ["device", "kind"],
            registry=r,
        )
        self.device_protocol_quirks = Counter(
            "shiftgate_device_protocol_quirks",
            "Other deviations from the protocol the driver accepted, by kind",
            ["device", "kind"],
            registry=r,
        )
        self.outbox_depth = Gauge(
            "shiftgate_outbox_depth",
            "Punches in the outbox not yet confirmed by the centre",
            registry=r,
        )
        self.outbox_bytes = Gauge(
            "shiftgate_outbox_bytes",
            "Bytes the outbox's pages hold (pending, delivered ids, rejected, cursors)",
            registry=r,
        )
        self.outbox_budget_bytes = Gauge(
            "shiftgate_outbox_budget_bytes",
            "The outbox's disk budget (0 when none is set)",
            registry=r,
        )
        self.outbox_budget_alarm = Gauge(
            "shiftgate_outbox_budget_alarm",
            "1 when the outbox holds at least outbox.alarm_fraction of its budget",
            registry=r,
        )
        self.outbox_pruned = Counter(
            "shiftgate_outbox_pruned",
            "Delivered punch ids the outbox forgot to stay within its budget",
            registry=r,
        )
        self.upload_lag = Gauge(
            "shiftgate_upload_lag_seconds",
            "Age of the oldest punch waiting in the outbox (0 when empty)",
            registry=r,
        )
        self.uploaded = Counter(
            "shiftgate_uploaded_punches",
            "Punches the centre confirmed",
            ["result"],
            registry=r,
        )
        self.upload_errors = Counter(
            "shiftgate_upload_errors",
            "Failed upload attempts, by error kind",
            ["kind"],
            registry=r,
        )

        self.push_requests = Counter(
            "shiftgate_push_requests",
            "Requests of push devices (ADMS, ISAPI events), by endpoint and outcome",
            ["endpoint", "outcome"],
            registry=r,
        )
        self.push_request_seconds = Histogram(
            "shiftgate_push_request_seconds",
            "Time to answer a push device, storing included",
            ["endpoint"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=r,
        )
        self.push_punches = Counter(
            "shiftgate_push_punches",
            "Punches received from push devices (before dedup)",
            ["device"],
            registry=r,
        )
        self.push_rejected_lines = Counter(
            "shiftgate_push_rejected_lines",
            "Upload lines that could not be read (kept verbatim in push.db)",
            ["device"],
            registry=r,
        )
        self.push_event_gaps = Counter(
            "shiftgate_push_event_gaps",
            "Event numbers a pushing terminal skipped (ISAPI serialNo / frontSerialNo)",
            ["device"],
            registry=r,
        )
        self.push_unknown_requests = Counter(
            "shiftgate_push_unknown_device_requests",
            "Requests from serials that are not configured or admitted",
            ["status"],
            registry=r,
        )
        self.risk_alerts = Counter(
            "shiftgate_risk_alerts",
            "Risk alerts raised (an employee's level turned red)",
            ["level"],
            registry=r,
        )
        self.risk_alert_delay = Gauge(
            "shiftgate_risk_alert_delay_seconds",
            "Time from the punch that crossed the line reaching the store to the last alert",
            registry=r,
        )
        self.risk_alert_deliveries = Counter(
            "shiftgate_risk_alert_deliveries",
            "Webhook deliveries of risk alerts, by outcome (delivered, failed)",
            ["outcome"],
            registry=r,
        )
        self.risk_watch_errors = Counter(
            "shiftgate_risk_watch_errors",
            "Risk re-evaluations that failed (the next tick tries again)",
            registry=r,
        )

    def watch_outbox(
        self,
        depth: Callable[[], int],
        oldest: Callable[[], datetime | None],
        clock: Callable[[], datetime],
    ) -> None:
        """Read depth and lag from the outbox at scrape time, so they are never stale."""

        def lag() -> float:
            first = oldest()
            return 0.0 if first is None else max(0.0, (clock() - first).total_seconds())

        self.outbox_depth.set_function(lambda: float(depth()))
        self.upload_lag.set_function(lag)

    def watch_outbox_budget(
        self,
        used_bytes: Callable[[], int],
        budget_bytes: int | None,
        alarm: Callable[[], bool],
    ) -> None:
        """Read the outbox's size and alarm at scrape time."""
        self.outbox_bytes.set_function(lambda: float(used_bytes()))
        self.outbox_budget_bytes.set(float(budget_bytes or 0))
        self.outbox_budget_alarm.set_function(lambda: 1.0 if alarm() else 0.0)

    def render(self) -> bytes:
        return generate_latest(self.registry)
