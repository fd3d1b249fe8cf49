"""`shiftgate simulate ...`: Device simulators on loopback (for tests, demos and benchmarks)."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Device simulators on loopback (for tests, demos and benchmarks).", no_args_is_help=True
)
