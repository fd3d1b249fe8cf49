"""API under load: `python -m bench.api_load [--employees 1000] [--clients 50] [--requests 20]`.

Builds the attendance bench's synthetic site (day, night and pair shifts on a published
roster, a week of punches) on SQLite, computes its attendance, serves the real app with
uvicorn on a loopback port, then runs ``--clients`` concurrent clients, each with its own
API token and connection, alternating a roster read (``GET /api/v1/rosters/{id}``, one page
of rows) and an attendance page (``GET /api/v1/attendance/days``, 100 days of one date),
after one warm-up read of each; ``--think-ms`` paces each client like a person reading.
Every request loop is bounded by ``--requests``. Prints one JSON object: latency percentiles
per route, errors, requests per second, and the CPU seconds of the whole process.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import threading
import time as timer
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import select

from bench.attendance_scale import build
from gateway.app import create_app
from gateway.auth.secrets import Passwords
from gateway.auth.service import create_user, issue_token
from gateway.settings import Settings
from hrcore.db import make_engine, make_session_factory
from hrcore.enums import Role
from hrcore.models import RosterRun
from hrcore.store.attendance import compute_attendance

FIRST = date(2025, 3, 3)


def _now() -> datetime:
    return datetime.now(UTC)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employees", type=int, default=1000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="per client")
    parser.add_argument("--rows", type=int, default=100, help="roster rows per page")
    parser.add_argument(
        "--think-ms", type=float, default=0, help="pause of each client between requests"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="shiftgate-api-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'api.db'}"
        build(url, employees=args.employees, days=args.days, first=FIRST)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        last = FIRST + timedelta(days=args.days - 1)
        tokens = []
        with factory.begin() as s:
            compute_attendance(s, FIRST, last, clock=_now)
            run_id = s.scalar(select(RosterRun.id).order_by(RosterRun.id))
            passwords = Passwords()
            for i in range(args.clients):
                create_user(
                    s,
                    passwords,
                    username=f"reader{i}",
                    role=Role.VIEWER,
                    password=None,
                    display_name="",
                    now=_now(),
                    actor="bench",
                )
                tokens.append(
                    issue_token(s, f"reader{i}", name="bench", now=_now(), actor="bench").secret
                )
        settings = Settings(database_url=url, var_dir=Path(tmp) / "var", config_dir=Path(tmp))
        app = create_app(settings, session_factory=factory)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(2048)
        port = sock.getsockname()[1]
        server = uvicorn.Server(
            uvicorn.Config(app, log_config=None, access_log=False, lifespan="off")
        )
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started:
            timer.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        paths = {
            "roster": f"/api/v1/rosters/{run_id}?limit={args.rows}",
            "attendance": f"/api/v1/attendance/days?site=BENCH&from={FIRST}&to={FIRST}&limit=100",
        }
        with httpx.Client(
            base_url=base, timeout=60, headers={"Authorization": f"Bearer {tokens[0]}"}
        ) as warm:
            for path in paths.values():  # the first roster read computes the cached view
                warm.get(path).raise_for_status()
        latencies: dict[str, list[float]] = defaultdict(list)
        errors: list[str] = []
        lock = threading.Lock()
        start = threading.Barrier(args.clients + 1)

        def client(token: str, offset: int) -> None:
            with httpx.Client(
                base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"}
            ) as c:
                start.wait()
                for n in range(args.requests):
                    name = ("roster", "attendance")[(n + offset) % 2]
                    began = timer.perf_counter()
                    try:
                        r = c.get(paths[name])
                        ok = r.status_code == 200
                        why = f"{name} {r.status_code}"
                    except httpx.HTTPError as exc:
                        ok, why = False, f"{name} {type(exc).__name__}"
                    took = timer.perf_counter() - began
                    with lock:
                        latencies[name].append(took * 1000)
                        if not ok:
                            errors.append(why)
                    if args.think_ms:
                        timer.sleep(args.think_ms / 1000)

        workers = [threading.Thread(target=client, args=(t, i)) for i, t in enumerate(tokens)]
        for w in workers:
            w.start()
        cpu0 = timer.process_time()
        start.wait()
        t0 = timer.perf_counter()
        for w in workers:
            w.join()
        wall = timer.perf_counter() - t0
        cpu = timer.process_time() - cpu0
        server.should_exit = True
        thread.join(10)
        app.state.shiftgate.jobs.close()
        engine.dispose()
    every = [v for vs in latencies.values() for v in vs]
    result = {
        "employees": args.employees,
        "clients": args.clients,
        "think_ms": args.think_ms,
        "requests": len(every),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "rps": round(len(every) / wall, 1),
        "p50_ms": round(statistics.median(every), 1),
        "p99_ms": round(_percentile(every, 0.99), 1),
        **{
            f"{name}_p99_ms": round(_percentile(vs, 0.99), 1)
            for name, vs in sorted(latencies.items())
        },
    }
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
