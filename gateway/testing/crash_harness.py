"""Crash soak: a ZK simulator takes live punches and holds its log; a real gateway process is
SIGKILLed at random moments while it reads and uploads; at the end the central store must hold
exactly the simulator's punches -- none missing, none duplicated.

Used by ``tests/gateway/test_reliability.py`` (short) and ``python -m bench.crash_soak`` (long).
"""

from __future__ import annotations

import logging
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import func, select

from drivers.punch import punch_id
from drivers.zkteco.simulator import ZKSimulator
from gateway.app import create_app
from gateway.auth.service import enrol_gateway
from gateway.settings import Settings
from gateway.sync.outbox import OUTBOX_FILENAME, Outbox
from gateway.testing.config_files import write_config_dir
from gateway.testing.waiting import wait_until
from hrcore.db import make_engine, make_session_factory
from hrcore.migrate import upgrade
from hrcore.models import PunchRecord

log = logging.getLogger(__name__)

TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class CrashReport:
    cycles: int
    kills_with_pending: int  # kills that hit while punches waited in the outbox
    device_punches: int  # distinct punches in the simulator's log
    stored: int
    missing: int
    unexpected: int
    duplicated: int  # rows sharing (serial, user, local time)
    seconds: float

    @property
    def exact(self) -> bool:
        return (
            self.missing == 0
            and self.unexpected == 0
            and self.duplicated == 0
            and (self.stored == self.device_punches)
        )


@contextmanager
def central_server(
    database_url: str, var_dir: Path, port: int = 0, **settings_: Any
) -> Iterator[str]:
    """A central shiftgate app on 127.0.0.1:``port`` (0: a free one), served from a thread;
    ``settings_`` are further :class:`Settings` fields (``api_token=...``)."""
    settings = Settings(database_url=database_url, var_dir=var_dir, log_json=True, **settings_)
    app = create_app(settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


def issue_gateway_token(database_url: str, username: str = "gw-crash") -> str:
    """A gateway user at the centre (not bound to a site) and a fresh API token of it."""
    now = datetime.now(UTC)
    factory = make_session_factory(make_engine(database_url))
    with factory.begin() as session:
        return enrol_gateway(
            session,
            username,
            site=None,
            display_name="crash-soak gateway",
            now=now,
            actor="crash-soak",
        )


def write_config(
    config_dir: Path, *, serial: str, port: int, centre_url: str, centre_token: str
) -> None:
    """One live ZK device, uploads to ``centre_url`` in small batches, fast retries."""
    device = {
        "serial": serial,
        "name": "crash-sim",
        "driver": "zkteco",
        "timezone": TIMEZONE,
        "poll_interval_s": 0.5,
        "live": True,
        "settings": {"host": "127.0.0.1", "port": port, "timeout": 5, "reconnect_delay_s": 0},
    }
    gateway = {
        "centre": {"url": centre_url, "token": centre_token, "batch_size": 25, "timeout_s": 5},
        "retry": {"base_s": 0.05, "cap_s": 0.5},
        "live_resync_s": 1.5,
    }
    write_config_dir(config_dir, [device], timezone=TIMEZONE, gateway=gateway)


class _Puncher:
    """People punching at the simulated clock, round-robin over its users."""

    def __init__(self, sim: ZKSimulator, interval_s: float) -> None:
        self.sim = sim
        self.interval_s = interval_s
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name="puncher")

    def _run(self) -> None:
        users = [u.user_id for u in self.sim.users()]
        n = 0
        while not self.stop.wait(self.interval_s):
            self.sim.punch_now(users[n % len(users)], state=n % 2)
            n += 1


def _up_or_exited(ready: Path, proc: subprocess.Popen[bytes]) -> bool:
    """The gateway wrote its ready file, or its process has ended."""
    return ready.exists() or proc.poll() is not None


def spawn_gateway(workdir: Path, env: dict[str, str], ready: Path) -> subprocess.Popen[bytes]:
    """Start the bare gateway runner; it logs to ``workdir/gateway.log``."""
    ready.unlink(missing_ok=True)
    log_file = (workdir / "gateway.log").open("ab")
    return subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "gateway.testing.gateway_runner", "--ready-file", str(ready)],
        env=env,
        stdout=log_file,
        stderr=log_file,
        cwd=workdir,
    )


def run_crash_soak(
    workdir: Path,
    *,
    cycles: int = 20,
    seed: int = 1,
    punch_interval_s: float = 0.05,
    alive_s: tuple[float, float] = (0.05, 1.0),
    drain_timeout_s: float = 90.0,
) -> CrashReport:
    started = time.monotonic()
    rng = random.Random(seed)
    workdir.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{workdir / 'centre.db'}"
    upgrade(database_url)
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    var_dir = workdir / "gateway-var"
    sim = ZKSimulator(users=40, records=300, seed=seed, timezone=TIMEZONE)
    port = sim.start()
    puncher = _Puncher(sim, punch_interval_s)
    ready = workdir / "ready"
    kills_with_pending = 0
    try:
        with central_server(database_url, workdir / "centre-var") as centre_url:
            write_config(
                workdir / "config",
                serial=sim.serial,
                port=port,
                centre_url=centre_url,
                centre_token=issue_gateway_token(database_url),
            )
            env = {
                **os.environ,
                "SHIFTGATE_CONFIG_DIR": str(workdir / "config"),
                "SHIFTGATE_VAR_DIR": str(var_dir),
                "SHIFTGATE_DATABASE_URL": f"sqlite:///{workdir / 'gateway-local.db'}",
                "SHIFTGATE_LOG_JSON": "true",
            }
            puncher.thread.start()
            for cycle in range(cycles):
                proc = spawn_gateway(workdir, env, ready)
                try:
                    wait_until(partial(_up_or_exited, ready, proc), timeout=60)
                    if proc.poll() is not None:
                        raise RuntimeError(
                            f"gateway exited early with {proc.returncode}; "
                            f"see {workdir / 'gateway.log'}"
                        )
                    time.sleep(rng.uniform(*alive_s))  # the random moment of the crash
                finally:
                    proc.send_signal(signal.SIGKILL)
                    proc.wait(30)
                box = Outbox(var_dir / OUTBOX_FILENAME)
                kills_with_pending += box.depth() > 0
                box.close()
                log.info("crash cycle=%d killed; outbox depth>0=%s", cycle, kills_with_pending)
            puncher.stop.set()
            puncher.thread.join(10)
            expected = {punch_id(sim.serial, r.user_id, r.time) for r in sim.attendance()}

            def stored_ids() -> set[object]:
                with factory() as s:
                    return set(s.scalars(select(PunchRecord.id)))

            proc = spawn_gateway(workdir, env, ready)
            try:
                wait_until(lambda: stored_ids() >= expected, timeout=drain_timeout_s, interval=0.2)
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(30)
        with factory() as s:
            stored = set(s.scalars(select(PunchRecord.id)))
            duplicated = int(
                s.scalar(
                    select(func.count()).select_from(
                        select(PunchRecord.device_sn)
                        .group_by(
                            PunchRecord.device_sn, PunchRecord.device_user, PunchRecord.local_time
                        )
                        .having(func.count() > 1)
                        .subquery()
                    )
                )
                or 0
            )
    finally:
        puncher.stop.set()
        sim.stop()
        engine.dispose()
    return CrashReport(
        cycles=cycles,
        kills_with_pending=kills_with_pending,
        device_punches=len(expected),
        stored=len(stored),
        missing=len(expected - stored),
        unexpected=len(stored - expected),
        duplicated=duplicated,
        seconds=round(time.monotonic() - started, 1),
    )
