"""The throwaway-PostgreSQL fixture: skip locally without binaries, fail loudly under CI."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PostgresServer, _unavailable


@pytest.mark.parametrize("ci", ["true", "1"])
def test_missing_postgres_fails_under_ci(monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="cannot run under CI=true: no initdb"):
        _unavailable("no initdb")


def test_missing_postgres_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"\.ci/run` installs it"):
        _unavailable("no initdb")


@pytest.mark.postgres
def test_server_listens_on_loopback_only(postgres_server: PostgresServer) -> None:
    engine = create_engine(postgres_server.url())
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW listen_addresses")).scalar_one() == "127.0.0.1"
            assert conn.execute(text("SHOW port")).scalar_one() == str(postgres_server.port)
            assert conn.execute(text("SHOW fsync")).scalar_one() == "off"
    finally:
        engine.dispose()
    assert postgres_server.root.stat().st_mode & 0o755 == 0o755  # traversable by postgres
