"""Checks the SHIFTGATE_* environment once, before any command, so a bad value is a clear
error (exit 2) instead of a traceback."""

from __future__ import annotations

import typer
from pydantic import ValidationError

from gateway.cli.console import make_console
from gateway.settings import Settings


def env_name(loc: tuple[int | str, ...]) -> str:
    """``("database_url",)`` -> ``SHIFTGATE_DATABASE_URL`` (nested keys joined with ``__``)."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    return prefix + "__".join(str(part) for part in loc).upper()


def check_settings() -> None:
    try:
        Settings()
    except ValidationError as exc:
        err = make_console(stderr=True)
        err.print("[red]error:[/] invalid settings in the environment:")
        for problem in exc.errors(include_url=False):
            err.print(f"  {env_name(problem['loc'])}: {problem['msg']}")
        raise typer.Exit(2) from exc
