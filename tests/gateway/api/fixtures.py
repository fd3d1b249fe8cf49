"""An app on a migrated store with one user (and API token) per role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from gateway.app import create_app
from gateway.auth.secrets import Passwords
from gateway.auth.service import create_user, issue_token
from gateway.settings import Settings
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
    tokens = {role: add_user(store, f"{role.value}-user", role) for role in Role}
    return Api(TestClient(create_app(settings, session_factory=store)), store, tokens)
