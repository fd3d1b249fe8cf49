"""The ADMS device simulator behaves as firmware towards odd servers: a bare OK handshake,
a 5xx (the batch is kept and sent again), a 4xx (it stops and says so)."""

from __future__ import annotations

import httpx
import pytest

from drivers.adms.simulator import USER_AGENT, AdmsDeviceSimulator
from drivers.errors import ProtocolViolation


class Server:
    def __init__(self, upload_answers: list[tuple[int, str]]) -> None:
        self.answers = upload_answers
        self.bodies: list[bytes] = []
        self.headers: list[httpx.Headers] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.headers.append(request.headers)
        if request.method == "GET":
            return httpx.Response(200, text="OK")  # a bare OK, as some servers answer
        self.bodies.append(request.content)
        status, text = self.answers.pop(0) if self.answers else (200, "OK")
        return httpx.Response(status, text=text)


def sim(server: Server) -> AdmsDeviceSimulator:
    return AdmsDeviceSimulator(
        "http://gw",
        records=30,
        batch_size=10,
        max_wait_s=0.0,
        transport=httpx.MockTransport(server),
    )


def test_bare_ok_handshake_and_5xx_resends_the_same_batch() -> None:
    server = Server([(503, "busy"), (200, "ERROR"), (200, "OK: 10")])
    with sim(server) as dev:
        assert dev.handshake() == {}
        assert dev.upload() == 30
    assert dev.stats.resends == 2 and dev.stats.errors == 2
    assert server.bodies[0] == server.bodies[1] == server.bodies[2]  # kept until OK
    assert len(server.bodies) == 5
    first = server.headers[0]
    assert first["user-agent"] == USER_AGENT and first["connection"] == "close"
    assert server.headers[1]["content-type"] == "text/plain"


def test_a_4xx_stops_the_upload_with_the_reason() -> None:
    with (
        sim(Server([(403, "ERROR: not admitted")])) as dev,
        pytest.raises(ProtocolViolation, match="403"),
    ):
        dev.upload()
    assert dev.acked == 0
