"""`shiftgate devices ...`: Talk to time clocks: info, pull punches, sync users.

The work is in :mod:`gateway.devices.direct`; the option aliases below (``DriverOpt``,
``HostOpt``...) are meant to be reused by other commands of this group.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich import box
from rich.table import Table

from drivers.base import Driver
from drivers.errors import DriverError
from gateway.cli.context import fail, make_console, settings_of
from gateway.config.service import DeviceSpec, load_service_config
from gateway.devices.direct import DeviceTarget, pull, show_info
from gateway.devices.manager import registry_driver_factory
from gateway.devices.user_sync import apply_plan, load_roster, plan_device
from gateway.errors import BadInput, CommandFailed, ConfigError, SyncError
from gateway.push.admin import CommandName, device_rows, queue_command
from gateway.push.registry import ADMS
from gateway.push.store import PushStore
from gateway.push.users import QueuedAdmsDriver
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
UserOpt = Annotated[str | None, typer.Option("--user", help="device login (ISAPI)")]
PasswordOpt = Annotated[
    str | None, typer.Option("--password", help="device password (ISAPI digest auth)")
]


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
    user: UserOpt = None,
    password: PasswordOpt = None,
) -> None:
    """Pull punches from a device: a table, or every punch to --out as CSV."""
    target = DeviceTarget(driver, host, port, udp, commkey, tz, timeout, user, password)
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
    user: UserOpt = None,
    password: PasswordOpt = None,
) -> None:
    """Identity, counters and clock of a device."""
    target = DeviceTarget(driver, host, port, udp, commkey, tz, timeout, user, password)
    try:
        show_info(target, make_console())
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
            with _driver_for(spec, settings.var_dir) as driver:
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


def _driver_for(spec: DeviceSpec, var_dir: Path) -> Driver:
    """The device's driver; ADMS devices get theirs through the push command queue."""
    if spec.driver == ADMS:
        return QueuedAdmsDriver.for_serial(dict(spec.settings), PushStore.in_var_dir(var_dir))
    return registry_driver_factory(spec, spec.settings)


# -- push devices (ADMS, ISAPI events) -------------------------------------------------------
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise fail(f"--tz {name!r} is not an IANA zone (e.g. Asia/Shanghai)") from exc


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    config_dir: Annotated[Path | None, typer.Option(help="Folder with devices.yaml.")] = None,
) -> None:
    """Configured devices and every push serial that called in (refused, quarantined...)."""
    settings = settings_of(ctx, config_dir=config_dir)
    console = make_console()
    try:
        specs = load_service_config(settings.config_dir).devices
    except ConfigError as exc:
        console.print(f"[red]config error:[/red] {exc}")
        raise typer.Exit(2) from exc
    table = Table(box=box.SIMPLE, pad_edge=False)
    for name in ("serial", "driver", "status", "address", "last seen", "cmds"):
        table.add_column(name, no_wrap=name != "address", overflow="fold")
    for row in device_rows(specs, PushStore.in_var_dir(settings.var_dir)):
        seen = row.last_seen.strftime("%m-%d %H:%M") if row.last_seen else ""
        table.add_row(
            row.serial, row.driver, row.status, row.address, seen, str(row.pending_commands)
        )
    console.print(table)


@app.command("admit")
def admit_cmd(
    ctx: typer.Context,
    serial: Annotated[str, typer.Argument(help="serial from `shiftgate devices list`")],
    tz: Annotated[str | None, typer.Option("--tz", help="IANA zone of the device clock")] = None,
) -> None:
    """Accept a quarantined or refused push device: its next uploads are stored."""
    settings = settings_of(ctx)
    if tz is not None:
        _zone(tz)
    try:
        device = PushStore.in_var_dir(settings.var_dir).admit(serial, timezone=tz)
    except BadInput as exc:
        raise fail(str(exc)) from exc
    make_console().print(
        f"admitted {device.serial} ({device.family}); add it to devices.yaml to "
        "give it a name and a site"
    )


@app.command("command")
def command_cmd(
    ctx: typer.Context,
    serial: Annotated[str, typer.Argument(help="serial of an ADMS device")],
    name: Annotated[CommandName, typer.Argument(help="what the device should do")],
    option: Annotated[str | None, typer.Option(help="KEY=VALUE for set-option")] = None,
    start: Annotated[
        datetime | None, typer.Option("--from", help="backfill from (device-local time)")
    ] = None,
    end: Annotated[datetime | None, typer.Option("--to", help="backfill to")] = None,
    tz: Annotated[str, typer.Option("--tz", help="IANA zone of the device clock")] = "UTC",
) -> None:
    """Queue a command for an ADMS device; it runs at the device's next poll. A clear-log
    first backfills the whole log and waits until that is stored."""
    settings = settings_of(ctx)
    zone = _zone(tz)
    try:
        ids = queue_command(
            PushStore.in_var_dir(settings.var_dir),
            serial,
            name,
            zone=zone,
            clock=lambda: datetime.now(UTC),
            option=option,
            start=start,
            end=end,
        )
    except BadInput as exc:
        raise fail(str(exc)) from exc
    make_console().print(f"queued {name.value} for {serial}: command id(s) {ids}")


@app.command("commands")
def commands_cmd(
    ctx: typer.Context,
    serial: Annotated[str | None, typer.Argument(help="only this device")] = None,
) -> None:
    """The command queue: status, attempts and the device's answer."""
    settings = settings_of(ctx)
    table = Table("id", "serial", "command", "status", "tries", "return", "answer")
    for c in PushStore.in_var_dir(settings.var_dir).commands(serial):
        table.add_row(
            str(c.id),
            c.serial,
            c.text[:40],
            c.status.value,
            str(c.attempts),
            "" if c.return_code is None else str(c.return_code),
            c.answer.replace("\n", " ")[:40],
        )
    make_console().print(table)
