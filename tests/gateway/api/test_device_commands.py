"""Queueing a command for a push device over the API: admin only, audited, listed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gateway.app import create_app
from gateway.metrics import GatewayMetrics
from gateway.push.service import PushService
from gateway.settings import Settings
from gateway.sync.outbox import Outbox
from hrcore.enums import Role
from hrcore.models import AuditEntry
from tests.gateway.api.fixtures import add_user


def _now() -> datetime:
    return datetime.now(UTC)


def test_admin_queues_a_command_and_it_is_listed_and_audited(
    store_url: str, store: sessionmaker[Session], tmp_path: Path
) -> None:
    var = tmp_path / "var"
    metrics = GatewayMetrics()
    push = PushService.build(
        (), outbox=Outbox.in_var_dir(var, clock=_now), metrics=metrics, var_dir=var, clock=_now
    )
    app = create_app(
        Settings(database_url=store_url, var_dir=var),
        metrics_=metrics,
        session_factory=store,
        push=push,
    )
    client = TestClient(app)
    admin = {"Authorization": f"Bearer {add_user(store, 'ops', Role.ADMIN, None)}"}
    hr = {"Authorization": f"Bearer {add_user(store, 'ana', Role.HR, None)}"}
    body = {"command": "reboot"}
    assert client.post("/api/v1/devices/ADMS1/commands", json=body, headers=hr).status_code == 403
    r = client.post("/api/v1/devices/ADMS1/commands", json=body, headers=admin)
    assert r.status_code == 202, r.text
    ids = r.json()
    listed = client.get("/api/v1/devices/ADMS1/commands", headers=hr).json()
    assert [c["id"] for c in listed] == ids and "REBOOT" in listed[0]["text"]
    bad = client.post(
        "/api/v1/devices/ADMS1/commands", json={"command": "set-option"}, headers=admin
    )
    assert bad.status_code == 422 and "KEY=VALUE" in bad.json()["error"]["message"]
    with store() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "device_command")).one()
    assert entry.actor == "user:ops" and entry.detail["command"] == "reboot"
