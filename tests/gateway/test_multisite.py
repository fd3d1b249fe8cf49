"""Two sites, one centre (issue #26): two gateways, each with its own SQLite outbox and clock,
upload over loopback HTTP to one central shiftgate on PostgreSQL. The gateways only connect
out; uploads are idempotent; each site's clock is read in the site's zone; and a site's token
writes only that site's clocks (403, nothing stored)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from drivers.punch import punch_id
from drivers.zkteco.simulator import ZKSimulator
from gateway.auth.service import enrol_gateway
from gateway.config.apply import apply_configuration
from gateway.config.service import load_service_config
from gateway.config.site import load_site_config
from gateway.punches.wire import PunchBatch, PunchWire
from gateway.service import GatewayService
from gateway.settings import Settings
from gateway.sync.uploader import BATCH_PATH
from gateway.testing.config_files import write_config_dir
from gateway.testing.crash_harness import central_server
from gateway.testing.waiting import wait_until
from hrcore.db import make_engine, make_session_factory
from hrcore.models import Device, PunchRecord, Site

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@dataclass(slots=True)
class SiteSetup:
    code: str
    timezone: str
    sim: ZKSimulator
    config_dir: Path
    var_dir: Path
    token: str = ""  # the site's gateway token, issued at the centre

    def expected(self) -> dict[uuid.UUID, datetime]:
        """Punch id -> the UTC instant of the device's wall time in the site's zone."""
        zone = ZoneInfo(self.timezone)
        return {
            punch_id(self.sim.serial, r.user_id, r.time): r.time.replace(tzinfo=zone).astimezone(
                UTC
            )
            for r in self.sim.attendance()
        }


SITES = (("SH-A", "Asia/Shanghai", 11), ("BER-B", "Europe/Berlin", 12))


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[list[SiteSetup]]:
    made = []
    for code, zone, seed in SITES:
        sim = ZKSimulator(users=15, records=400, seed=seed, timezone=zone)
        sim.start()
        config_dir = tmp_path / code / "config"
        device = {
            "serial": sim.serial,
            "driver": "zkteco",
            "poll_interval_s": 0.3,
            "live": False,
            "settings": {"host": "127.0.0.1", "port": sim.port, "timeout": 5},
        }  # no timezone: the device takes the site's
        write_config_dir(config_dir, [device], site=code, timezone=zone)
        made.append(SiteSetup(code, zone, sim, config_dir, tmp_path / code / "var"))
    try:
        yield made
    finally:
        for s in made:
            s.sim.stop()


@pytest.fixture
def centre_store(postgres_url: str, sites: list[SiteSetup]) -> Iterator[sessionmaker[Session]]:
    """The centre's PostgreSQL with both sites and their clocks registered (config apply), and
    a gateway user bound to each site with a token (`shiftgate users add gw-X --role gateway
    --site X --no-password`, `shiftgate users token gw-X`)."""
    engine = make_engine(postgres_url)
    factory = make_session_factory(engine)
    now = datetime(2026, 12, 7, tzinfo=UTC)
    for s in sites:
        with factory.begin() as session:
            apply_configuration(session, load_site_config(s.config_dir), secret_key=None)
            s.token = enrol_gateway(
                session,
                f"gw-{s.code.lower()}",
                site=s.code,
                display_name=f"gateway of {s.code}",
                now=now,
                actor="test",
            )
    try:
        yield factory
    finally:
        engine.dispose()


def start_gateway(site: SiteSetup, centre_url: str) -> GatewayService:
    """A gateway box of ``site``: its own outbox under var_dir, uploading to the centre."""
    write_config_dir(
        site.config_dir,
        [
            {
                "serial": site.sim.serial,
                "driver": "zkteco",
                "poll_interval_s": 0.3,
                "live": False,
                "settings": {"host": "127.0.0.1", "port": site.sim.port, "timeout": 5},
            }
        ],
        site=site.code,
        timezone=site.timezone,
        gateway={
            "centre": {"url": centre_url, "token": site.token, "batch_size": 100},
            "retry": {"base_s": 0.05, "cap_s": 0.5},
        },
    )
    config = load_service_config(site.config_dir)
    settings = Settings(
        config_dir=site.config_dir,
        var_dir=site.var_dir,
        database_url=f"sqlite:///{site.var_dir / 'unused-local.db'}",
        log_json=True,
    )
    service = GatewayService(settings, config.gateway, config.devices)
    service.start()
    return service


def stored(factory: sessionmaker[Session]) -> dict[uuid.UUID, tuple[datetime, str, str]]:
    """Punch id -> (UTC instant, zone, site code of its clock)."""
    with factory() as session:
        rows = session.execute(
            select(PunchRecord.id, PunchRecord.at, PunchRecord.timezone, Site.code)
            .join(Device, PunchRecord.device_id == Device.id)
            .join(Site, Device.site_id == Site.id)
        )
        return {pid: (at, zone, code) for pid, at, zone, code in rows}


def count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(PunchRecord)) or 0)


def test_two_gateways_feed_one_centre(
    tmp_path: Path, postgres_url: str, sites: list[SiteSetup], centre_store: sessionmaker[Session]
) -> None:
    expected = {pid: (at, s) for s in sites for pid, at in s.expected().items()}
    with central_server(postgres_url, tmp_path / "centre-var") as url:
        gateways = [start_gateway(s, url) for s in sites]
        try:
            wait_until(lambda: count(centre_store) >= len(expected), timeout=120, interval=0.2)
            wait_until(lambda: all(g.outbox.depth() == 0 for g in gateways), timeout=30)
        finally:
            for g in gateways:
                g.stop()
        got = stored(centre_store)
        assert set(got) == set(expected)
        for pid, (at, site) in expected.items():
            # the device's wall time read in its site's zone
            assert got[pid] == (at, site.timezone, site.code)
        # Shanghai is UTC+8 all year: the instant is the wall time minus 8 hours
        first = sites[0].sim.attendance()[0]
        sh_id = punch_id(sites[0].sim.serial, first.user_id, first.time)
        assert got[sh_id][0] == first.time.replace(tzinfo=UTC) - timedelta(hours=8)

        # idempotent: a rebuilt gateway box (empty outbox) reads its clock again and uploads
        # everything again; the centre stores nothing twice
        box = sites[0]
        for path in box.var_dir.glob("outbox.db*"):
            path.unlink()
        again = start_gateway(box, url)
        try:
            wait_until(
                lambda: (
                    again.metrics.registry.get_sample_value(
                        "shiftgate_uploaded_punches_total", {"result": "duplicate"}
                    )
                    == len(box.expected())
                ),
                timeout=60,
                interval=0.2,
            )
        finally:
            again.stop()
        assert count(centre_store) == len(expected)


def wire(site: SiteSetup, index: int) -> PunchWire:
    record = site.sim.attendance()[index]
    local = record.time.replace(tzinfo=ZoneInfo(site.timezone))
    return PunchWire(
        id=punch_id(site.sim.serial, record.user_id, record.time),
        device_sn=site.sim.serial,
        device_user=record.user_id,
        local_time=local,
        timezone=site.timezone,
        received_at=datetime(2026, 12, 1, tzinfo=UTC),
    )


def post(url: str, token: str, punches: list[PunchWire]) -> httpx.Response:
    return httpx.post(
        url + BATCH_PATH,
        content=PunchBatch(punches=punches).model_dump_json(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        timeout=30,
    )


def test_a_site_token_writes_only_its_own_sites_clocks(
    tmp_path: Path, postgres_url: str, sites: list[SiteSetup], centre_store: sessionmaker[Session]
) -> None:
    sh, ber = sites
    with central_server(postgres_url, tmp_path / "centre-var", api_token="centre-admin") as url:
        # site A's token, one punch of A and one of B's clock: refused whole, nothing stored
        mixed = [wire(sh, 0), wire(ber, 0)]
        refused = post(url, sh.token, mixed)
        assert refused.status_code == 403
        error = refused.json()["error"]
        assert error["code"] == "foreign_site"
        (detail,) = error["details"]
        assert detail["loc"] == ["body", "punches", 1]
        assert "belongs to site 'BER-B'" in detail["msg"]
        assert count(centre_store) == 0
        # a clock registered nowhere is refused too
        stranger = wire(ber, 1)
        unknown = PunchWire.model_validate(
            {
                **stranger.model_dump(),
                "device_sn": "NOT-REGISTERED",
                "id": punch_id("NOT-REGISTERED", stranger.device_user, stranger.local_time),
            }
        )
        assert post(url, sh.token, [unknown]).status_code == 403
        assert count(centre_store) == 0
        # its own clock: stored; a wrong token: 401; an unbound gateway token: any site
        assert post(url, sh.token, [wire(sh, 0)]).json() == {"accepted": 1, "duplicate": 0}
        assert post(url, "guess", [wire(ber, 0)]).status_code == 401
        assert post(url, ber.token, [wire(ber, 0)]).json() == {"accepted": 1, "duplicate": 0}
        assert post(url, "centre-admin", [wire(sh, 1), wire(ber, 1)]).json()["accepted"] == 2
        assert count(centre_store) == 4


def test_a_gateway_parks_a_foreign_clocks_punches_and_delivers_its_own(
    tmp_path: Path, postgres_url: str, sites: list[SiteSetup], centre_store: sessionmaker[Session]
) -> None:
    """Gateway A is (wrongly) configured with site B's clock as well: A's punches arrive, B's
    are refused by the centre and parked in A's outbox, none of them stored."""
    sh, ber = sites
    with central_server(postgres_url, tmp_path / "centre-var") as url:
        write_config_dir(
            sh.config_dir,
            [
                {
                    "serial": s.sim.serial,
                    "driver": "zkteco",
                    "poll_interval_s": 0.3,
                    "live": False,
                    "settings": {"host": "127.0.0.1", "port": s.sim.port, "timeout": 5},
                }
                for s in (sh, ber)
            ],
            site=sh.code,
            timezone=sh.timezone,
            gateway={
                "centre": {"url": url, "token": sh.token, "batch_size": 100},
                "retry": {"base_s": 0.05, "cap_s": 0.5},
            },
        )
        config = load_service_config(sh.config_dir)
        settings = Settings(
            config_dir=sh.config_dir,
            var_dir=sh.var_dir,
            database_url=f"sqlite:///{sh.var_dir / 'unused-local.db'}",
        )
        gateway = GatewayService(settings, config.gateway, config.devices)
        gateway.start()
        try:
            wait_until(
                lambda: (
                    gateway.outbox.rejected_count() == len(ber.sim.attendance())
                    and gateway.outbox.depth() == 0
                ),
                timeout=120,
                interval=0.2,
            )
        finally:
            gateway.stop()
    got = stored(centre_store)
    assert set(got) == set(sh.expected())
    assert {code for _, _, code in got.values()} == {sh.code}
