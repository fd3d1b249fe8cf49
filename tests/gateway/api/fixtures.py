"""An app on a migrated store with one user (and API token) per role."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from gateway.app import create_app
from gateway.auth.secrets import Passwords
from gateway.auth.service import create_user, issue_token
from gateway.demo import seed_import
from gateway.demo.runner import DemoContext
from gateway.demo.web_data import WebDemo, prepare
from gateway.settings import Settings
from hrcore.db import make_engine, make_session_factory
from hrcore.enums import Role

PASSWORD = "correct horse battery"


def add_user(
    factory: sessionmaker[Session], username: str, role: Role, password: str | None = PASSWORD
) -> str:
    """Add a user and return a fresh API token of theirs."""
    now = datetime.now(UTC)
    with factory.begin() as s:
        create_user(
            s,
            Passwords(),
            username=username,
            role=role,
            password=password,
            display_name=username.title(),
            now=now,
            actor="test",
        )
        return issue_token(s, username, name="test", now=now, actor="test").secret


@dataclass(frozen=True, slots=True)
class Api:
    client: TestClient
    factory: sessionmaker[Session]
    tokens: dict[Role, str]

    def auth(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@pytest.fixture
def api(store_url: str, store: sessionmaker[Session], tmp_path: Path) -> Api:
    settings = Settings(database_url=store_url, var_dir=tmp_path / "var", config_dir=tmp_path)
    # token-only users: no argon2 hashing per test (test_auth covers passwords)
    tokens = {role: add_user(store, f"{role.value}-user", role, None) for role in Role}
    return Api(TestClient(create_app(settings, session_factory=store)), store, tokens)


@dataclass(frozen=True, slots=True)
class DemoApi(Api):
    demo: WebDemo


@pytest.fixture
def demo_api(tmp_path: Path) -> Iterator[DemoApi]:
    """The web demo's store (20 people, a fortnight computed) behind an app."""
    workdir = tmp_path / "demo"
    url = f"sqlite:///{workdir / 'shiftgate.db'}"
    seed_import.run(
        DemoContext(console=Console(file=io.StringIO()), workdir=workdir, database_url=url)
    )
    engine = make_engine(url)
    factory = make_session_factory(engine)
    demo = prepare(factory, tmp_path / "config", clock=lambda: datetime.now(UTC))
    tokens = {role: add_user(factory, f"{role.value}-user", role, None) for role in Role}
    settings = Settings(database_url=url, var_dir=tmp_path / "var", config_dir=demo.config_dir)
    app = create_app(settings, session_factory=factory)
    # https: the session cookies are Secure, and a client sends those over TLS only
    yield DemoApi(TestClient(app, base_url="https://testserver"), factory, tokens, demo)
    app.state.shiftgate.jobs.close()
    engine.dispose()
