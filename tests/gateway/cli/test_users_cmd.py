"""`shiftgate users add / token / password / disable / list`."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from gateway.app import create_app
from gateway.cli.main import app
from gateway.settings import Settings
from hrcore.db import make_engine, make_session_factory
from hrcore.models import ApiToken, AuditEntry, User


def _run(url: str, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), input=stdin, env={"SHIFTGATE_DATABASE_URL": url})


def test_add_token_disable_round_trip(sqlite_url: str, tmp_path: Path) -> None:
    r = _run(
        sqlite_url,
        "users",
        "add",
        "ana",
        "--role",
        "hr",
        "--password-stdin",
        stdin="a long passphrase\n",
    )
    assert r.exit_code == 0, r.output
    assert "user ana added: role hr, password login" in r.output
    r = _run(sqlite_url, "users", "token", "ana", "--name", "laptop")
    assert r.exit_code == 0, r.output
    token = r.stdout.strip().splitlines()[-1]
    assert token.startswith("sg_")

    engine = make_engine(sqlite_url)
    factory = make_session_factory(engine)
    with factory() as s:
        user = s.scalars(select(User)).one()
        assert user.password_hash and user.password_hash.startswith("$argon2id$")
        stored = s.scalars(select(ApiToken)).one()
        assert stored.token_hash != token and stored.name == "laptop"
        actions = [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["user_add", "token_issue"]

    client = TestClient(
        create_app(Settings(database_url=sqlite_url, var_dir=tmp_path), session_factory=factory)
    )
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=auth).json()["username"] == "ana"

    r = _run(sqlite_url, "users", "disable", "ana")
    assert r.exit_code == 0, r.output
    assert client.get("/api/v1/me", headers=auth).status_code == 401
    r = _run(sqlite_url, "users", "list")
    assert "ana" in r.output and "disabled" in r.output
    engine.dispose()


def test_bad_input_is_a_clear_error_and_stores_nothing(sqlite_url: str) -> None:
    r = _run(sqlite_url, "users", "add", "bo", "--role", "hr", "--password-stdin", stdin="short\n")
    assert r.exit_code == 2 and "at least 10 characters" in r.output
    r = _run(sqlite_url, "users", "add", "Bad Name", "--role", "hr", "--no-password")
    assert r.exit_code == 2 and "not valid" in r.output
    r = _run(sqlite_url, "users", "add", "bo", "--role", "boss", "--no-password")
    assert r.exit_code == 2
    r = _run(sqlite_url, "users", "token", "nobody")
    assert r.exit_code == 2 and "shiftgate users add nobody" in r.output
    r = _run(sqlite_url, "users", "add", "gw", "--role", "gateway", "--no-password")
    assert r.exit_code == 0 and "tokens only" in r.output
    r = _run(sqlite_url, "users", "add", "gw", "--role", "gateway", "--no-password")
    assert r.exit_code == 2 and "exists already" in r.output
    engine = make_engine(sqlite_url)
    with make_session_factory(engine)() as s:
        assert [u.username for u in s.scalars(select(User))] == ["gw"]
    engine.dispose()
