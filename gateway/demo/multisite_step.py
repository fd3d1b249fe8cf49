"""Demo step: two sites, one centre.

Two gateway boxes, each with its own outbox and a simulated ZKTeco clock in its own timezone,
upload over loopback HTTP to a central shiftgate (its own SQLite store here; PostgreSQL in a
deployment, see docs/deployment.md). Each gateway's token is bound to its site; a forged
batch with the other site's clock is refused (403) and nothing of it is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from drivers.punch import punch_id
from drivers.zkteco.simulator import ZKSimulator
from gateway.auth.service import enrol_gateway
from gateway.config.apply import apply_configuration
from gateway.config.service import load_service_config
from gateway.config.site import load_site_config
from gateway.demo.runner import DemoContext, DemoStep
from gateway.punches.wire import PunchBatch, PunchWire
from gateway.service import GatewayService
from gateway.settings import Settings
from gateway.sync.uploader import BATCH_PATH
from gateway.testing.config_files import write_config_dir
from gateway.testing.crash_harness import central_server
from gateway.testing.waiting import wait_until
from hrcore.db import make_engine, make_session_factory
from hrcore.migrate import upgrade
from hrcore.models import PunchRecord

SITES = (("SH-A", "Asia/Shanghai", 31), ("BER-B", "Europe/Berlin", 32))
RECORDS = 60
TIMEOUT_S = 60.0


@dataclass(slots=True)
class _Site:
    code: str
    zone: str
    sim: ZKSimulator
    config_dir: Path
    var_dir: Path
    token: str = ""

    def device(self) -> dict[str, object]:
        return {
            "serial": self.sim.serial,
            "driver": "zkteco",
            "poll_interval_s": 0.3,
            "live": False,
            "settings": {"host": "127.0.0.1", "port": self.sim.port, "timeout": 5},
        }


def _forged(site: _Site) -> PunchWire:
    """A punch of ``site``'s clock, as another site's gateway would have to send it."""
    record = site.sim.attendance()[0]
    local = record.time.replace(tzinfo=ZoneInfo(site.zone))
    return PunchWire(
        id=punch_id(site.sim.serial, record.user_id, record.time),
        device_sn=site.sim.serial,
        device_user=record.user_id,
        local_time=local,
        timezone=site.zone,
        received_at=datetime.now(UTC),
    )


def run(ctx: DemoContext) -> None:
    root = ctx.workdir / "multisite"
    centre_url = f"sqlite:///{root / 'centre.db'}"
    upgrade(centre_url)
    engine = make_engine(centre_url)
    factory = make_session_factory(engine)
    sites: list[_Site] = []
    for code, zone, seed in SITES:
        sim = ZKSimulator(users=10, records=RECORDS, seed=seed, timezone=zone)
        sim.start()
        sites.append(_Site(code, zone, sim, root / code / "config", root / code / "var"))
    now = datetime.now(UTC)
    try:
        for s in sites:  # at the centre: the site, its clock, a gateway user bound to it
            write_config_dir(s.config_dir, [s.device()], site=s.code, timezone=s.zone)
            with factory.begin() as session:
                apply_configuration(session, load_site_config(s.config_dir), secret_key=None)
                s.token = enrol_gateway(
                    session,
                    f"gw-{s.code.lower()}",
                    site=s.code,
                    display_name=f"gateway box of {s.code}",
                    now=now,
                    actor="demo",
                )
        with central_server(centre_url, root / "centre-var") as url:
            ctx.console.print(f"centre {url}; gateways connect out to it, never the reverse")
            gateways = []
            for s in sites:
                write_config_dir(
                    s.config_dir,
                    [s.device()],
                    site=s.code,
                    timezone=s.zone,
                    gateway={"centre": {"url": url, "token": s.token, "batch_size": 50}},
                )
                config = load_service_config(s.config_dir)
                settings = Settings(
                    config_dir=s.config_dir,
                    var_dir=s.var_dir,
                    database_url=f"sqlite:///{s.var_dir / 'local.db'}",
                )
                service = GatewayService(settings, config.gateway, config.devices)
                service.start()
                gateways.append(service)
            try:
                wait_until(
                    lambda: (
                        _count(factory) >= RECORDS * len(sites)
                        and all(g.outbox.depth() == 0 for g in gateways)
                    ),
                    timeout=TIMEOUT_S,
                    interval=0.2,
                )
            finally:
                for g in gateways:
                    g.stop()
            table = Table("site", "zone", "clock", "punches", "first, local", "first, UTC")
            for s in sites:
                first = min(r.time for r in s.sim.attendance())
                at = first.replace(tzinfo=ZoneInfo(s.zone)).astimezone(UTC)
                table.add_row(
                    s.code,
                    s.zone,
                    s.sim.serial,
                    str(_count(factory, s.sim.serial)),
                    first.strftime("%m-%d %H:%M"),
                    at.strftime("%m-%d %H:%M"),
                )
            ctx.console.print(table)
            before = _count(factory)
            a, b = sites
            forged = httpx.post(
                url + BATCH_PATH,
                content=PunchBatch(punches=[_forged(b)]).model_dump_json(),
                headers={"Authorization": f"Bearer {a.token}", "Content-Type": "application/json"},
                timeout=30,
            )
            ctx.console.print(
                f"{a.code}'s token writing {b.code}'s clock: {forged.status_code} "
                f"{forged.json()['error']['code']}, {_count(factory) - before} stored"
            )
    finally:
        for s in sites:
            s.sim.stop()
        engine.dispose()


def _count(factory: sessionmaker[Session], serial: str | None = None) -> int:
    query = select(func.count()).select_from(PunchRecord)
    if serial is not None:
        query = query.where(PunchRecord.device_sn == serial)
    with factory() as session:
        return int(session.scalar(query) or 0)


STEP = DemoStep("Two sites, one centre: each gateway writes only its own clocks", run)
