"""`shiftgate config ...`: check the site's YAML files and write them into the HR store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gateway.cli.console import make_console
from gateway.config.apply import apply_configuration
from gateway.config.files import ConfigError
from gateway.config.site import Configuration, load_site_config
from gateway.settings import Settings
from hrcore.db import make_engine, make_session_factory
from hrcore.errors import StoreError
from hrcore.migrate import require_current

app = typer.Typer(
    help="Site configuration: check the YAML files, apply them.", no_args_is_help=True
)

ConfigDir = Annotated[
    Path | None,
    typer.Option("--config-dir", help="folder with site.yaml and devices.yaml (default: config)"),
]

EXIT_BAD_CONFIG = 2


def print_config_error(exc: ConfigError) -> None:
    err = make_console(stderr=True)
    err.print(f"[red]error:[/] {exc.path} is not valid ({len(exc.problems)} problem(s)):")
    for problem in exc.problems:
        where = problem.key or "(file)"
        err.print(f"  {exc.path}: [bold]{where}[/]: {problem.message}", markup=True)


def load_or_exit(config_dir: Path) -> Configuration:
    """The checked configuration; on a bad file print every problem and exit 2."""
    try:
        return load_site_config(config_dir)
    except ConfigError as exc:
        print_config_error(exc)
        raise typer.Exit(EXIT_BAD_CONFIG) from exc


@app.command("check")
def check(config_dir: ConfigDir = None) -> None:
    """Validate site.yaml and devices.yaml; exit 2 listing every problem."""
    settings = Settings()
    config = load_or_exit(config_dir or settings.config_dir)
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
def apply(config_dir: ConfigDir = None) -> None:
    """Write the site, org units, shift types, employees and devices into the HR store."""
    settings = Settings()
    config = load_or_exit(config_dir or settings.config_dir)
    engine = make_engine(settings.database_url)
    try:
        require_current(settings.database_url)
        with make_session_factory(engine).begin() as session:
            counts = apply_configuration(session, config, secret_key=settings.secret_key)
    except StoreError as exc:
        make_console(stderr=True).print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    make_console().print(
        f"site {counts.site}: {counts.org_units} org units, {counts.shift_types} shift types, "
        f"{counts.employees} employees ({counts.device_users} device users), "
        f"{counts.devices} devices applied"
    )
