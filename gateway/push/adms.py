"""The ADMS receiver: one device request in, one answer out, punches durably stored first.

Order for an upload: parse the whole body (a body with no readable line is refused: 400 and
nothing stored), commit its punches to the outbox (fsynced), keep its unreadable lines
verbatim in push.db, and only then answer ``OK: n`` -- so a device never drops a punch the
gateway does not hold. A re-sent batch (timeout, lost OK) finds its punch ids already stored
and stores nothing twice. Bad lines among good ones: the good ones are stored, the bad ones
kept in ``rejects`` and counted in the answer, because firmware re-sends a refused batch
forever and one bad line would block every later punch of that clock.

Unknown serials never write punches: every request gets 403 (the device keeps its log and
retries after ErrorDelay) and the serial is listed as ``refused``, or ``quarantined`` when the
site allows auto-enrolment; once an admin admits it, its next retry is stored.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from drivers.adms.codec import (
    BadBody,
    encode_commands,
    encode_handshake,
    encode_push_reply,
    ok,
    parse_table_users,
)
from drivers.adms.commands import SET_TIME_PREFIX, set_time
from drivers.adms.protocol import (
    AdmsRequest,
    BadRequest,
    Message,
    MessageKind,
    classify,
    operlog_of,
    punches_of,
    results_of,
    table_name,
)
from drivers.zkteco.timecodec import pack_time_value
from gateway.errors import OutboxError
from gateway.metrics import GatewayMetrics
from gateway.punches.mapping import to_wire
from gateway.push.commit import GroupCommitter
from gateway.push.registry import ADMS, PushDevice, PushRegistry
from gateway.push.store import PushStore
from gateway.sync.outbox import Outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PushReply:
    status: int
    text: str
    content_type: str = "text/plain"


def _error(status: int, reason: str) -> PushReply:
    return PushReply(status, f"ERROR: {reason}\n")


class AdmsReceiver:
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
        self.metrics = metrics
        self.clock = clock
        self.on_committed = on_committed

    def handle(self, req: AdmsRequest, address: str) -> PushReply:
        started = time.perf_counter()
        endpoint = req.path.rstrip("/").rsplit("/", 1)[-1][:20] or "?"
        reply = self._handle(req, address)
        outcome = "ok" if reply.status < 400 else str(reply.status)
        self.metrics.push_requests.labels(endpoint=endpoint, outcome=outcome).inc()
        self.metrics.push_request_seconds.labels(endpoint=endpoint).observe(
            time.perf_counter() - started
        )
        return reply

    def _handle(self, req: AdmsRequest, address: str) -> PushReply:
        try:
            msg = classify(req)
        except BadRequest as exc:
            log.warning("adms request refused address=%s path=%s reason=%s", address, req.path, exc)
            return _error(exc.status, str(exc))
        except BadBody as exc:
            log.warning("adms body refused address=%s reason=%s", address, exc)
            return _error(400, str(exc))
        device = self.registry.lookup(msg.serial, ADMS)
        if device is None:
            return self._unknown(msg, address)
        self.store.seen(
            msg.serial,
            family=ADMS,
            status=device.status,
            address=address,
            pushver=msg.pushver,
            record_count=_record_count(msg),
        )
        try:
            return self._dispatch(msg, device)
        except BadBody as exc:
            log.warning(
                "adms upload refused device=%s table=%s reason=%s", msg.serial, msg.table, exc
            )
            return _error(400, str(exc))
        except OutboxError as exc:
            log.error("adms upload not stored device=%s error=%s", msg.serial, exc)
            return _error(503, "not stored, send again later")

    def _unknown(self, msg: Message, address: str) -> PushReply:
        status = self.registry.unknown_status()
        before = self.store.device(msg.serial)
        self.store.seen(msg.serial, family=ADMS, status=status, address=address, refused=True)
        self.metrics.push_unknown_requests.labels(status=status.value).inc()
        if before is None:
            log.warning(
                "unknown push device serial=%s address=%s status=%s; admit it with "
                "`shiftgate devices admit %s` or add it to devices.yaml",
                msg.serial,
                address,
                status,
                msg.serial,
            )
        return _error(403, f"device {msg.serial} is not admitted on this gateway")

    def _dispatch(self, msg: Message, device: PushDevice) -> PushReply:
        kind = msg.kind
        if kind == MessageKind.HANDSHAKE:
            return self._handshake(msg, device)
        if kind in (MessageKind.ATTLOG, MessageKind.RTLOG):
            return self._punches(msg, device)
        if kind == MessageKind.TABLEDATA:
            if table_name(msg) == "transaction":
                return self._punches(msg, device)
            if table_name(msg) == "user":
                users = parse_table_users(msg.text)
                self.store.save_users(msg.serial, users)
                return PushReply(200, ok(len(users)))
            return PushReply(200, ok())  # templates, photos: never kept
        if kind == MessageKind.OPERLOG:
            batch = operlog_of(msg, device.zone)
            if batch.users:
                self.store.save_users(msg.serial, batch.users)
            if batch.bad:
                self.store.record_rejects(msg.serial, "operlog", batch.bad)
                self.metrics.push_rejected_lines.labels(device=msg.serial).inc(len(batch.bad))
            if msg.stamp is not None:
                self.store.save_stamp(msg.serial, op=msg.stamp)
            return PushReply(200, ok(batch.lines))
        if kind == MessageKind.POLL:
            queued = [
                (ident, self._at_send_time(text, device))
                for ident, text in self.store.next_commands(
                    msg.serial, record_count=_record_count(msg)
                )
            ]
            if queued:
                log.info("adms commands sent device=%s ids=%s", msg.serial, [i for i, _ in queued])
            return PushReply(200, encode_commands(queued))
        if kind == MessageKind.RESULTS:
            results = results_of(msg)
            device_row = self.store.device(msg.serial)
            outcome = self.store.record_results(
                msg.serial,
                results,
                record_count=device_row.record_count if device_row else None,
            )
            if outcome.unknown:
                log.warning(
                    "adms results for unknown command ids device=%s n=%d",
                    msg.serial,
                    outcome.unknown,
                )
            return PushReply(200, ok())
        if kind == MessageKind.REGISTRY:
            code = hashlib.sha256(msg.serial.encode()).hexdigest()[:10]
            return PushReply(200, f"RegistryCode={code}\n")
        if kind == MessageKind.PUSH_CONFIG:
            session = hashlib.sha256(f"{msg.serial}{self.clock()}".encode()).hexdigest()[:16]
            delay = device.adms.delay_s if device.adms else 10
            return PushReply(200, encode_push_reply(session, delay_s=delay))
        if kind == MessageKind.TIME:
            now = self.clock().astimezone(device.zone)
            offset = now.utcoffset() or timedelta(0)
            minutes = int(offset.total_seconds() // 60)
            sign = "+" if minutes >= 0 else "-"
            tz = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
            wall = now.replace(tzinfo=None)
            return PushReply(200, f"DateTime={pack_time_value(wall)},ServerTZ={tz}\n")
        return PushReply(200, ok())  # PING, OTHER_TABLE

    def _at_send_time(self, text: str, device: PushDevice) -> str:
        """A set-time carries the time it is sent at, not the time it was queued at."""
        if not text.startswith(SET_TIME_PREFIX):
            return text
        wall = self.clock().astimezone(device.zone).replace(tzinfo=None, microsecond=0)
        return set_time(wall).text

    def _handshake(self, msg: Message, device: PushDevice) -> PushReply:
        stored = self.store.device(msg.serial)
        cfg = device.adms
        assert cfg is not None
        opts = cfg.handshake_options(
            att_stamp=stored.att_stamp if stored else "0",
            op_stamp=stored.op_stamp if stored else "0",
        )
        offset = self.clock().astimezone(device.zone).utcoffset() or timedelta(0)
        hours, rest = divmod(int(offset.total_seconds()), 3600)
        if rest == 0:  # firmware reads whole hours; a half-hour zone is left to the Date header
            opts = replace(opts, timezone_hours=hours)
        return PushReply(200, encode_handshake(msg.serial, opts, pushver=msg.pushver))

    def _punches(self, msg: Message, device: PushDevice) -> PushReply:
        batch = punches_of(msg, device.zone)
        received = self.clock()
        wires = [to_wire(p, timezone=device.timezone, received_at=received) for p in batch.punches]
        added = self.committer.commit(msg.serial, wires) if wires else 0
        if batch.bad:
            self.store.record_rejects(msg.serial, msg.kind.value, batch.bad)
            self.metrics.push_rejected_lines.labels(device=msg.serial).inc(len(batch.bad))
            log.warning(
                "adms lines not readable device=%s n=%d first=%s",
                msg.serial,
                len(batch.bad),
                batch.bad[0].reason,
            )
        if msg.stamp is not None and msg.kind == MessageKind.ATTLOG:
            self.store.save_stamp(msg.serial, att=msg.stamp)
        self.metrics.push_punches.labels(device=msg.serial).inc(len(wires))
        if added:
            self.on_committed()
        log.debug("adms upload device=%s lines=%d new=%d", msg.serial, batch.lines, added)
        return PushReply(200, ok(batch.lines))


def _record_count(msg: Message) -> int | None:
    """The log size in a getrequest's ``INFO=`` (firmware, users, fingerprints, records...)."""
    info = msg.query.get("info")
    if not info:
        return None
    parts = info.split(",")
    if len(parts) > 3 and parts[3].strip().isdigit():
        return int(parts[3])
    return None
