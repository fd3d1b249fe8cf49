"""A `driver: isapi` device under the gateway's worker: polled through the event search with
its cursor, each punch once in the outbox, new events on the next poll; a pushed copy of a
polled event is the same punch."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx

from drivers.isapi.codec import encode_notification
from drivers.isapi.simulator import IsapiSimulator
from gateway.config.service import DeviceSpec
from gateway.devices.manager import DeviceWorker, WorkerOptions
from gateway.metrics import GatewayMetrics
from gateway.sync.outbox import Outbox
from gateway.testing.waiting import wait_until
from tests.gateway.push.conftest import ISAPI_SN, TZ, Gateway

FAST = WorkerOptions(retry_base_s=0.01, retry_cap_s=0.05)


def test_worker_polls_an_isapi_terminal(tmp_path: Path, gateway: Gateway) -> None:
    with IsapiSimulator(password="pw", events=70, seed=5, timezone=TZ) as sim:
        spec = DeviceSpec(
            ISAPI_SN,
            "door",
            "isapi",
            TZ,
            None,
            0.05,
            False,
            None,
            {
                "host": "127.0.0.1",
                "port": sim.port,
                "password": "pw",
                "timezone": TZ,
                "serial": ISAPI_SN,
            },
        )
        outbox = Outbox(tmp_path / "outbox.db")
        worker = DeviceWorker(spec, outbox=outbox, metrics=GatewayMetrics(), options=FAST)
        stop = threading.Event()
        thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
        expected = sum(1 for e in sim.events if e.employee and e.minor in (1, 38, 75))
        thread.start()
        try:
            wait_until(lambda: outbox.depth() == expected, timeout=30)
            event = sim.punch_now("5")
            wait_until(lambda: outbox.depth() == expected + 1, timeout=30)
            searches = sum(1 for r in sim.requests if r.endswith("/AcsEvent"))
            wait_until(
                lambda: sum(1 for r in sim.requests if r.endswith("/AcsEvent")) > searches + 3,
                timeout=30,
            )
            assert outbox.depth() == expected + 1  # polls go on; nothing read twice
        finally:
            stop.set()
            thread.join(10)
        assert worker.status().clock_offset_s is not None
        polled = {str(i.punch.id) for i in outbox.peek(1000)}
        body, ctype = encode_notification(event.alert("127.0.0.1", sim.port), boundary="b0")
        resp = httpx.post(
            f"{gateway.url}/isapi/events/{ISAPI_SN}", content=body, headers={"Content-Type": ctype}
        )
        assert resp.status_code == 200
        assert gateway.stored_ids() <= polled and len(gateway.stored_ids()) == 1
