"""`shiftgate devices ...`: Talk to time clocks: info, pull punches, users."""

from __future__ import annotations

import typer

app = typer.Typer(help="Talk to time clocks: info, pull punches, users.", no_args_is_help=True)
