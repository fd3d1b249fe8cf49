"""Talking to one clock directly (no worker, no outbox): ``shiftgate devices info / pull`` and
the demo use it. Reads punches since a cursor file, writes them to CSV, shows tables."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from drivers.base import Driver
from drivers.errors import DriverError
from drivers.punch import DeviceInfo, Punch
from drivers.registry import load_driver
from gateway.errors import CommandFailed

CSV_COLUMNS = (
    "device_serial",
    "device_user_id",
    "timestamp",
    "state",
    "verify_mode",
    "utc",
    "punch_id",
    "clock_offset_s",
)


@dataclass(frozen=True, slots=True)
class DeviceTarget:
    """What the options of a devices command say about the device to talk to."""

    driver: str
    host: str
    port: int | None = None
    udp: bool = False
    comm_key: int = 0
    tz: str | None = None
    timeout: float = 10.0
    user: str | None = None
    password: str | None = None

    def settings(self) -> dict[str, object]:
        out: dict[str, object] = {"host": self.host, "timeout": self.timeout}
        if self.port is not None:
            out["port"] = self.port
        if self.udp:
            out["udp"] = True
        if self.comm_key:
            out["comm_key"] = self.comm_key
        if self.tz:
            out["timezone"] = self.tz
        if self.user is not None:
            out["user"] = self.user
        if self.password is not None:
            out["password"] = self.password
        return out


def build_driver(target: DeviceTarget) -> Driver:
    try:
        return load_driver(target.driver).from_settings(target.settings())
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: "
            + e["msg"].removeprefix("Value error, ")
            for e in exc.errors()
        )
        raise CommandFailed(f"bad options for driver {target.driver!r}: {problems}") from exc
    except DriverError as exc:
        raise CommandFailed(str(exc)) from exc


def punch_row(p: Punch) -> dict[str, str]:
    return {
        "device_serial": p.device_sn,
        "device_user_id": p.device_user,
        "timestamp": p.local.isoformat(timespec="seconds"),
        "state": p.state.value,
        "verify_mode": p.verify_mode.value,
        "utc": p.at.isoformat(timespec="seconds"),
        "punch_id": str(p.id),
        "clock_offset_s": "" if p.clock_offset_s is None else f"{p.clock_offset_s:g}",
    }


def write_csv(punches: Iterable[Punch], path: Path) -> int:
    """Write punches to ``path`` (via a temporary file, so a failed pull leaves no half file)."""
    tmp = path.with_name(path.name + ".part")
    n = 0
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for p in punches:
            writer.writerow(punch_row(p))
            n += 1
    tmp.replace(path)
    return n


def punch_table(punches: list[Punch], limit: int) -> Table:
    serials = sorted({p.device_sn for p in punches})
    table = Table(title=f"{len(punches)} punches from {', '.join(serials) or 'the device'}")
    columns = CSV_COLUMNS[1:5]  # the serial is in the title
    for col in columns:
        table.add_column(col, no_wrap=True)
    shown = punches if len(punches) <= limit else punches[-limit:]
    for p in shown:
        row = punch_row(p)
        table.add_row(*(row[c] for c in columns))
    if len(shown) < len(punches):
        table.caption = f"last {len(shown)} of {len(punches)} shown; use --out FILE for all"
    return table


def pull(
    target: DeviceTarget,
    console: Console,
    out: Path | None = None,
    cursor_file: Path | None = None,
    limit: int = 50,
) -> int:
    """Read punches (since the cursor in ``cursor_file``, if any); write CSV or show a table.

    The new cursor is saved only after the CSV is written, so a failed pull repeats next time.
    """
    since = None
    if cursor_file is not None and cursor_file.exists():
        since = cursor_file.read_text(encoding="utf-8").strip() or None
    driver = build_driver(target)
    try:
        with driver:
            result = driver.read_punches(since)
    except DriverError as exc:
        raise CommandFailed(str(exc)) from exc
    if out is not None:
        n = write_csv(result.punches, out)
        console.print(f"wrote {n} punches to {out}")
    elif not result.punches:
        console.print("no new punches")
    else:
        console.print(punch_table(result.punches, limit))
    if cursor_file is not None and result.cursor is not None:
        cursor_file.write_text(result.cursor, encoding="utf-8")
    return len(result.punches)


def info_table(info: DeviceInfo) -> Table:
    table = Table(title=f"{info.family} device {info.serial_number}", show_header=False)
    table.add_column("field")
    table.add_column("value")
    rows = [
        ("serial", info.serial_number),
        ("brand", info.brand),
        ("name", info.name),
        ("firmware", info.firmware),
        ("platform", info.platform),
        ("users", f"{info.user_count} / {info.user_capacity}"),
        ("records", f"{info.record_count} / {info.record_capacity}"),
        ("clock", info.clock.isoformat() if info.clock else "unknown"),
    ]
    for name, value in rows:
        table.add_row(name, str(value))
    return table


def show_info(target: DeviceTarget, console: Console) -> DeviceInfo:
    driver = build_driver(target)
    try:
        with driver:
            info = driver.info()
    except DriverError as exc:
        raise CommandFailed(str(exc)) from exc
    console.print(info_table(info))
    return info
