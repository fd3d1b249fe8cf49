"""Outage soak: ``python -m bench.outage_soak`` (1,000,000 punches from 20 devices on 20
gateways, one site each, through a 72 h cut).

Starts its own throwaway PostgreSQL on loopback (Debian's binaries; as root through
``runuser -u postgres``) unless ``--database-url`` names an empty one, runs
:func:`gateway.testing.outage_soak.run_outage_soak` and prints its report as JSON. Exits 1
unless every punch was delivered exactly once and in order.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from gateway.sync.outbox import OutboxBudget
from gateway.testing.outage_soak import Via, run_outage_soak
from gateway.testing.postgres import running_postgres
from hrcore.migrate import upgrade


@contextmanager
def _database(url: str | None) -> Iterator[tuple[str, Callable[[], float]]]:
    """The store's URL, and how much CPU its server has used (known for our own server)."""
    if url is not None:
        upgrade(url)
        yield url, lambda: 0.0
        return
    with running_postgres() as server:
        admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text('CREATE DATABASE "soak"'))
        finally:
            admin.dispose()
        upgrade(server.url("soak"))
        yield server.url("soak"), server.cpu_seconds


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.outage_soak")
    parser.add_argument("--punches", type=int, default=1_000_000)
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--gateways", type=int, default=20, help="boxes, one site each")
    parser.add_argument("--hours", type=float, default=72.0, help="length of the cut")
    parser.add_argument("--poll-s", type=float, default=300.0, help="simulated poll interval")
    parser.add_argument("--batch", type=int, default=2000, help="upload batch size")
    parser.add_argument("--via", type=Via, choices=list(Via), default=Via.HTTP)
    parser.add_argument("--budget-mb", type=float, default=1024.0, help="outbox disk budget")
    parser.add_argument("--lost-acks", type=int, default=3, help="answers lost after storing")
    parser.add_argument("--database-url", default=None, help="an empty store (default: own PG)")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    # SIGTERM unwinds like Ctrl-C, so the throwaway PostgreSQL is stopped and deleted
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    budget = OutboxBudget(max_bytes=int(args.budget_mb * 2**20))
    with (
        tempfile.TemporaryDirectory(prefix="outage-soak-") as tmp,
        _database(args.database_url) as (url, database_cpu),
    ):
        report = run_outage_soak(
            args.workdir or Path(tmp),
            url,
            punches=args.punches,
            devices=args.devices,
            gateways=args.gateways,
            hours=args.hours,
            poll_s=args.poll_s,
            batch_size=args.batch,
            via=args.via,
            budget=budget,
            lost_acks=args.lost_acks,
            database_cpu=database_cpu,
        )
    cpu = report.drain_cpu_s + report.drain_db_cpu_s
    per_core = round(report.produced / cpu) if report.drain_db_cpu_s > 0 else None
    out = {**dataclasses.asdict(report), "drain_per_cpu_second": per_core, "exact": report.exact}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.exit(0 if report.exact else 1)


if __name__ == "__main__":
    main()
