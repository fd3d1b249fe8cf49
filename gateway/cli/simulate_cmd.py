"""`shiftgate simulate ...`: Device simulators on loopback (for tests, demos and benchmarks)."""

from __future__ import annotations

import signal
import threading
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console

from drivers.adms.simulator import AdmsDeviceSimulator
from drivers.errors import DriverError
from drivers.isapi.simulator import IsapiSimulator
from drivers.modbus.simulator import ModbusSimulator
from drivers.serial.presets import PresetName
from drivers.serial.simulator import SerialSimulator
from drivers.zkteco.codec import ChecksumForm
from drivers.zkteco.simulator import ZKSimulator
from gateway.cli.context import fail, make_console

app = typer.Typer(
    help="Device simulators on loopback (for tests, demos and benchmarks).", no_args_is_help=True
)


@dataclass(frozen=True, slots=True)
class ZKSimOptions:
    host: str
    port: int
    udp: bool
    users: int
    records: int
    seed: int
    comm_key: int
    live_rate: float
    clock_offset_s: float
    firmware_variant: int
    timezone: str | None = None
    checksum_variant: ChecksumForm = ChecksumForm.ONES
    strict: bool = False


def run_zk_simulator(opts: ZKSimOptions, console: Console, stop: threading.Event) -> None:
    """Serve until ``stop`` is set. The first output line is the port alone (for scripts)."""
    sim = ZKSimulator(
        users=opts.users,
        records=opts.records,
        seed=opts.seed,
        comm_key=opts.comm_key,
        udp=opts.udp,
        live_rate=opts.live_rate,
        clock_offset_s=opts.clock_offset_s,
        firmware_variant=opts.firmware_variant,
        host=opts.host,
        port=opts.port,
        timezone=opts.timezone,
        checksum_variant=opts.checksum_variant,
        strict=opts.strict,
    )
    with sim:
        console.print(str(sim.port))
        proto = "udp" if opts.udp else "tcp"
        console.print(
            f"ZKTeco simulator {sim.serial} on {opts.host}:{sim.port}/{proto}:"
            f" {opts.users} users, {opts.records} records; Ctrl-C or SIGTERM stops it"
        )
        console.file.flush()
        stop.wait()
    console.print("simulator stopped")
    console.file.flush()


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)


@app.command("zk")
def simulate_zk(
    port: Annotated[
        int, typer.Option(help="port to listen on (0 = any free port)", min=0, max=65535)
    ] = 4370,
    host: Annotated[str, typer.Option(help="address to bind")] = "127.0.0.1",
    udp: Annotated[bool, typer.Option("--udp", help="speak UDP instead of TCP")] = False,
    users: Annotated[int, typer.Option(min=1, help="users on the device")] = 20,
    records: Annotated[int, typer.Option(min=0, help="attendance records in the log")] = 1000,
    seed: Annotated[int, typer.Option(help="seed of the generated users and log")] = 0,
    commkey: Annotated[int, typer.Option(min=0, max=0xFFFFFFFF, help="comm key (0 = none)")] = 0,
    live_rate: Annotated[float, typer.Option(min=0, help="live punches per second")] = 0.0,
    clock_offset: Annotated[
        float, typer.Option(help="device clock minus true time, seconds")
    ] = 0.0,
    firmware_variant: Annotated[int, typer.Option(help="attendance record size: 8, 16 or 40")] = 40,
    tz: Annotated[
        str | None, typer.Option("--tz", help="IANA zone of the device clock (default: machine's)")
    ] = None,
    checksum_variant: Annotated[
        ChecksumForm,
        typer.Option(help="checksum form of the replies: ones (the manual's) or pyzk (clones)"),
    ] = ChecksumForm.ONES,
    strict: Annotated[
        bool, typer.Option("--strict", help="drop requests whose checksum is not of that form")
    ] = False,
) -> None:
    """Run a ZKTeco terminal (binary protocol) until Ctrl-C or SIGTERM. Prints its port first."""
    if firmware_variant not in (8, 16, 40):
        raise typer.BadParameter("must be 8, 16 or 40", param_hint="--firmware-variant")
    stop = threading.Event()
    _stop_on_signals(stop)
    opts = ZKSimOptions(
        host,
        port,
        udp,
        users,
        records,
        seed,
        commkey,
        live_rate,
        clock_offset,
        firmware_variant,
        tz,
        checksum_variant,
        strict,
    )
    try:
        run_zk_simulator(opts, make_console(), stop)
    except OSError as exc:
        make_console(stderr=True).print(f"[red]cannot listen on {host}:{port}: {exc}")
        raise typer.Exit(2) from exc
    except (ValueError, LookupError) as exc:  # bad zone name, impossible combination
        make_console(stderr=True).print(f"[red]bad simulator options: {exc}")
        raise typer.Exit(2) from exc


def run_serial_simulator(sim: SerialSimulator, console: Console, stop: threading.Event) -> None:
    """Print lines until ``stop``; the first output line is the device path alone."""
    with sim:
        console.print(str(sim.path), soft_wrap=True)
        console.print(
            f"serial terminal ({sim.preset.name.value}) on {sim.path}; point a `serial` driver's"
            " `port` at it; Ctrl-C or SIGTERM stops it",
            soft_wrap=True,
        )
        console.file.flush()
        while not stop.wait(0.2):
            if sim.done:
                break
    s = sim.stats
    console.print(
        f"simulator stopped: {s.sent} lines, {s.resent} resent, {s.acked} acked,"
        f" {s.faults} faults, vanished {s.vanished}x"
    )
    console.file.flush()


@app.command("serial")
def simulate_serial(
    pty: Annotated[
        bool, typer.Option("--pty", help="open a pseudo-terminal pair (the only mode)")
    ] = False,
    preset: Annotated[PresetName, typer.Option(help="line format")] = PresetName.SHIFTGATE,
    rate: Annotated[float, typer.Option(min=0.01, help="new punch lines per second")] = 1.0,
    records: Annotated[
        int | None, typer.Option(min=0, help="lines to print, then stop once all are acked")
    ] = None,
    users: Annotated[int, typer.Option(min=1, help="users who punch")] = 20,
    garbage: Annotated[float, typer.Option(min=0, max=1, help="chance of junk bytes")] = 0.0,
    partial: Annotated[float, typer.Option(min=0, max=1, help="chance of a cut line")] = 0.0,
    corrupt: Annotated[float, typer.Option(min=0, max=1, help="chance of a bad checksum")] = 0.0,
    bad_time: Annotated[float, typer.Option(min=0, max=1, help="chance of 30 February")] = 0.0,
    resend: Annotated[float, typer.Option(min=0.05, help="seconds before a resend")] = 2.0,
    vanish_after: Annotated[
        int | None, typer.Option(min=1, help="the port vanishes after every N lines")
    ] = None,
    vanish_for: Annotated[float, typer.Option(min=0, help="seconds the port stays away")] = 3.0,
    link: Annotated[
        Path | None, typer.Option(help="device path to create (default: a temporary one)")
    ] = None,
    seed: Annotated[int, typer.Option(help="seed of users, states and faults")] = 0,
    tz: Annotated[str, typer.Option("--tz", help="IANA zone of the terminal's clock")] = "UTC",
) -> None:
    """Run a serial punch terminal on a pty until Ctrl-C or SIGTERM. Prints its path first."""
    if not pty:
        raise typer.BadParameter(
            "only --pty is supported (a pseudo-terminal pair)", param_hint="--pty"
        )
    stop = threading.Event()
    _stop_on_signals(stop)
    try:
        sim = SerialSimulator(
            preset=preset,
            users=users,
            records=records,
            rate=rate,
            seed=seed,
            garbage=garbage,
            partial=partial,
            corrupt=corrupt,
            bad_time=bad_time,
            resend_s=resend,
            vanish_after=vanish_after,
            vanish_for_s=vanish_for,
            timezone=tz,
            link=link,
        )
        run_serial_simulator(sim, make_console(), stop)
    except (ValueError, LookupError, OSError) as exc:
        make_console(stderr=True).print(f"[red]bad simulator options: {exc}")
        raise typer.Exit(2) from exc


@app.command("modbus")
def simulate_modbus(
    port: Annotated[
        int, typer.Option(help="TCP port to listen on (0 = any free port)", min=0, max=65535)
    ] = 5020,
    host: Annotated[str, typer.Option(help="address to bind")] = "127.0.0.1",
    records: Annotated[int, typer.Option(min=0, help="records queued at start")] = 20,
    live_rate: Annotated[float, typer.Option(min=0, help="new records per second")] = 0.0,
    users: Annotated[int, typer.Option(min=1, help="users who punch")] = 20,
    unit: Annotated[int, typer.Option(min=0, max=247, help="Modbus unit id")] = 1,
    seed: Annotated[int, typer.Option(help="seed of users and states")] = 0,
    tz: Annotated[str, typer.Option("--tz", help="IANA zone of the terminal's clock")] = "UTC",
) -> None:
    """Run pymodbus's server as a terminal with a record queue. Prints its port first."""
    stop = threading.Event()
    _stop_on_signals(stop)
    console = make_console()
    try:
        sim = ModbusSimulator(
            records=records,
            live_rate=live_rate,
            users=users,
            unit=unit,
            seed=seed,
            timezone=tz,
            host=host,
            port=port,
        )
        with sim:
            console.print(str(sim.port))
            console.print(
                f"Modbus terminal on {host}:{sim.port} unit {unit}: {sim.pending} records queued"
                " (count IR10, record IR100-107, pop: seq to HR200-201);"
                " Ctrl-C or SIGTERM stops it",
                soft_wrap=True,
            )
            console.file.flush()
            stop.wait()
        console.print(f"simulator stopped: {sim.stats.pops} pops, {sim.pending} left")
        console.file.flush()
    except (ValueError, LookupError, OSError) as exc:
        make_console(stderr=True).print(f"[red]cannot run the Modbus simulator: {exc}")
        raise typer.Exit(2) from exc


@app.command("adms")
def simulate_adms(
    server: Annotated[str, typer.Option(help="gateway base URL, e.g. http://127.0.0.1:8600")],
    serial: Annotated[str, typer.Option(help="the device's serial (SN=)")] = "ADMSSIM0000001",
    records: Annotated[int, typer.Option(min=0, help="attendance records in the log")] = 100,
    seed: Annotated[int, typer.Option(help="seed of the generated users and log")] = 0,
    batch_size: Annotated[int, typer.Option(min=1, help="records per upload")] = 50,
    realtime: Annotated[bool, typer.Option("--realtime", help="one upload per punch")] = False,
    lost_acks: Annotated[int, typer.Option(min=0, help="OK answers lost on the way back")] = 0,
    firmware: Annotated[str, typer.Option(help="push version: 2.4 or 3.1")] = "2.4",
    polls: Annotated[int, typer.Option(min=0, help="getrequest polls after the upload")] = 1,
    users: Annotated[bool, typer.Option("--users", help="upload the user table too")] = False,
    language: Annotated[int, typer.Option(help="69 English, 83 Chinese (GB2312 bodies)")] = 69,
    tz: Annotated[str, typer.Option("--tz", help="IANA zone of the device clock")] = "UTC",
    max_wait: Annotated[
        float, typer.Option(min=0, help="cap on the waits the server asks for (s)")
    ] = 30.0,
) -> None:
    """Run a ZKTeco PUSH (ADMS) device against a gateway: handshake, upload the log in
    batches (re-sent until OK), poll and execute commands, then exit."""
    console = make_console()
    stop = threading.Event()
    _stop_on_signals(stop)
    try:
        sim = AdmsDeviceSimulator(
            server.rstrip("/"),
            serial=serial,
            records=records,
            seed=seed,
            batch_size=batch_size,
            realtime=realtime,
            lost_acks=lost_acks,
            firmware=firmware,
            timezone=tz,
            language=language,
            max_wait_s=max_wait,
        )
    except (ValueError, LookupError) as exc:
        raise fail(f"bad simulator options: {exc}") from exc
    try:
        with sim:
            stats = sim.run(polls=polls, stop=stop, users=users)
    except DriverError as exc:
        raise fail(f"device {serial}: {exc}") from exc
    console.print(
        f"ADMS device {serial} (push {sim.pushver}): {stats.acked} records acknowledged in "
        f"{stats.uploads} uploads ({stats.resends} re-sent, {stats.lost_acks} lost OKs); "
        f"{stats.polls} polls, {stats.executed} commands executed"
    )


@app.command("isapi")
def simulate_isapi(
    port: Annotated[int, typer.Option(help="port (0 = any free port)", min=0, max=65535)] = 8080,
    host: Annotated[str, typer.Option(help="address to bind")] = "127.0.0.1",
    user: Annotated[str, typer.Option(help="digest user")] = "admin",
    password: Annotated[str, typer.Option(help="digest password")] = "",
    events: Annotated[int, typer.Option(min=0, help="access-control events in the log")] = 100,
    seed: Annotated[int, typer.Option(help="seed of the generated events")] = 0,
    tz: Annotated[str, typer.Option("--tz", help="IANA zone of the device clock")] = "UTC",
    push_to: Annotated[
        str | None, typer.Option(help="listening host URL the terminal posts events to")
    ] = None,
    push_log: Annotated[
        bool, typer.Option("--push-log", help="post the whole log to --push-to at start")
    ] = False,
) -> None:
    """Run a Hikvision access-control terminal (ISAPI, digest auth) until Ctrl-C or SIGTERM.
    Prints its port first."""
    stop = threading.Event()
    _stop_on_signals(stop)
    console = make_console()
    try:
        sim = IsapiSimulator(
            user=user,
            password=password,
            events=events,
            seed=seed,
            timezone=tz,
            host=host,
            port=port,
            push_to=push_to,
        )
        sim.start()
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port}: {exc}") from exc
    except (ValueError, LookupError) as exc:
        raise fail(f"bad simulator options: {exc}") from exc
    try:
        console.print(str(sim.port))
        console.print(
            f"ISAPI terminal {sim.serial} on {host}:{sim.port}: {events} events, user {user}; "
            "Ctrl-C or SIGTERM stops it"
        )
        if push_to and push_log:
            console.print(f"pushed {sim.push_all()} events to {push_to}")
        console.file.flush()
        stop.wait()
    finally:
        sim.stop()
    console.print("simulator stopped")
    console.file.flush()
