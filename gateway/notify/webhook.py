"""Delivering a risk alert: one JSON POST to the configured URL.

The body names the employee, the level, why, and every flag with its evidence, so the
receiver (a chat hook, a ticket system) needs nothing else. No answer or a non-2xx answer is
:class:`AlertDeliveryFailed`; the watcher counts the attempt and tries again next tick.
"""

from __future__ import annotations

from typing import Any

import httpx

from gateway.errors import AlertDeliveryFailed
from hrcore.store.risk import AlertView


def alert_body(alert: AlertView) -> dict[str, Any]:
    return {
        "alert_id": alert.id,
        "employee": alert.employee,
        "name": alert.name,
        "level": alert.level.value,
        "reason": alert.reason,
        "raised_at": alert.raised_at.isoformat(),
        "flags": list(alert.flags),
        "text": f"{alert.employee} ({alert.name}) turned {alert.level.value}: {alert.reason}",
    }


class WebhookSender:
    def __init__(self, url: str, *, client: httpx.Client | None = None, timeout_s: float = 10.0):
        self.url = url
        self.client = client or httpx.Client(timeout=timeout_s)

    def send(self, alert: AlertView) -> None:
        try:
            response = self.client.post(self.url, json=alert_body(alert))
        except httpx.HTTPError as exc:
            raise AlertDeliveryFailed(
                f"webhook {self.url}: {type(exc).__name__}: {exc}; check SHIFTGATE_RISK_WEBHOOK_URL"
            ) from exc
        if not response.is_success:
            raise AlertDeliveryFailed(f"webhook {self.url} answered HTTP {response.status_code}")

    def close(self) -> None:
        self.client.close()
