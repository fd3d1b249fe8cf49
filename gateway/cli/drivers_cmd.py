"""`shiftgate drivers ...`: what driver families are installed."""

from __future__ import annotations

import typer
from rich.table import Table

from drivers.base import Capability
from drivers.registry import discover
from gateway.cli.context import make_console

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
