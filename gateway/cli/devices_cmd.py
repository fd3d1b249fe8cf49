"""`shiftgate devices ...`: Talk to time clocks: info, pull punches, sync users.

The work is in :mod:`gateway.devices.direct`; the option aliases below (``DriverOpt``,
``HostOpt``...) are meant to be reused by other commands of this group.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from drivers.errors import DriverError
from gateway.cli.context import fail, make_console, settings_of
from gateway.config.service import load_service_config
from gateway.devices.direct import DeviceTarget, pull, show_info
from gateway.devices.manager import registry_driver_factory
from gateway.devices.user_sync import apply_plan, load_roster, plan_device
from gateway.errors import CommandFailed, ConfigError, SyncError
from hrcore.db import make_engine, make_session_factory

app = typer.Typer(help="Talk to time clocks: info, pull punches, users.", no_args_is_help=True)

DriverOpt = Annotated[str, typer.Option("--driver", help="driver family, e.g. zkteco")]
HostOpt = Annotated[str, typer.Option("--host", help="device address")]
PortOpt = Annotated[int | None, typer.Option("--port", help="device port (driver default)")]
UdpOpt = Annotated[bool, typer.Option("--udp", help="use UDP instead of TCP")]
CommKeyOpt = Annotated[int, typer.Option("--commkey", min=0, help="device comm key (0 = none)")]
TzOpt = Annotated[
    str | None, typer.Option("--tz", help="IANA zone of the device clock (default: this machine's)")
]
TimeoutOpt = Annotated[float, typer.Option("--timeout", min=0.1, help="seconds per reply")]


@app.command("pull")
def pull_cmd(
    host: HostOpt,
    driver: DriverOpt = "zkteco",
    port: PortOpt = None,
    udp: UdpOpt = False,
    commkey: CommKeyOpt = 0,
    tz: TzOpt = None,
    timeout: TimeoutOpt = 10.0,
    out: Annotated[Path | None, typer.Option("--out", help="write all punches to this CSV")] = None,
    cursor_file: Annotated[
        Path | None,
        typer.Option("--cursor-file", help="read only punches after the cursor kept in this file"),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="rows shown without --out")] = 50,
) -> None:
    """Pull punches from a device: a table, or every punch to --out as CSV."""
    target = DeviceTarget(driver, host, port, udp, commkey, tz, timeout)
    try:
        pull(target, make_console(), out, cursor_file, limit)
    except CommandFailed as exc:
        raise fail(str(exc)) from exc


@app.command("info")
def info_cmd(
    host: HostOpt,
    driver: DriverOpt = "zkteco",
    port: PortOpt = None,
    udp: UdpOpt = False,
    commkey: CommKeyOpt = 0,
    tz: TzOpt = None,
    timeout: TimeoutOpt = 10.0,
) -> None:
    """Identity, counters and clock of a device."""
    try:
        show_info(DeviceTarget(driver, host, port, udp, commkey, tz, timeout), make_console())
    except CommandFailed as exc:
        raise fail(str(exc)) from exc


@app.command("sync-users")
def sync_users(
    ctx: typer.Context,
    site: Annotated[str | None, typer.Option(help="Only devices of this site code.")] = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="Execute the plan (default: show).")
    ] = False,
    config_dir: Annotated[Path | None, typer.Option(help="Folder with devices.yaml.")] = None,
) -> None:
    """Show (or with --apply, execute) per device: add new hires, update names, remove
    leavers. Users unknown to the HR store are left alone; templates are never copied."""
    settings = settings_of(ctx, config_dir=config_dir)
    console = make_console()
    try:
        devices = load_service_config(settings.config_dir, site=site).devices
    except ConfigError as exc:
        console.print(f"[red]config error:[/red] {exc}")
        raise typer.Exit(2) from exc
    if not devices:
        console.print(f"[yellow]no devices{f' at site {site}' if site else ''} in config[/yellow]")
        raise typer.Exit(1)
    factory = make_session_factory(make_engine(settings.database_url))
    now = datetime.now(UTC)
    failures = 0
    for spec in devices:
        console.rule(f"{spec.serial} ({spec.name}, site {spec.site})")
        if spec.site is None:
            console.print("[red]no site: set `site:` for this device in devices.yaml[/red]")
            failures += 1
            continue
        try:
            with factory() as session:
                roster = load_roster(
                    session, spec.site, now.astimezone(ZoneInfo(spec.timezone)).date()
                )
            with registry_driver_factory(spec, spec.settings) as driver:
                plan = plan_device(spec, driver.list_users(), roster)
                table = Table("action", "user id", "name", "was")
                for step in plan.steps:
                    table.add_row(step.action.value, step.user_id, step.name, step.before or "")
                console.print(table if plan.steps else "[green]in sync[/green]")
                if plan.unmanaged:
                    console.print(f"left alone (not in HR store): {', '.join(plan.unmanaged)}")
                if apply and plan.steps:
                    for r in apply_plan(plan, driver, factory, clock=lambda: datetime.now(UTC)):
                        mark = "[green]ok[/green]" if r.ok else f"[red]failed: {r.error}[/red]"
                        console.print(f"{r.step.action} {r.step.user_id}: {mark}")
                        failures += 0 if r.ok else 1
        except (SyncError, DriverError) as exc:
            console.print(f"[red]{spec.serial}: {exc}[/red]")
            failures += 1
    if not apply:
        console.print("dry run: nothing changed; add --apply to execute")
    if failures:
        raise typer.Exit(1)
