"""`shiftgate config ...`: check the site's YAML files and write them into the HR store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gateway.cli.context import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    fail,
    make_console,
    print_config_error,
    settings_of,
    store,
)
from gateway.config.apply import apply_configuration
from gateway.config.site import Configuration, load_site_config
from gateway.errors import ConfigError
from hrcore.errors import StoreError

app = typer.Typer(
    help="Site configuration: check the YAML files, apply them.", no_args_is_help=True
)

ConfigDir = Annotated[
    Path | None,
    typer.Option("--config-dir", help="folder with site.yaml and devices.yaml (default: config)"),
]


def load_or_exit(config_dir: Path) -> Configuration:
    """The checked configuration; on a bad file print every problem and exit 2."""
    try:
        return load_site_config(config_dir)
    except ConfigError as exc:
        print_config_error(exc)
        raise typer.Exit(EXIT_BAD_INPUT) from exc


@app.command("check")
def check(ctx: typer.Context, config_dir: ConfigDir = None) -> None:
    """Validate site.yaml and devices.yaml; exit 2 listing every problem."""
    settings = settings_of(ctx, config_dir=config_dir)
    config = load_or_exit(settings.config_dir)
    console = make_console()
    site = config.site
    console.print(
        f"site {site.code} ({site.name}, {site.timezone}): {len(site.org_units)} org units, "
        f"{len(site.shift_types)} shift types, {len(site.employees)} employees"
    )
    table = Table(title="devices")
    for column in ("serial", "driver", "timezone", "poll every", "enabled"):
        table.add_column(column)
    for d in config.devices:
        table.add_row(d.serial, d.driver, d.timezone, f"{d.poll_interval_s:g} s", str(d.enabled))
    console.print(table)
    console.print("[green]configuration is valid[/]")


@app.command("apply")
def apply(ctx: typer.Context, config_dir: ConfigDir = None) -> None:
    """Write the site, org units, shift types, employees and devices into the HR store."""
    settings = settings_of(ctx, config_dir=config_dir)
    config = load_or_exit(settings.config_dir)
    try:
        with store(settings) as factory, factory.begin() as session:
            counts = apply_configuration(session, config, secret_key=settings.secret_key)
    except StoreError as exc:
        raise fail(str(exc), EXIT_FAILED) from exc
    make_console().print(
        f"site {counts.site}: {counts.org_units} org units, {counts.shift_types} shift types, "
        f"{counts.employees} employees ({counts.device_users} device users), "
        f"{counts.devices} devices applied"
    )
