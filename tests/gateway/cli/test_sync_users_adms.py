"""`devices sync-users` for an ADMS device: the plan is made against what the device reported
and queued as commands; the device executes them at its next poll."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from drivers.adms.simulator import AdmsDeviceSimulator
from drivers.punch import DeviceUser
from gateway.app import create_app
from gateway.cli.main import app
from gateway.config.service import load_service_config
from gateway.metrics import GatewayMetrics
from gateway.push.service import PushService
from gateway.push.store import CommandStatus, PushStore
from gateway.settings import Settings
from gateway.sync.outbox import Outbox
from gateway.testing.app_server import serve_in_thread
from tests.gateway.cli.test_devices_sync_users_cmd import seed_store
from tests.gateway.helpers import write_site_config

SN = "ADMSUSERS01"


def test_sync_users_queues_commands_the_device_runs(tmp_path: Path, sqlite_url: str) -> None:
    seed_store(sqlite_url)
    write_site_config(
        tmp_path / "config", [{"serial": SN, "driver": "adms", "settings": {"delay_s": 1}}]
    )
    var = tmp_path / "var"
    env = {
        "SHIFTGATE_DATABASE_URL": sqlite_url,
        "SHIFTGATE_CONFIG_DIR": str(tmp_path / "config"),
        "SHIFTGATE_VAR_DIR": str(var),
    }
    PushStore.in_var_dir(var).save_users(SN, [DeviceUser(str(i), f"User{i}") for i in range(1, 7)])
    runner = CliRunner()
    dry = runner.invoke(app, ["devices", "sync-users", "--site", "WH1"], env=env)
    assert dry.exit_code == 0, dry.output
    assert "New Hire" in dry.output and "User4" in dry.output
    applied = runner.invoke(app, ["devices", "sync-users", "--site", "WH1", "--apply"], env=env)
    assert applied.exit_code == 0, applied.output
    store = PushStore.in_var_dir(var)
    queued = store.commands(SN)
    assert [c.text.split("\t")[0] for c in queued] == [
        "DATA UPDATE USERINFO PIN=7",
        "DATA DELETE USERINFO PIN=4",
    ]
    assert (
        runner.invoke(app, ["devices", "sync-users", "--site", "WH1"], env=env).output.count(
            "in sync"
        )
        == 1
    )  # the queued commands count as done for the next plan

    specs = load_service_config(tmp_path / "config").devices
    outbox = Outbox.in_var_dir(var)
    push = PushService.build(
        specs,
        outbox=outbox,
        metrics=GatewayMetrics(),
        var_dir=var,
        clock=lambda: datetime.now(UTC),
        default_timezone="Asia/Shanghai",
    )
    settings = Settings(database_url=sqlite_url, var_dir=var)
    with (
        serve_in_thread(create_app(settings, push=push)) as url,
        AdmsDeviceSimulator(
            url, serial=SN, records=0, users=6, timezone="Asia/Shanghai", max_wait_s=0.1
        ) as sim,
    ):
        sim.run(polls=1)
    assert set(sim.user_table) == {"1", "2", "3", "5", "6", "7"}
    assert {c.status for c in store.commands(SN)} == {CommandStatus.DONE}
    assert {u.user_id for u in store.users(SN)} == {"1", "2", "3", "5", "6", "7"}
