"""Authentication of the API: tokens hashed at rest, disabled users locked out, one error
body, every write audited, oversized bodies refused."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gateway.app import create_app
from gateway.auth.service import disable
from gateway.settings import Settings
from hrcore.enums import Role
from hrcore.models import ApiToken, AuditEntry, User
from tests.gateway.api.fixtures import Api, add_user
from tests.gateway.helpers import make_wire


def _error(body: object) -> dict[str, object]:
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error, dict) and {"code", "message", "details"} <= set(error)
    return error


def test_health_is_open_and_everything_else_needs_a_token(api: Api) -> None:
    assert api.client.get("/api/v1/health").status_code == 200
    r = api.client.get("/api/v1/me")
    assert r.status_code == 401
    assert _error(r.json())["code"] == "unauthenticated"
    assert "shiftgate users token" in r.json()["error"]["message"]
    r = api.client.get("/api/v1/me", headers={"Authorization": "Bearer sg_wrong"})
    assert r.status_code == 401
    r = api.client.get("/api/v1/me", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401
    me = api.client.get("/api/v1/me", headers=api.auth(Role.HR)).json()
    assert (
        me["username"] == "hr-user" and me["role"] == "hr" and "roster_write" in me["permissions"]
    )


def test_tokens_and_passwords_are_stored_hashed(api: Api) -> None:
    add_user(api.factory, "with-password", Role.HR, password="a long passphrase")
    with api.factory() as s:
        hashes = set(s.scalars(select(ApiToken.token_hash)))
        passwords = set(s.scalars(select(User.password_hash)))
    for token in api.tokens.values():
        assert token not in hashes
        assert all(token not in h for h in hashes)
    assert None in passwords  # the token-only users
    hashed = passwords - {None}
    assert len(hashed) == 1 and all(p.startswith("$argon2id$") for p in hashed if p)
    assert all("a long passphrase" not in p for p in hashed if p)


def test_disabled_user_is_locked_out(api: Api) -> None:
    assert api.client.get("/api/v1/me", headers=api.auth(Role.VIEWER)).status_code == 200
    with api.factory.begin() as s:
        disable(s, "viewer-user", now=_now(), actor="user:admin-user")
    r = api.client.get("/api/v1/me", headers=api.auth(Role.VIEWER))
    assert r.status_code == 401
    with api.factory() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "user_disable")).one()
        assert (entry.actor, entry.entity_id) == ("user:admin-user", "viewer-user")


def test_wrong_role_gets_403_with_the_error_body(api: Api) -> None:
    r = api.client.get("/api/v1/users", headers=api.auth(Role.HR))
    assert r.status_code == 403
    error = _error(r.json())
    assert error["code"] == "forbidden" and "user_admin" in str(error["message"])
    users = api.client.get("/api/v1/users", headers=api.auth(Role.ADMIN)).json()
    assert {u["username"] for u in users} == {f"{r.value}-user" for r in Role}


def test_a_gateway_token_ingests_and_the_batch_is_audited(api: Api) -> None:
    body = {"punches": [make_wire("SN1", "1", 0).model_dump(mode="json")]}
    r = api.client.post("/api/v1/punches:batch", json=body, headers=api.auth(Role.VIEWER))
    assert r.status_code == 403
    r = api.client.post(
        "/api/v1/punches:batch",
        json=body,
        headers={**api.auth(Role.GATEWAY), "Idempotency-Key": "b1"},
    )
    assert r.json() == {"accepted": 1, "duplicate": 0}
    with api.factory() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "punch_batch")).one()
    assert entry.actor == "user:gateway-user" and entry.entity_id == "b1"
    assert entry.detail == {"accepted": 1, "duplicate": 0}
    log = api.client.get("/api/v1/audit", headers=api.auth(Role.ADMIN)).json()
    assert log["items"][0]["action"] == "punch_batch" and log["total"] >= 1
    assert api.client.get("/api/v1/audit", headers=api.auth(Role.HR)).status_code == 403


def test_bad_parameters_and_unknown_routes_get_the_error_body(api: Api) -> None:
    r = api.client.get("/api/v1/punches?limit=0", headers=api.auth(Role.VIEWER))
    assert r.status_code == 422
    error = _error(r.json())
    assert error["code"] == "invalid_request" and "limit" in str(error["message"])
    r = api.client.get("/api/v1/punches?from=yesterday", headers=api.auth(Role.VIEWER))
    assert r.status_code == 422
    r = api.client.get("/api/v1/nothing-here", headers=api.auth(Role.VIEWER))
    assert r.status_code == 404 and _error(r.json())["code"] == "not_found"
    r = api.client.delete("/api/v1/health")
    assert r.status_code == 405 and _error(r.json())["code"] == "method_not_allowed"
    r = api.client.post(
        "/api/v1/punches:batch",
        content=b"{not json",
        headers={**api.auth(Role.GATEWAY), "Content-Type": "application/json"},
    )
    assert r.status_code == 422 and _error(r.json())


def test_oversized_body_gets_413_and_stores_nothing(
    store_url: str, store: sessionmaker[Session], tmp_path: Path
) -> None:
    token = add_user(store, "gw", Role.GATEWAY, password=None)
    settings = Settings(database_url=store_url, var_dir=tmp_path, api_max_body_bytes=4096)
    client = TestClient(create_app(settings, session_factory=store))
    wire = make_wire("SN1", "1", 0).model_dump(mode="json")
    body = {"punches": [wire] * 50}
    r = client.post(
        "/api/v1/punches:batch", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 413
    assert _error(r.json())["code"] == "body_too_large"
    # a chunked body (no Content-Length) is counted as it arrives
    import json

    def chunks():  # type: ignore[no-untyped-def]
        data = json.dumps(body).encode()
        for i in range(0, len(data), 1000):
            yield data[i : i + 1000]

    r = client.post(
        "/api/v1/punches:batch",
        content=chunks(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert r.status_code == 413
    with store() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "punch_batch")).all() == []


def _now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.now(UTC)
