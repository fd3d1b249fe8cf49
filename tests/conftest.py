"""Shared fixtures: a throwaway PostgreSQL server and HR-store databases on SQLite and PostgreSQL.

The PostgreSQL server (:mod:`gateway.testing.postgres`) is Debian's ``postgresql`` binaries,
started once per test session on a temp folder and a free loopback port. Without the binaries
the PostgreSQL-parametrized tests skip -- except with ``CI=true``, where they fail loudly.
As root (CI), the server runs as the ``postgres`` user via ``runuser``.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from gateway.testing.postgres import PostgresServer, PostgresUnavailable, start_postgres
from hrcore.db import make_engine, make_session_factory
from hrcore.migrate import upgrade

PG_TEMPLATE_DB = "shiftgate_template"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"PostgreSQL store tests cannot run under CI=true: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not available ({reason}); `.ci/run` installs it")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        _unavailable(str(exc))
        raise AssertionError("unreachable") from exc
    try:
        upgrade_template(server)
        yield server
    finally:
        server.stop()


def upgrade_template(server: PostgresServer) -> None:
    """A database migrated with hrcore.migrate.upgrade(); each test gets a copy of it."""
    admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{PG_TEMPLATE_DB}"'))
    finally:
        admin.dispose()
    upgrade(server.url(PG_TEMPLATE_DB))


_db_counter = itertools.count(1)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh PostgreSQL database at the newest schema revision (copied from the template)."""
    name = f"test_{os.getpid()}_{next(_db_counter)}"
    admin = create_engine(postgres_server.url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            version = int(conn.execute(text("SHOW server_version_num")).scalar_one())
            # FILE_COPY (PostgreSQL 15+) is ~10x faster than WAL_LOG for a small template
            strategy = " STRATEGY FILE_COPY" if version >= 150000 else ""
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{PG_TEMPLATE_DB}"{strategy}'))
        yield postgres_server.url(name)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once with hrcore.migrate.upgrade(); tests get copies of it."""
    path = tmp_path_factory.mktemp("sqlite-template") / "hr.db"
    upgrade(f"sqlite:///{path}")  # closes its connections, so the WAL is checkpointed
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh SQLite file at the newest schema revision."""
    path = tmp_path / "hr.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh, migrated HR-store database, once on SQLite and once on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def session_factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()
