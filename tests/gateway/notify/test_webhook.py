"""The webhook: the alert's body, and every failure as AlertDeliveryFailed (retried later)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from gateway.errors import AlertDeliveryFailed
from gateway.notify.webhook import WebhookSender
from hrcore.enums import RiskLevel
from hrcore.store.risk import AlertView

ALERT = AlertView(
    id=7,
    employee="E04",
    name="Zhang Wei",
    level=RiskLevel.RED,
    reason="red: long weeks + 1 more signal",
    flags=({"kind": "long_weeks", "summary": "3 weeks in a row above 50 h", "evidence": []},),
    raised_at=datetime(2025, 3, 16, 12, 1, tzinfo=UTC),
    trigger_at=datetime(2025, 3, 16, 12, 0, tzinfo=UTC),
    delivered_at=None,
    attempts=0,
    last_error=None,
    acknowledged_at=None,
    acknowledged_by=None,
    ack_note=None,
)


def sender(handler: httpx.MockTransport) -> WebhookSender:
    return WebhookSender("http://hooks.test/risk", client=httpx.Client(transport=handler))


def test_the_body_says_who_what_and_why() -> None:
    seen: list[dict[str, object]] = []

    def ok(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(204)

    sender(httpx.MockTransport(ok)).send(ALERT)
    assert seen == [
        {
            "alert_id": 7,
            "employee": "E04",
            "name": "Zhang Wei",
            "level": "red",
            "reason": "red: long weeks + 1 more signal",
            "raised_at": "2025-03-16T12:01:00+00:00",
            "flags": [
                {"kind": "long_weeks", "summary": "3 weeks in a row above 50 h", "evidence": []}
            ],
            "text": "E04 (Zhang Wei) turned red: red: long weeks + 1 more signal",
        }
    ]


def test_no_answer_and_non_2xx_are_delivery_failures() -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(AlertDeliveryFailed, match=r"ConnectError.*SHIFTGATE_RISK_WEBHOOK_URL"):
        sender(httpx.MockTransport(refused)).send(ALERT)
    with pytest.raises(AlertDeliveryFailed, match="answered HTTP 500"):
        sender(httpx.MockTransport(lambda r: httpx.Response(500))).send(ALERT)
