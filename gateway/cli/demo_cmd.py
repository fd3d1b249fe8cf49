"""`shiftgate demo`: the main job end to end on SQLite, in a fresh var/demo folder; then the
web UI on the demo's store until Ctrl-C (`--no-serve`: exit after the summary)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from gateway.cli.context import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    fail,
    make_console,
    print_config_error,
    settings_of,
)
from gateway.cli.serve_cmd import run_gateway
from gateway.demo import STEPS, DemoContext, run_demo
from gateway.demo.exports_step import exports_dir
from gateway.demo.runner import StageTime
from gateway.demo.web_data import DEFAULT_PORT, DEMO_PASSWORD, DEMO_USERS
from gateway.demo.web_step import ui_url
from gateway.errors import ConfigError
from gateway.logging_json import JsonFormatter
from hrcore.errors import StoreError

EXIT_INTERRUPTED = 130  # what a shell reports for a command stopped by Ctrl-C


def _log_to(path: Path) -> None:
    """The demo's log lines (refused batches, raised alerts...) go to a file, not between the
    stages' output."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per simulated request


def print_summary(
    console: Console, times: Sequence[StageTime], workdir: Path, log: Path, total_s: float
) -> None:
    table = Table(title=f"Summary: {len(times)} stages in {total_s:.0f} s", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("stage", overflow="fold")
    table.add_column("s", justify="right")
    for t in times:
        table.add_row(str(t.number), t.title, f"{t.seconds:.1f}")
    console.print(table)
    exports = exports_dir(workdir)
    files = sorted(exports.glob("*")) if exports.is_dir() else []
    console.print(f"exports ({len(files)} files) in {exports}/:", markup=False)
    for name in sorted({f.stem for f in files}):
        kinds = " ".join(f.name for f in files if f.stem == name)
        console.print(f"  {kinds}", markup=False)
    console.print(f"HR store: {workdir / 'shiftgate.db'}", markup=False)
    console.print(f"log: {log}", markup=False)


def demo(
    ctx: typer.Context,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Exit after the summary; no web UI.")
    ] = False,
    port: Annotated[
        int, typer.Option(help="The web UI's port on 127.0.0.1, 0 = any free one.")
    ] = DEFAULT_PORT,
) -> None:
    """Run the demo: every stage on a fresh SQLite store, a summary with the exports, then
    the web UI on it until Ctrl-C."""
    settings = settings_of(ctx)
    workdir = settings.var_dir / "demo"
    console = make_console()
    log = settings.var_dir / "demo.log"
    _log_to(log)
    demo_ctx = DemoContext(
        console=console, workdir=workdir, database_url=f"sqlite:///{workdir / 'shiftgate.db'}"
    )
    started = time.monotonic()
    try:
        times = run_demo(STEPS, demo_ctx)
    except ConfigError as exc:
        print_config_error(exc)
        raise typer.Exit(EXIT_BAD_INPUT) from exc
    except StoreError as exc:
        raise fail(f"demo failed: {exc}", EXIT_FAILED) from exc
    except KeyboardInterrupt as exc:
        console.print(f"interrupted; {workdir} holds a partial run (`make demo` starts afresh)")
        raise typer.Exit(EXIT_INTERRUPTED) from exc
    print_summary(console, times, workdir, log, time.monotonic() - started)
    if no_serve:
        return
    serving = settings.model_copy(
        update={"database_url": demo_ctx.database_url, "config_dir": workdir / "config"}
    )

    def listening(actual: int) -> None:
        console.print(
            f"[bold]web UI: {ui_url(actual)}  login: {DEMO_USERS[0][0]} / {DEMO_PASSWORD}[/]"
        )
        console.print("serving the demo store; Ctrl-C stops it")

    run_gateway(serving, host="127.0.0.1", port=port, on_listening=listening)
    console.print("stopped")
