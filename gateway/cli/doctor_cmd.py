"""`shiftgate doctor`: check each hop and name the failing one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gateway.cli.context import make_console, settings_of
from gateway.doctor import HopState, run_checks

_STYLE = {HopState.OK: "green", HopState.FAILED: "bold red", HopState.SKIPPED: "dim"}


def doctor(
    ctx: typer.Context,
    config_dir: Annotated[
        Path | None, typer.Option(help="Folder with gateway.yaml and devices.yaml.")
    ] = None,
) -> None:
    """Check config, database, outbox, each device and the centre; exit 1 if one fails."""
    settings = settings_of(ctx, config_dir=config_dir)
    console = make_console()
    table = Table("hop", "state", "detail", "hint")
    failed = []
    for result in run_checks(settings):
        style = _STYLE[result.state]
        table.add_row(result.hop, f"[{style}]{result.state}[/{style}]", result.detail, result.hint)
        if result.failed:
            failed.append(result)
    console.print(table)
    for result in failed:
        console.print(f"[bold red]FAILING HOP: {result.hop}[/bold red] -- {result.hint}")
    if failed:
        raise typer.Exit(1)
    console.print("[green]all hops ok[/green]")
