"""`shiftgate demo`: the main job end to end on SQLite, in a fresh var/demo folder."""

from __future__ import annotations

import typer

from gateway.cli.config_cmd import print_config_error
from gateway.cli.console import make_console
from gateway.config.files import ConfigError
from gateway.demo import STEPS, DemoContext, run_demo
from gateway.settings import Settings
from hrcore.errors import StoreError


def demo() -> None:
    """Run the demo: seed a site, import punches, and every later step, printing summaries."""
    settings = Settings()
    workdir = settings.var_dir / "demo"
    ctx = DemoContext(
        console=make_console(),
        workdir=workdir,
        database_url=f"sqlite:///{workdir / 'shiftgate.db'}",
    )
    try:
        run_demo(STEPS, ctx)
    except ConfigError as exc:
        print_config_error(exc)
        raise typer.Exit(2) from exc
    except StoreError as exc:
        make_console(stderr=True).print(f"[red]demo failed:[/] {exc}")
        raise typer.Exit(1) from exc
