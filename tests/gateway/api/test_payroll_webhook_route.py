"""Locking a month over the API tells the payroll webhook (a local HTTP server), signed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gateway.payroll.webhook import verify
from gateway.testing.waiting import wait_until
from hrcore.enums import Role
from tests.gateway.api.fixtures import DemoApi


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    seen: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", seen
    finally:
        server.shutdown()
        server.server_close()


def test_lock_over_the_api_tells_the_webhook(
    demo_api: DemoApi, receiver: tuple[str, list[tuple[dict[str, str], bytes]]]
) -> None:
    url, seen = receiver
    app = demo_api.client.app
    state = app.state.shiftgate  # type: ignore[attr-defined]
    settings = state.settings.model_copy(
        update={"payroll_webhook_url": url, "payroll_webhook_secret": "api-secret"}
    )
    app.state.shiftgate = replace(state, settings=settings)  # type: ignore[attr-defined]
    body = {"site": "DEMO-WH", "month": "2025-03-01"}
    headers = demo_api.auth(Role.PAYROLL)
    assert (
        demo_api.client.post("/api/v1/payroll/runs", json=body, headers=headers).status_code == 200
    )
    locked = demo_api.client.post("/api/v1/payroll/lock", json=body, headers=headers)
    assert locked.status_code == 200, locked.text
    wait_until(lambda: seen, timeout=10)
    hdrs, payload = seen[0]
    assert hdrs["x-shiftgate-event"] == "payroll.period_closed"
    assert verify(
        "api-secret", hdrs["x-shiftgate-timestamp"], payload, hdrs["x-shiftgate-signature"]
    )
    assert b'"site": "DEMO-WH"' in payload and b'"month": "2025-03"' in payload
