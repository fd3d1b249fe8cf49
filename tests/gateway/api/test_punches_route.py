from __future__ import annotations

import uuid
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gateway.app import create_app
from gateway.metrics import GatewayMetrics
from gateway.settings import Settings
from gateway.sync.uploader import HttpCentre
from hrcore.models import Device, PunchRecord, Site
from tests.gateway.helpers import make_wire

GATEWAY_TOKEN = "gw-secret"


def client(store_url: str, store: sessionmaker[Session], tmp_path: Path) -> TestClient:
    """A client that authenticates as a gateway (the centre.token a gateway sends)."""
    settings = Settings(database_url=store_url, var_dir=tmp_path / "var", api_token=GATEWAY_TOKEN)
    return TestClient(
        create_app(settings, session_factory=store),
        headers={"Authorization": f"Bearer {GATEWAY_TOKEN}"},
    )


def count(store: sessionmaker[Session]) -> int:
    with store() as s:
        return int(s.scalar(select(func.count()).select_from(PunchRecord)) or 0)


def test_batch_counts_accepted_and_duplicates(
    database_url: str, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    store = session_factory
    c = client(database_url, store, tmp_path)
    a, b = make_wire("SN1", "1", 0), make_wire("SN1", "2", 1)
    body = {"punches": [a.model_dump(mode="json"), b.model_dump(mode="json")]}
    r = c.post("/api/v1/punches:batch", json=body, headers={"Idempotency-Key": "k1"})
    assert r.status_code == 200, r.text
    assert r.json() == {"accepted": 2, "duplicate": 0}
    r = c.post("/api/v1/punches:batch", json=body, headers={"Idempotency-Key": "k1"})
    assert r.json() == {"accepted": 0, "duplicate": 2}
    assert count(store) == 2


def test_batch_links_known_device_and_site(
    store_url: str, store: sessionmaker[Session], tmp_path: Path
) -> None:
    with store.begin() as s:
        site = Site(code="WH1", name="Warehouse", timezone="Asia/Shanghai")
        s.add(site)
        s.flush()
        s.add(
            Device(serial_number="SN1", driver="zkteco", site_id=site.id, timezone="Asia/Shanghai")
        )
    c = client(store_url, store, tmp_path)
    p = make_wire("SN1", "1", 0)
    r = c.post("/api/v1/punches:batch", json={"punches": [p.model_dump(mode="json")]})
    assert r.json()["accepted"] == 1
    with store() as s:
        row = s.get(PunchRecord, p.id)
        assert row is not None and row.device_id is not None


def test_forged_id_is_refused_and_nothing_stored(
    store_url: str, store: sessionmaker[Session], tmp_path: Path
) -> None:
    c = client(store_url, store, tmp_path)
    good = make_wire("SN1", "1", 0).model_dump(mode="json")
    bad = dict(make_wire("SN1", "2", 1).model_dump(mode="json"), id=str(uuid.uuid4()))
    r = c.post("/api/v1/punches:batch", json={"punches": [good, bad]})
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["loc"][:3] == ["body", "punches", 1]
    assert "does not match" in r.text
    assert count(store) == 0


def test_naive_time_is_refused(
    store_url: str, store: sessionmaker[Session], tmp_path: Path
) -> None:
    c = client(store_url, store, tmp_path)
    body = make_wire("SN1", "1", 0).model_dump(mode="json")
    body["local_time"] = "2025-03-03T09:00:00"
    r = c.post("/api/v1/punches:batch", json={"punches": [body]})
    assert r.status_code == 422
    assert count(store) == 0


def test_health_and_metrics(store_url: str, store: sessionmaker[Session], tmp_path: Path) -> None:
    metrics = GatewayMetrics()
    metrics.device_up.labels(device="SN1").set(1)
    settings = Settings(database_url=store_url, var_dir=tmp_path / "var", api_token=GATEWAY_TOKEN)
    auth = {"Authorization": f"Bearer {GATEWAY_TOKEN}"}
    c = TestClient(
        create_app(settings, metrics_=metrics, session_factory=store, outbox_depth=lambda: 3),
        headers=auth,
    )
    h = c.get("/api/v1/health").json()
    assert h["status"] == "ok" and h["database"] == "ok" and h["outbox_depth"] == 3
    text = c.get("/metrics").text
    assert 'shiftgate_device_up{device="SN1"} 1.0' in text
    # a second app has its own registry: no duplicate-series error, no shared values
    other = TestClient(create_app(settings, session_factory=store), headers=auth)
    other_text = other.get("/metrics").text
    assert c.get("/metrics", headers={"Authorization": ""}).status_code == 401
    assert 'device="SN1"' not in other_text


def test_batch_needs_the_token_when_one_is_set(
    store_url: str, store: sessionmaker[Session], tmp_path: Path
) -> None:
    settings = Settings(database_url=store_url, var_dir=tmp_path, api_token="s3cret")
    c = TestClient(create_app(settings, session_factory=store))
    body = {"punches": [make_wire("SN1", "1", 0).model_dump(mode="json")]}
    r = c.post("/api/v1/punches:batch", json=body)
    assert r.status_code == 401 and "centre.token" in r.text
    r = c.post("/api/v1/punches:batch", json=body, headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    assert count(store) == 0
    r = c.post("/api/v1/punches:batch", json=body, headers={"Authorization": "Bearer s3cret"})
    assert r.json() == {"accepted": 1, "duplicate": 0}
    # the gateway side sends centre.token
    centre = HttpCentre("http://c", token="s3cret", transport=c._transport)
    assert centre.send([make_wire("SN1", "2", 1)]).accepted == 1
