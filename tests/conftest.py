"""Shared fixtures: a throwaway PostgreSQL server and HR-store databases on SQLite and PostgreSQL.

The PostgreSQL server is Debian's ``postgresql`` binaries (``/usr/lib/postgresql/*/bin``),
started once per test session on a temp folder and a free loopback port. Without the binaries
the PostgreSQL-parametrized tests skip -- except with ``CI=true``, where they fail loudly.
As root (CI), the server runs as the ``postgres`` user via ``runuser``.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from hrcore.db import make_engine, make_session_factory
from hrcore.migrate import upgrade

PG_USER = "shiftgate"
PG_TEMPLATE_DB = "shiftgate_template"
START_TIMEOUT_S = 120


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _pg_bindir() -> Path | None:
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return candidates[-1].parent if candidates else None


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True, slots=True)
class PostgresServer:
    bindir: Path
    root: Path
    port: int
    as_user: str | None  # run the binaries as this user (root in CI runs them as postgres)

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run one PostgreSQL binary (as ``as_user`` when set); raise with its output on failure."""
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_user is not None:
            cmd = ["runuser", "-u", self.as_user, "--", *cmd]
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=START_TIMEOUT_S, check=False, cwd=self.root
        )
        if check and done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(cmd)} failed with exit {done.returncode}:\n{done.stdout}\n{done.stderr}"
            )
        return done


def _unavailable(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"PostgreSQL store tests cannot run under CI=true: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not available ({reason}); `.ci/run` installs it")


def _start(server: PostgresServer) -> None:
    opts = (
        f"-p {server.port} -k {server.root} -c listen_addresses=127.0.0.1 "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    server.run(
        "pg_ctl",
        "-D",
        str(server.datadir),
        "-l",
        str(server.root / "server.log"),
        "-o",
        opts,
        "-w",
        "-t",
        str(START_TIMEOUT_S),
        "start",
    )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bindir = _pg_bindir()
    if bindir is None:
        _unavailable("no /usr/lib/postgresql/*/bin/initdb (Debian package `postgresql`)")
        raise AssertionError("unreachable")
    as_user: str | None = None
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            _unavailable("running as root but `runuser` is missing")
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root but there is no `postgres` user to run the server")
        as_user = "postgres"
    root = Path(tempfile.mkdtemp(prefix="shiftgate-pg-", dir="/tmp"))
    root.chmod(0o755)
    if as_user is not None:
        entry = pwd.getpwnam(as_user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    server = PostgresServer(bindir, root, _free_loopback_port(), as_user)
    server.run(
        "initdb",
        "-D",
        str(server.datadir),
        "-U",
        PG_USER,
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
    )
    started = False
    for attempt in range(3):  # another process may grab the free port before the server binds
        if attempt:
            server = PostgresServer(bindir, root, _free_loopback_port(), as_user)
        try:
            _start(server)
            started = True
            break
        except RuntimeError:
            continue
    if not started:
        log = (
            (root / "server.log").read_text(errors="replace")
            if (root / "server.log").exists()
            else ""
        )
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start in {root}:\n{log}")
    try:
        upgrade_template(server)
        yield server
    finally:
        server.run("pg_ctl", "-D", str(server.datadir), "-m", "immediate", "stop", check=False)
        shutil.rmtree(root, ignore_errors=True)


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
