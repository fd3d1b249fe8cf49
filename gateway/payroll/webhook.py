"""The pay-period-closed webhook: a JSON POST to the configured URL, signed with a shared
secret (HMAC-SHA256 over timestamp and body), retried with backoff on outages.

Headers: ``X-Shiftgate-Event: payroll.period_closed``, ``X-Shiftgate-Timestamp`` (Unix
seconds) and ``X-Shiftgate-Signature: sha256=<hex>`` over ``"<timestamp>.<body>"``. A 2xx reply
delivers; 408, 429, 5xx and network errors are retried; any other 4xx is a refusal (not
retried: the receiver said no).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from gateway.backoff import Backoff
from gateway.errors import BadInput
from hrcore.payroll.money import show
from hrcore.store.payroll import LockReport

log = logging.getLogger(__name__)
EVENT = "payroll.period_closed"
_RETRY_STATUS = frozenset({408, 425, 429})


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    url: str
    secret: str
    attempts: int = 5
    timeout_s: float = 10.0


@dataclass(frozen=True, slots=True)
class Delivery:
    delivered: bool
    attempts: int
    status: int | None  # the last HTTP status, None if the last attempt got no reply
    detail: str


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver checks (and the tests do)."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def config_of(url: str | None, secret: str | None) -> WebhookConfig | None:
    if not url:
        return None
    if not secret:
        raise BadInput(
            "SHIFTGATE_PAYROLL_WEBHOOK_URL is set but SHIFTGATE_PAYROLL_WEBHOOK_SECRET is not; "
            "set the shared secret the receiver checks"
        )
    return WebhookConfig(url, secret)


@dataclass(slots=True)
class WebhookSender:
    config: WebhookConfig
    sleep: Callable[[float], None] = time.sleep
    backoff: Backoff = field(default_factory=lambda: Backoff(base_s=1.0, cap_s=30.0))
    clock: Callable[[], float] = time.time
    transport: httpx.BaseTransport | None = None

    def send(self, payload: Mapping[str, Any]) -> Delivery:
        body = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        last_status: int | None = None
        detail = ""
        with httpx.Client(timeout=self.config.timeout_s, transport=self.transport) as client:
            for attempt in range(1, self.config.attempts + 1):
                stamp = str(int(self.clock()))
                headers = {
                    "Content-Type": "application/json",
                    "X-Shiftgate-Event": EVENT,
                    "X-Shiftgate-Timestamp": stamp,
                    "X-Shiftgate-Signature": sign(self.config.secret, stamp, body),
                }
                try:
                    reply = client.post(self.config.url, content=body, headers=headers)
                except httpx.HTTPError as exc:
                    last_status, detail = None, f"{type(exc).__name__}: {exc}"
                else:
                    last_status = reply.status_code
                    if reply.is_success:
                        log.info(
                            "payroll webhook delivered url=%s attempts=%d", self.config.url, attempt
                        )
                        return Delivery(True, attempt, last_status, "delivered")
                    detail = f"HTTP {reply.status_code}"
                    if reply.status_code < 500 and reply.status_code not in _RETRY_STATUS:
                        log.warning(
                            "payroll webhook refused url=%s status=%d",
                            self.config.url,
                            reply.status_code,
                        )
                        return Delivery(False, attempt, last_status, f"refused: {detail}")
                if attempt < self.config.attempts:
                    self.sleep(self.backoff.next_delay())
        log.warning(
            "payroll webhook failed url=%s attempts=%d detail=%s",
            self.config.url,
            self.config.attempts,
            detail,
        )
        return Delivery(False, self.config.attempts, last_status, detail)


def period_closed(report: LockReport) -> dict[str, Any]:
    """The webhook's body for a locked period."""
    return {
        "event": EVENT,
        "site": report.site,
        "month": f"{report.month:%Y-%m}",
        "run": report.run_id,
        "employees": report.employees,
        "gross": show(report.gross),
        "net": show(report.net),
        "locked_at": report.locked_at.isoformat(),
    }


def send_in_background(config: WebhookConfig, payload: Mapping[str, Any]) -> threading.Thread:
    """Deliver without holding up the caller (the API's lock request); the outcome is logged."""
    thread = threading.Thread(
        target=WebhookSender(config).send, args=(payload,), name="payroll-webhook", daemon=True
    )
    thread.start()
    return thread
