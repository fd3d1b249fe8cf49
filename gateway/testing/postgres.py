"""A throwaway PostgreSQL server on a temp folder and a free loopback port, for the tests'
fixture (tests/conftest.py) and benchmarks that need one (``bench.outage_soak``).

It uses Debian's ``postgresql`` binaries (``/usr/lib/postgresql/*/bin``). As root, the server
runs as the ``postgres`` user via ``runuser``. Durability is off (``fsync=off``): the data is
thrown away with the folder.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PG_USER = "shiftgate"
START_TIMEOUT_S = 120


class PostgresUnavailable(RuntimeError):
    """This machine cannot run a throwaway PostgreSQL; the message says what is missing."""


def pg_bindir() -> Path | None:
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return candidates[-1].parent if candidates else None


def free_loopback_port() -> int:
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
        done = subprocess.run(  # noqa: S603 - PostgreSQL's own binaries, fixed arguments
            cmd, capture_output=True, text=True, timeout=START_TIMEOUT_S, check=False, cwd=self.root
        )
        if check and done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(cmd)} failed with exit {done.returncode}:\n{done.stdout}\n{done.stderr}"
            )
        return done

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server's processes have used so far, from /proc
        (Linux): the postmaster with the children it has reaped, and its live children."""
        pid_file = self.datadir / "postmaster.pid"
        try:
            postmaster = int(pid_file.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return 0.0
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            pid, ppid = int(stat.parent.name), int(fields[1])
            if pid == postmaster:  # utime, stime, and cutime, cstime of exited backends
                total += sum(int(f) for f in fields[11:15])
            elif ppid == postmaster:
                total += int(fields[11]) + int(fields[12])
        return total / ticks

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)


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


def start_postgres() -> PostgresServer:
    """initdb + start; raises :class:`PostgresUnavailable` when this machine cannot."""
    bindir = pg_bindir()
    if bindir is None:
        raise PostgresUnavailable(
            "no /usr/lib/postgresql/*/bin/initdb (Debian package `postgresql`)"
        )
    as_user: str | None = None
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            raise PostgresUnavailable("running as root but `runuser` is missing")
        try:
            pwd.getpwnam("postgres")
        except KeyError as exc:
            raise PostgresUnavailable(
                "running as root but there is no `postgres` user to run the server"
            ) from exc
        as_user = "postgres"
    root = Path(tempfile.mkdtemp(prefix="shiftgate-pg-", dir="/tmp"))
    root.chmod(0o755)
    if as_user is not None:
        entry = pwd.getpwnam(as_user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    server = PostgresServer(bindir, root, free_loopback_port(), as_user)
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
    for attempt in range(3):  # another process may grab the free port before the server binds
        if attempt:
            server = PostgresServer(bindir, root, free_loopback_port(), as_user)
        try:
            _start(server)
            return server
        except RuntimeError:
            continue
    log_file = root / "server.log"
    log = log_file.read_text(errors="replace") if log_file.exists() else ""
    shutil.rmtree(root, ignore_errors=True)
    raise RuntimeError(f"PostgreSQL did not start in {root}:\n{log}")


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """A started server, stopped and deleted on exit."""
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()
