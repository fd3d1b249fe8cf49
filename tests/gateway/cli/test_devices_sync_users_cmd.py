"""Acceptance: `shiftgate devices sync-users` dry run and --apply against the ZK simulator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from drivers.zkteco.simulator import ZKSimulator
from gateway.cli.main import app
from hrcore.db import make_engine, make_session_factory
from hrcore.models import AuditEntry, DeviceUserMapping, Employee, Site
from tests.gateway.helpers import write_site_config, zk_device


@pytest.fixture
def sim() -> Iterator[ZKSimulator]:
    s = ZKSimulator(users=6, records=5, seed=21, timezone="Asia/Shanghai")
    s.start()
    yield s
    s.stop()


def seed_store(url: str) -> None:
    factory = make_session_factory(make_engine(url))
    with factory.begin() as s:
        site = Site(code="WH1", name="Warehouse 1", timezone="Asia/Shanghai")
        s.add(site)
        s.flush()
        people = [  # (device user, name, exit date)
            ("2", "User2", None),
            ("3", "User3", None),
            ("4", "User4", date(2025, 1, 31)),  # left
            ("7", "New Hire", None),  # not on the clock yet
        ]
        for pin, name, left in people:
            e = Employee(
                code=f"E{pin}",
                name=name,
                site_id=site.id,
                hire_date=date(2024, 1, 1),
                exit_date=left,
            )
            s.add(e)
            s.flush()
            s.add(DeviceUserMapping(site_id=site.id, device_user=pin, employee_id=e.id))


def test_sync_users_dry_run_then_apply(sim: ZKSimulator, tmp_path: Path, sqlite_url: str) -> None:
    seed_store(sqlite_url)
    write_site_config(tmp_path / "config", [zk_device(sim)])
    env = {
        "SHIFTGATE_DATABASE_URL": sqlite_url,
        "SHIFTGATE_CONFIG_DIR": str(tmp_path / "config"),
        "SHIFTGATE_VAR_DIR": str(tmp_path / "var"),
    }
    before = {u.user_id: u for u in sim.users()}
    runner = CliRunner()

    dry = runner.invoke(app, ["devices", "sync-users", "--site", "WH1"], env=env)
    assert dry.exit_code == 0, dry.output
    assert "add" in dry.output and "New Hire" in dry.output
    assert "remove" in dry.output and "User4" in dry.output
    assert "left alone (not in HR store): 1, 5, 6" in dry.output
    assert "dry run: nothing changed" in dry.output
    assert {u.user_id: u for u in sim.users()} == before

    applied = runner.invoke(app, ["devices", "sync-users", "--site", "WH1", "--apply"], env=env)
    assert applied.exit_code == 0, applied.output
    after = {u.user_id: u for u in sim.users()}
    assert set(after) == set(before) - {"4"} | {"7"}
    assert after["7"].name == "New Hire"
    for untouched in ("1", "2", "3", "5", "6"):
        assert after[untouched] == before[untouched]

    factory = make_session_factory(make_engine(sqlite_url))
    with factory() as s:
        audit = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(a.action, a.entity_id, a.detail["user_id"], a.detail["result"]) for a in audit] == [
        ("device.user.add", sim.serial, "7", "ok"),
        ("device.user.remove", sim.serial, "4", "ok"),
    ]
    again = runner.invoke(app, ["devices", "sync-users", "--site", "WH1"], env=env)
    assert "in sync" in again.output


def test_sync_users_unknown_site_is_named(
    sim: ZKSimulator, tmp_path: Path, sqlite_url: str
) -> None:
    write_site_config(tmp_path / "config", [zk_device(sim)], site="NOPE")
    env = {"SHIFTGATE_DATABASE_URL": sqlite_url, "SHIFTGATE_CONFIG_DIR": str(tmp_path / "config")}
    result = CliRunner().invoke(app, ["devices", "sync-users", "--apply"], env=env)
    assert result.exit_code == 1
    assert "site 'NOPE' is not in the HR store" in result.output
