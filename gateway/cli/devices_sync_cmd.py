"""`shiftgate devices sync-users`: reconcile device user lists with the HR store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from drivers.errors import DriverError
from gateway.cli.console import make_console
from gateway.config.files import ConfigError
from gateway.config.service import load_service_config
from gateway.devices.manager import registry_driver_factory
from gateway.devices.user_sync import SyncError, apply_plan, load_roster, plan_device
from gateway.settings import Settings
from hrcore.db import make_engine, make_session_factory


def sync_users(
    site: Annotated[str | None, typer.Option(help="Only devices of this site code.")] = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="Execute the plan (default: show).")
    ] = False,
    config_dir: Annotated[Path | None, typer.Option(help="Folder with devices.yaml.")] = None,
) -> None:
    """Show (or with --apply, execute) per device: add new hires, update names, remove
    leavers. Users unknown to the HR store are left alone; templates are never copied."""
    settings = Settings() if config_dir is None else Settings(config_dir=config_dir)
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
