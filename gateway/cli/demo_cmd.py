"""`shiftgate demo`: the main job end to end on SQLite, in a fresh var/demo folder."""

from __future__ import annotations

import typer

from gateway.cli.context import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    fail,
    make_console,
    print_config_error,
    settings_of,
)
from gateway.demo import STEPS, DemoContext, run_demo
from gateway.errors import ConfigError
from hrcore.errors import StoreError


def demo(ctx: typer.Context) -> None:
    """Run the demo: seed a site, import punches, and every later step, printing summaries."""
    settings = settings_of(ctx)
    workdir = settings.var_dir / "demo"
    demo_ctx = DemoContext(
        console=make_console(),
        workdir=workdir,
        database_url=f"sqlite:///{workdir / 'shiftgate.db'}",
    )
    try:
        run_demo(STEPS, demo_ctx)
    except ConfigError as exc:
        print_config_error(exc)
        raise typer.Exit(EXIT_BAD_INPUT) from exc
    except StoreError as exc:
        raise fail(f"demo failed: {exc}", EXIT_FAILED) from exc
