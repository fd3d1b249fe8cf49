"""`shiftgate devices ...`: Talk to time clocks: info, pull punches, users.

The work is in :mod:`gateway.devices.direct`; the option aliases below (``DriverOpt``,
``HostOpt``...) are meant to be reused by other commands of this group.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gateway.cli.console import make_console
from gateway.devices.direct import CommandFailed, DeviceTarget, pull, show_info

app = typer.Typer(help="Talk to time clocks: info, pull punches, users.", no_args_is_help=True)

DriverOpt = Annotated[str, typer.Option("--driver", help="driver family, e.g. zkteco")]
HostOpt = Annotated[str, typer.Option("--host", help="device address")]
PortOpt = Annotated[int | None, typer.Option("--port", help="device port (driver default)")]
UdpOpt = Annotated[bool, typer.Option("--udp", help="use UDP instead of TCP")]
CommKeyOpt = Annotated[int, typer.Option("--commkey", min=0, help="device comm key (0 = none)")]
TzOpt = Annotated[
    str | None, typer.Option("--tz", help="IANA zone of the device clock (default: this machine's)")
]
TimeoutOpt = Annotated[float, typer.Option("--timeout", min=0.1, help="seconds per reply")]


def fail(exc: CommandFailed) -> typer.Exit:
    make_console(stderr=True).print(f"[red]error:[/red] {exc}")
    return typer.Exit(2)


@app.command("pull")
def pull_cmd(
    host: HostOpt,
    driver: DriverOpt = "zkteco",
    port: PortOpt = None,
    udp: UdpOpt = False,
    commkey: CommKeyOpt = 0,
    tz: TzOpt = None,
    timeout: TimeoutOpt = 10.0,
    out: Annotated[Path | None, typer.Option("--out", help="write all punches to this CSV")] = None,
    cursor_file: Annotated[
        Path | None,
        typer.Option("--cursor-file", help="read only punches after the cursor kept in this file"),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="rows shown without --out")] = 50,
) -> None:
    """Pull punches from a device: a table, or every punch to --out as CSV."""
    target = DeviceTarget(driver, host, port, udp, commkey, tz, timeout)
    try:
        pull(target, make_console(), out, cursor_file, limit)
    except CommandFailed as exc:
        raise fail(exc) from exc


@app.command("info")
def info_cmd(
    host: HostOpt,
    driver: DriverOpt = "zkteco",
    port: PortOpt = None,
    udp: UdpOpt = False,
    commkey: CommKeyOpt = 0,
    tz: TzOpt = None,
    timeout: TimeoutOpt = 10.0,
) -> None:
    """Identity, counters and clock of a device."""
    try:
        show_info(DeviceTarget(driver, host, port, udp, commkey, tz, timeout), make_console())
    except CommandFailed as exc:
        raise fail(exc) from exc
