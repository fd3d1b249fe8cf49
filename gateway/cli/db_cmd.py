"""`shiftgate db ...`: Database schema: migrations."""

from __future__ import annotations

import typer

app = typer.Typer(help="Database schema: migrations.", no_args_is_help=True)
