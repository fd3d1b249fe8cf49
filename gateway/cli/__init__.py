"""The `shiftgate` command line: one Typer app per command group, composed in main.py."""
