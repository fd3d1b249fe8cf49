"""`shiftgate drivers ...`: what driver families are installed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from drivers.base import Capability
from drivers.registry import discover
from gateway.cli.context import EXIT_BAD_INPUT, make_console, print_config_error, settings_of
from gateway.config.brands import BRANDS_FILE, BrandEntry, FamilyCheck, load_brands
from gateway.errors import ConfigError

app = typer.Typer(help="Installed device driver families.", no_args_is_help=True)


@app.command("list")
def list_drivers() -> None:
    """List each driver family with its capabilities (broken plug-ins are shown with the error)."""
    console = make_console()
    table = Table(title="shiftgate drivers")
    table.add_column("family")
    table.add_column("entry point")
    for cap in Capability:
        table.add_column(cap.value, justify="center")
    table.add_column("description / error")
    for entry in discover():
        if entry.driver is None:
            table.add_row(
                entry.name, entry.target, *["-" for _ in Capability], f"[red]broken: {entry.error}"
            )
            continue
        caps = entry.driver.capabilities
        table.add_row(
            entry.name,
            entry.target,
            *["yes" if c in caps else "" for c in Capability],
            entry.driver.description,
        )
    console.print(table)


def brands_tables(entries: list[BrandEntry], checks: list[FamilyCheck]) -> list[Table]:
    catalogue = Table(title="terminals by driver family", show_lines=True)
    catalogue.add_column("brand")
    catalogue.add_column("models")
    catalogue.add_column("family")
    catalogue.add_column("defaults")
    for e in entries:
        defaults = ", ".join(f"{k}={v}" for k, v in e.defaults.items())
        catalogue.add_row(e.brand, e.models, e.family, defaults)
    families = Table(title="families: checked against a simulator in the test suite?")
    families.add_column("family")
    families.add_column("simulator")
    for c in checks:
        families.add_row(c.family, c.simulator or "no (golden files and unit tests only)")
    return [catalogue, families]


@app.command("brands")
def brands(
    ctx: typer.Context,
    config_dir: Annotated[
        Path | None, typer.Option(help="folder holding brands.yaml (default: the settings')")
    ] = None,
    sources: Annotated[bool, typer.Option(help="print each entry's public source")] = True,
) -> None:
    """The brand catalogue (config/brands.yaml): which family reads which terminals."""
    settings = settings_of(ctx, config_dir=config_dir)
    try:
        entries, checks = load_brands(settings.config_dir / BRANDS_FILE)
    except ConfigError as exc:
        print_config_error(exc)
        raise typer.Exit(EXIT_BAD_INPUT) from exc
    console = make_console()
    for table in brands_tables(entries, checks):
        console.print(table)
    if sources:
        console.print("sources:")
        for e in entries:
            console.print(f"- {e.brand} ({e.family}): {e.source}", soft_wrap=True)
