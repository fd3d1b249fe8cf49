"""The ISAPI event listener: a terminal's pushed event (its HTTP listening host) in, punches
durably stored, then 200.

The terminal is found by the serial in the URL (``/isapi/events/<serial>``, the URL to set in
its ``httpHosts``) or else by its address in devices.yaml. Unknown terminals never write
punches (403; listed as refused or quarantined like ADMS serials). A body that is not an
event notification gets 400 and nothing is stored; events that are no punches (door, alarm,
failed authentication, heartbeats) are acknowledged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from drivers.errors import ProtocolViolation
from drivers.isapi.codec import AcsEvent, parse_notification, to_punch
from gateway.errors import OutboxError
from gateway.metrics import GatewayMetrics
from gateway.punches.mapping import to_wire
from gateway.push.adms import PushReply
from gateway.push.commit import GroupCommitter
from gateway.push.registry import ISAPI, PushRegistry
from gateway.push.store import PushStore
from gateway.sync.outbox import Outbox

log = logging.getLogger(__name__)
ENDPOINT = "isapi_events"


class IsapiReceiver:
    def __init__(
        self,
        *,
        registry: PushRegistry,
        store: PushStore,
        outbox: Outbox,
        metrics: GatewayMetrics,
        clock: Callable[[], datetime],
        on_committed: Callable[[], None] = lambda: None,
        committer: GroupCommitter | None = None,
    ) -> None:
        self.registry = registry
        self.store = store
        self.outbox = outbox
        self.committer = committer or GroupCommitter(outbox)
        self._last_serial: dict[str, int] = {}
        self.metrics = metrics
        self.clock = clock
        self.on_committed = on_committed

    def handle(
        self, serial: str | None, body: bytes, content_type: str | None, address: str
    ) -> PushReply:
        started = time.perf_counter()
        reply = self._handle(serial, body, content_type, address)
        outcome = "ok" if reply.status < 400 else str(reply.status)
        self.metrics.push_requests.labels(endpoint=ENDPOINT, outcome=outcome).inc()
        self.metrics.push_request_seconds.labels(endpoint=ENDPOINT).observe(
            time.perf_counter() - started
        )
        return reply

    def _handle(
        self, serial: str | None, body: bytes, content_type: str | None, address: str
    ) -> PushReply:
        device = self.registry.lookup(serial, ISAPI) if serial else self.registry.by_host(address)
        if device is None:
            name = serial or f"isapi@{address}"
            status = self.registry.unknown_status()
            if self.store.device(name) is None:
                log.warning(
                    "unknown ISAPI terminal serial=%s address=%s status=%s", name, address, status
                )
            self.store.seen(name, family=ISAPI, status=status, address=address, refused=True)
            self.metrics.push_unknown_requests.labels(status=status.value).inc()
            return PushReply(403, f"terminal {name} is not admitted on this gateway\n")
        self.store.seen(device.serial, family=ISAPI, status=device.status, address=address)
        try:
            events = parse_notification(body, content_type, device.zone)
        except ProtocolViolation as exc:
            log.warning("isapi event refused device=%s reason=%s", device.serial, exc)
            return PushReply(400, f"not an event notification: {exc}\n")
        self._watch_numbers(device.serial, events)
        punches = [
            p
            for e in events
            if (p := to_punch(e, device_sn=device.serial, zone=device.zone)) is not None
        ]
        received = self.clock()
        wires = [to_wire(p, timezone=device.timezone, received_at=received) for p in punches]
        try:
            added = self.committer.commit(device.serial, wires) if wires else 0
        except OutboxError as exc:
            log.error("isapi event not stored device=%s error=%s", device.serial, exc)
            return PushReply(503, "not stored, send again later\n")
        self.metrics.push_punches.labels(device=device.serial).inc(len(wires))
        if added:
            self.on_committed()
        return PushReply(200, "OK\n")

    def _watch_numbers(self, serial: str, events: list[AcsEvent]) -> None:
        """Count event numbers the terminal skipped: an event's ``frontSerialNo`` (the number
        before it) above the last one seen means events in between never came."""
        for e in events:
            if e.serial_no is None:
                continue
            last = self._last_serial.get(serial)
            front = e.front_serial_no if e.front_serial_no is not None else e.serial_no - 1
            if last is not None and front > last:
                self.metrics.push_event_gaps.labels(device=serial).inc(front - last)
                log.warning(
                    "isapi events missing device=%s after=%d next=%d", serial, last, e.serial_no
                )
            if last is None or e.serial_no > last:
                self._last_serial[serial] = e.serial_no
