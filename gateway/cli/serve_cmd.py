"""`shiftgate serve`: one process with the HTTP API, the device manager and the uploader."""

from __future__ import annotations

import logging
import signal
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from gateway.cli.context import make_console, settings_of
from gateway.config.service import load_service_config
from gateway.errors import ConfigError, PeopleConfigError
from gateway.logging_json import configure_logging
from gateway.notify.people_files import load_people_config
from gateway.service import GatewayService
from gateway.settings import Settings
from hrcore.errors import StoreError
from hrcore.migrate import require_current

log = logging.getLogger(__name__)


def serve(
    ctx: typer.Context,
    config_dir: Annotated[
        Path | None, typer.Option(help="Folder with gateway.yaml and devices.yaml.")
    ] = None,
    host: Annotated[str | None, typer.Option(help="Bind address (default: serve.host).")] = None,
    port: Annotated[
        int | None, typer.Option(help="TCP port, 0 = any free one (default: serve.port).")
    ] = None,
    port_file: Annotated[
        Path | None, typer.Option(help="Write the bound port here once listening.")
    ] = None,
) -> None:
    """Run the gateway: API + /metrics, one worker per device, the outbox uploader."""
    settings = settings_of(ctx, config_dir=config_dir)
    configure_logging(json_lines=settings.log_json)

    def listening(actual: int) -> None:
        if port_file is not None:
            # written aside and renamed: a reader polling for the file never sees it empty
            partial = port_file.with_name(port_file.name + ".partial")
            partial.write_text(str(actual), encoding="utf-8")
            partial.replace(port_file)

    run_gateway(settings, host=host, port=port, on_listening=listening)


def run_gateway(
    settings: Settings,
    *,
    host: str | None = None,
    port: int | None = None,
    on_listening: Callable[[int], None] = lambda _port: None,
) -> None:
    """Load the config folder, listen, tell ``on_listening`` the bound port, serve until
    SIGINT/SIGTERM, then stop the device workers and the uploader (exit code 0)."""
    try:
        service_config = load_service_config(settings.config_dir)
    except ConfigError as exc:
        make_console(stderr=True).print(f"[red]config error:[/red] {exc}")
        raise typer.Exit(2) from exc
    cfg, devices = service_config.gateway, service_config.devices
    try:
        people = load_people_config(settings.config_dir)
    except PeopleConfigError as exc:
        make_console(stderr=True).print(f"[red]config error:[/red] {exc}")
        raise typer.Exit(2) from exc
    if not cfg.centre.url:  # co-located: punches go straight into this database
        try:
            require_current(settings.database_url)
        except StoreError as exc:
            make_console(stderr=True).print(f"[red]database not ready:[/red] {exc}")
            raise typer.Exit(2) from exc
    bind_host = host or cfg.serve.host
    bind_port = cfg.serve.port if port is None else port
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((bind_host, bind_port))
    except OSError as exc:
        make_console(stderr=True).print(
            f"[red]cannot listen on {bind_host}:{bind_port}:[/red] {exc}; pick another --port"
        )
        raise typer.Exit(2) from exc
    # Listen now, so a client told the port (--port-file) queues in the backlog instead of
    # being refused while uvicorn is still starting.
    sock.listen(2048)
    actual = sock.getsockname()[1]
    service = GatewayService(settings, cfg, devices, people=people)
    server = uvicorn.Server(
        uvicorn.Config(service.app(), log_config=None, access_log=False, lifespan="off")
    )
    service.start()
    log.info("shiftgate serving url=http://%s:%d devices=%d", bind_host, actual, len(devices))
    on_listening(actual)
    # uvicorn re-raises SIGTERM/SIGINT once it has shut down; these handlers take that signal
    # so the service below is stopped cleanly and the exit code is 0.
    signal.signal(signal.SIGTERM, lambda *_: None)
    signal.signal(signal.SIGINT, lambda *_: None)
    try:
        server.run(sockets=[sock])
    finally:
        service.stop()
