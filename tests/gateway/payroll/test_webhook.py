"""The pay-period-closed webhook against a local HTTP server: signed, retried with backoff on
outages, not retried on a refusal."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gateway.backoff import Backoff
from gateway.errors import BadInput
from gateway.payroll.webhook import WebhookConfig, WebhookSender, config_of, verify

SECRET = "shared-secret"


@dataclass
class Receiver:
    statuses: list[int]
    seen: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver([])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            rec.seen.append(({k.lower(): v for k, v in self.headers.items()}, body))
            status = rec.statuses.pop(0) if rec.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    rec.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield rec
    finally:
        server.shutdown()
        server.server_close()


def sender(url: str, delays: list[float], attempts: int = 5) -> WebhookSender:
    return WebhookSender(
        WebhookConfig(url, SECRET, attempts=attempts, timeout_s=5),
        sleep=delays.append,
        backoff=Backoff(base_s=1.0, cap_s=8.0),
        clock=lambda: 1_700_000_000.0,
    )


PAYLOAD = {"event": "payroll.period_closed", "site": "WH", "month": "2025-03", "run": 4}


def test_retries_with_backoff_until_delivered_and_signs_every_attempt(receiver: Receiver) -> None:
    receiver.statuses = [503, 500, 200]
    delays: list[float] = []
    result = sender(receiver.url, delays).send(PAYLOAD)
    assert result.delivered and result.attempts == 3 and result.status == 200
    assert len(receiver.seen) == 3
    assert len(delays) == 2 and 0.5 <= delays[0] <= 1.0 and 0.5 <= delays[1] <= 2.0
    for headers, body in receiver.seen:
        assert headers["x-shiftgate-event"] == "payroll.period_closed"
        assert verify(
            SECRET, headers["x-shiftgate-timestamp"], body, headers["x-shiftgate-signature"]
        )
        assert json.loads(body) == PAYLOAD
    headers, body = receiver.seen[0]
    assert not verify(
        "wrong", headers["x-shiftgate-timestamp"], body, headers["x-shiftgate-signature"]
    )


def test_a_refusal_is_not_retried(receiver: Receiver) -> None:
    receiver.statuses = [403]
    result = sender(receiver.url, []).send(PAYLOAD)
    assert not result.delivered and result.attempts == 1 and "refused" in result.detail


def test_gives_up_after_the_attempts(receiver: Receiver) -> None:
    receiver.statuses = [503] * 10
    delays: list[float] = []
    result = sender(receiver.url, delays, attempts=3).send(PAYLOAD)
    assert not result.delivered and result.attempts == 3 and result.status == 503
    assert len(delays) == 2


def test_unreachable_receiver_is_retried() -> None:
    delays: list[float] = []
    result = sender("http://127.0.0.1:9/hook", delays, attempts=2).send(PAYLOAD)
    assert not result.delivered and result.status is None and len(delays) == 1


def test_url_without_secret_is_refused() -> None:
    assert config_of(None, None) is None
    with pytest.raises(BadInput, match="PAYROLL_WEBHOOK_SECRET"):
        config_of("http://127.0.0.1/x", None)
