"""`shiftgate roster ...`: Roster solver: solve, publish."""

from __future__ import annotations

import typer

app = typer.Typer(help="Roster solver: solve, publish.", no_args_is_help=True)
