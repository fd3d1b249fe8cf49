"""ADMS ingest: `python -m bench.adms_ingest [--devices 50] [--records 2000] [--batch 100]`.

Starts `shiftgate serve` (a real process, loopback) with N `driver: adms` devices in its
devices.yaml, then N simulated PUSH devices upload their logs concurrently (threads spread
over a few client processes). A punch counts once the gateway answered OK for it, which it
does only after the punch is committed to its outbox (SQLite, synchronous=FULL). Prints a
JSON line per HR store: punches/s acknowledged (durably stored), p50/p99 upload latency, and
punches/s into the HR store (the uploader's pace), for SQLite and then PostgreSQL (a
throwaway server of Debian's binaries; ``--stores sqlite`` for one).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import func, select

from drivers.adms.simulator import AdmsDeviceSimulator
from gateway.testing.config_files import write_config_dir
from gateway.testing.postgres import PostgresUnavailable, start_postgres
from gateway.testing.waiting import wait_until
from hrcore.db import make_engine, make_session_factory
from hrcore.migrate import upgrade
from hrcore.models import PunchRecord

TZ = "Asia/Shanghai"


def serial(n: int) -> str:
    return f"ADMSBENCH{n:05d}"


def run_device(
    url: str, n: int, records: int, batch: int, pace_s: float
) -> tuple[int, list[float]]:
    with AdmsDeviceSimulator(
        url,
        serial=serial(n),
        records=records,
        seed=n,
        users=50,
        batch_size=batch,
        timezone=TZ,
        max_wait_s=0.5,
        timeout_s=30,
    ) as sim:
        sim.handshake()
        time.sleep((n % 17) * pace_s / 17)  # devices are not in lockstep
        acked = sim.upload(pace_s=pace_s)
        return acked, sim.stats.upload_seconds


def run_group(
    url: str, ids: list[int], records: int, batch: int, pace_s: float
) -> tuple[int, list[float]]:
    with ThreadPoolExecutor(max_workers=len(ids)) as pool:
        results = list(pool.map(lambda n: run_device(url, n, records, batch, pace_s), ids))
    return sum(r[0] for r in results), [s for r in results for s in r[1]]


def stored(database_url: str) -> int:
    engine = make_engine(database_url)
    with make_session_factory(engine)() as s:
        n = s.scalar(select(func.count()).select_from(PunchRecord))
    engine.dispose()
    return int(n or 0)


def measure(args: argparse.Namespace, database_url: str | None) -> dict[str, object]:
    """One run against a fresh gateway; the HR store is ``database_url`` (None: SQLite)."""
    with tempfile.TemporaryDirectory(prefix="adms-bench-") as tmp:
        root = Path(tmp)
        url = database_url or f"sqlite:///{root / 'hr.db'}"
        upgrade(url)
        devices = [
            {"serial": serial(n), "driver": "adms", "settings": {"delay_s": 10}}
            for n in range(args.devices)
        ]
        write_config_dir(
            root / "config", devices, timezone=TZ, gateway={"centre": {"batch_size": 5000}}
        )
        env = {
            **os.environ,
            "SHIFTGATE_DATABASE_URL": url,
            "SHIFTGATE_VAR_DIR": str(root / "var"),
            "SHIFTGATE_CONFIG_DIR": str(root / "config"),
            "SHIFTGATE_LOG_JSON": "true",
        }
        port_file = root / "port"
        log = (root / "serve.log").open("wb")
        proc = subprocess.Popen(  # noqa: S603 - this interpreter and module
            [
                sys.executable,
                "-m",
                "gateway.cli.main",
                "serve",
                "--port",
                "0",
                "--port-file",
                str(port_file),
            ],
            env=env,
            stdout=log,
            stderr=log,
        )
        try:
            wait_until(lambda: port_file.exists() or proc.poll() is not None, timeout=120)
            base = f"http://127.0.0.1:{port_file.read_text().strip()}"
            groups = [list(range(args.devices))[i :: args.clients] for i in range(args.clients)]
            groups = [g for g in groups if g]
            n = len(groups)
            started = time.perf_counter()
            with ProcessPoolExecutor(max_workers=n) as pool:
                results = list(
                    pool.map(
                        run_group,
                        [base] * n,
                        groups,
                        [args.records] * n,
                        [args.batch] * n,
                        [args.pace_ms / 1000] * n,
                    )
                )
            acked_s = time.perf_counter() - started
            total = sum(r[0] for r in results)
            latencies = sorted(s for r in results for s in r[1])
            wait_until(lambda: stored(url) >= total, timeout=1800, interval=0.5)
            store_s = time.perf_counter() - started
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
            log.close()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return {
        "devices": args.devices,
        "punches": total,
        "batch": args.batch,
        "pace_ms": args.pace_ms,
        "hr_store": url.split(":", 1)[0].split("+", 1)[0],
        "acked_punches_per_s": round(total / acked_s),
        "upload_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "upload_p99_ms": round(p99 * 1000, 1),
        "uploads": len(latencies),
        "in_hr_store_punches_per_s": round(total / store_s),
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.adms_ingest")
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--records", type=int, default=2000, help="per device")
    parser.add_argument("--batch", type=int, default=100, help="records per upload")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument(
        "--pace-ms",
        type=float,
        default=0.0,
        help="each device posts a batch at most this often (0: as fast as answered)",
    )
    parser.add_argument(
        "--stores",
        default="sqlite,postgres",
        help="HR stores to run against, in turn (postgres: a throwaway server of Debian's "
        "binaries, skipped with a note when they are missing)",
    )
    args = parser.parse_args(argv)
    for store in args.stores.split(","):
        if store == "sqlite":
            figures = measure(args, None)
        elif store == "postgres":
            try:
                server = start_postgres()
            except PostgresUnavailable as exc:
                sys.stdout.write(json.dumps({"hr_store": "postgresql", "skipped": str(exc)}) + "\n")
                continue
            try:
                figures = measure(args, server.url())
            finally:
                server.stop()
        else:
            raise SystemExit(f"unknown store {store!r}: sqlite or postgres")
        sys.stdout.write(json.dumps(figures) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
