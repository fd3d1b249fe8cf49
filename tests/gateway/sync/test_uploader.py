from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from gateway.app import create_app
from gateway.backoff import Backoff
from gateway.errors import CentreRejected
from gateway.metrics import GatewayMetrics
from gateway.punches.wire import BatchResult, PunchBatch, PunchWire
from gateway.settings import Settings
from gateway.sync.outbox import Outbox
from gateway.sync.status import UploaderState
from gateway.sync.uploader import HttpCentre, StoreCentre, Uploader
from gateway.testing.waiting import wait_until
from hrcore.models import PunchRecord
from tests.gateway.helpers import make_wire


def stored(store: sessionmaker[Session]) -> int:
    with store() as s:
        return int(s.scalar(select(func.count()).select_from(PunchRecord)) or 0)


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    box = Outbox(tmp_path / "outbox.db")
    yield box
    box.close()


def test_store_centre_drains_outbox(outbox: Outbox, session_factory: sessionmaker[Session]) -> None:
    store = session_factory
    outbox.commit("SN1", [make_wire("SN1", str(u), u) for u in range(7)], "c")
    up = Uploader(outbox, StoreCentre(store), GatewayMetrics(), batch_size=3)
    assert up.drain() == 7
    assert outbox.depth() == 0
    assert stored(store) == 7


def test_http_centre_via_app(
    outbox: Outbox, store_url: str, store: sessionmaker[Session], tmp_path: Path
) -> None:
    app = create_app(
        Settings(database_url=store_url, var_dir=tmp_path, api_token="gw-secret"),
        session_factory=store,
    )
    centre = HttpCentre("http://centre", token="gw-secret", transport=TestClient(app)._transport)
    outbox.commit("SN1", [make_wire("SN1", "1", 0), make_wire("SN1", "2", 1)], "c")
    metrics = GatewayMetrics()
    up = Uploader(outbox, centre, metrics)
    assert up.drain() == 2
    assert stored(store) == 2
    # the same punches read again after a crash: re-sent, counted duplicate, stored once
    outbox2 = Outbox(tmp_path / "other.db")
    outbox2.commit("SN1", [make_wire("SN1", "1", 0)], "c")
    assert Uploader(outbox2, centre, metrics).drain() == 1
    assert stored(store) == 2
    assert (
        metrics.registry.get_sample_value(
            "shiftgate_uploaded_punches_total", {"result": "duplicate"}
        )
        == 1
    )


def test_refused_punch_is_parked_and_the_rest_flow(outbox: Outbox) -> None:
    good, bad = make_wire("SN1", "1", 0), make_wire("SN1", "2", 1)
    outbox.commit("SN1", [good, bad], "c")

    def handler(request: httpx.Request) -> httpx.Response:
        if str(bad.id) in request.content.decode():
            return httpx.Response(
                422,
                json={
                    "detail": [
                        {"loc": ["body", "punches", 1, "device_user"], "msg": "unknown user"}
                    ]
                },
            )
        return httpx.Response(200, json={"accepted": 1, "duplicate": 0})

    up = Uploader(
        outbox, HttpCentre("http://c", transport=httpx.MockTransport(handler)), GatewayMetrics()
    )
    assert up.drain() == 2
    assert outbox.depth() == 0 and outbox.rejected_count() == 1


def test_auth_failure_raises_with_hint(outbox: Outbox) -> None:
    outbox.commit("SN1", [make_wire("SN1", "1", 0)], "c")
    centre = HttpCentre(
        "http://c", transport=httpx.MockTransport(lambda r: httpx.Response(401, text="no"))
    )
    with pytest.raises(CentreRejected, match=r"centre\.token"):
        Uploader(outbox, centre, GatewayMetrics()).upload_once()
    assert outbox.depth() == 1


def test_network_cut_outbox_grows_then_drains(
    outbox: Outbox, store: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    """Centre unreachable for a while: nothing is pruned, the outbox grows, then drains."""
    up_state = threading.Event()
    inner = StoreCentre(store)

    def handler(request: httpx.Request) -> httpx.Response:
        if not up_state.is_set():
            raise httpx.ConnectError("network is unreachable", request=request)
        batch = PunchBatch.model_validate_json(request.content)
        return httpx.Response(200, json=inner.send(batch.punches).model_dump())

    metrics = GatewayMetrics()
    metrics.watch_outbox(outbox.depth, outbox.oldest_pending_at, clock=lambda: datetime.now(UTC))
    up = Uploader(
        outbox,
        HttpCentre("http://c", transport=httpx.MockTransport(handler)),
        metrics,
        batch_size=10,
        idle_s=0.05,
        backoff=Backoff(base_s=0.01, cap_s=0.05),
    )
    stop = threading.Event()
    thread = threading.Thread(target=up.run, args=(stop,), daemon=True)
    caplog.set_level("INFO", logger="gateway.sync.uploader")
    thread.start()
    try:
        for minute in range(40):
            outbox.commit("SN1", [make_wire("SN1", "7", minute)], str(minute))
        wait_until(
            lambda: (
                (
                    metrics.registry.get_sample_value(
                        "shiftgate_upload_errors_total", {"kind": "unavailable"}
                    )
                    or 0
                )
                >= 3
            )
        )
        assert outbox.depth() == 40
        assert metrics.registry.get_sample_value("shiftgate_outbox_depth") == 40
        up_state.set()
        up.wake()
        wait_until(lambda: outbox.depth() == 0, timeout=20)
    finally:
        stop.set()
        thread.join(10)
    assert stored(store) == 40
    assert metrics.registry.get_sample_value("shiftgate_upload_lag_seconds") == 0
    messages = [r.getMessage() for r in caplog.records]
    assert sum("upload failing" in m for m in messages) == 1
    assert sum("upload recovered" in m for m in messages) == 1


def test_store_centre_never_names_the_password(store: sessionmaker[Session]) -> None:
    centre = StoreCentre(store, "postgresql+psycopg://hr:s3cret@db.local/hr")
    assert "s3cret" not in centre.describe()
    assert "db.local" in centre.describe()


def test_memory_of_deliveries_is_trimmed_when_idle(
    outbox: Outbox, store: sessionmaker[Session]
) -> None:
    p = make_wire("SN1", "1", 0)
    outbox.commit("SN1", [p], "c")
    up = Uploader(
        outbox, StoreCentre(store), GatewayMetrics(), idle_s=0.01, remember=timedelta(seconds=-1)
    )
    stop = threading.Event()
    thread = threading.Thread(target=up.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_until(lambda: outbox.depth() == 0)
        # once forgotten, a re-read punch is queued again (and the centre dedups it)
        wait_until(lambda: outbox.commit("SN1", [p], "c") == 1)
        wait_until(lambda: outbox.depth() == 0)
    finally:
        stop.set()
        thread.join(10)
    assert stored(store) == 1


class FlakyCentre:
    """Fails with a non-upload error (as a broken outbox file or a centre bug would) until
    ``healthy`` is set, then delegates to ``inner``."""

    def __init__(self, inner: StoreCentre) -> None:
        self.inner = inner
        self.healthy = threading.Event()

    def describe(self) -> str:
        return "flaky"

    def send(self, punches: Sequence[PunchWire]) -> BatchResult:
        if not self.healthy.is_set():
            raise sqlite3.OperationalError("database is locked")
        return self.inner.send(punches)


def test_internal_error_does_not_kill_the_uploader(
    outbox: Outbox, store: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    centre = FlakyCentre(StoreCentre(store))
    metrics = GatewayMetrics()
    up = Uploader(outbox, centre, metrics, idle_s=0.05, backoff=Backoff(base_s=0.01, cap_s=0.05))
    outbox.commit("SN1", [make_wire("SN1", "1", 0), make_wire("SN1", "2", 1)], "c")
    stop = threading.Event()
    thread = threading.Thread(target=up.run, args=(stop,), daemon=True)
    caplog.set_level("INFO", logger="gateway.sync.uploader")
    thread.start()
    try:
        wait_until(
            lambda: (
                (
                    metrics.registry.get_sample_value(
                        "shiftgate_upload_errors_total", {"kind": "internal"}
                    )
                    or 0
                )
                >= 3
            )
        )
        assert thread.is_alive()
        status = up.status(alive=thread.is_alive())
        assert status.state is UploaderState.FAILING
        assert status.last_error is not None and "OperationalError" in status.last_error
        assert outbox.depth() == 2
        centre.healthy.set()
        wait_until(lambda: outbox.depth() == 0)
        wait_until(lambda: up.status().state is UploaderState.RUNNING)
    finally:
        stop.set()
        thread.join(10)
    assert stored(store) == 2
    messages = [r.getMessage() for r in caplog.records]
    assert sum("upload failing" in m and "kind=internal" in m for m in messages) == 1
    assert sum("upload recovered" in m for m in messages) == 1


@pytest.mark.parametrize("via", ["store", "http"])
def test_punch_the_store_refuses_is_parked_and_the_rest_flow(
    outbox: Outbox, store: sessionmaker[Session], store_url: str, tmp_path: Path, via: str
) -> None:
    """A permanent store error (not a duplicate) parks only the offending punch."""
    engine = create_engine(store_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse_user_bad BEFORE INSERT ON punches"
            " WHEN NEW.device_user = 'bad' BEGIN SELECT RAISE(ABORT, 'user bad refused'); END"
        )
    engine.dispose()
    if via == "store":
        centre: StoreCentre | HttpCentre = StoreCentre(store)
    else:
        app = create_app(
            Settings(database_url=store_url, var_dir=tmp_path, api_token="gw-secret"),
            session_factory=store,
        )
        centre = HttpCentre(
            "http://centre", token="gw-secret", transport=TestClient(app)._transport
        )
    punches = [make_wire("SN1", "1", 0), make_wire("SN1", "bad", 1), make_wire("SN1", "3", 2)]
    outbox.commit("SN1", punches, "c")
    metrics = GatewayMetrics()
    up = Uploader(outbox, centre, metrics)
    assert up.drain() == 3
    assert outbox.depth() == 0 and outbox.rejected_count() == 1
    assert stored(store) == 2
    rejected = metrics.registry.get_sample_value(
        "shiftgate_uploaded_punches_total", {"result": "rejected"}
    )
    assert rejected == 1


def test_health_shows_a_dead_or_stuck_uploader(
    outbox: Outbox, tmp_path: Path, store_url: str, store: sessionmaker[Session]
) -> None:
    release = threading.Event()

    class HangingCentre:
        def describe(self) -> str:
            return "hanging"

        def send(self, punches: Sequence[PunchWire]) -> BatchResult:
            release.wait(30)
            raise KeyboardInterrupt  # ends the thread as an uncaught BaseException would

    outbox.commit("SN1", [make_wire("SN1", "1", 0)], "c")
    up = Uploader(outbox, HangingCentre(), GatewayMetrics(), stuck_after_s=0.05)
    stop = threading.Event()

    def run() -> None:
        with contextlib.suppress(KeyboardInterrupt):
            up.run(stop)

    thread = threading.Thread(target=run, daemon=True)
    app = create_app(
        Settings(database_url=store_url, var_dir=tmp_path),
        session_factory=store,
        uploader_status=lambda: up.status(alive=thread.is_alive()),
    )
    client = TestClient(app)
    assert up.status().state is UploaderState.STARTING
    thread.start()
    try:
        wait_until(lambda: client.get("/api/v1/health").json()["uploader"]["state"] == "stuck")
        assert client.get("/api/v1/health").status_code == 503
    finally:
        stop.set()
        release.set()
        thread.join(10)
    resp = client.get("/api/v1/health")
    assert resp.status_code == 503
    assert resp.json()["status"] == "degraded"
    assert resp.json()["uploader"]["state"] == "stopped"
