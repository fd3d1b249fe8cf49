"""`shiftgate punches ...`: Punches in the HR store: import files, list."""

from __future__ import annotations

import typer

app = typer.Typer(help="Punches in the HR store: import files, list.", no_args_is_help=True)
