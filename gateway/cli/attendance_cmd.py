"""`shiftgate attendance ...`: Attendance: compute, explain, evaluate files, export hours."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Attendance: compute, explain, evaluate files, export hours.", no_args_is_help=True
)
