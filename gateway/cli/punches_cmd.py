"""`shiftgate punches ...`: Punches in the HR store: import files, list."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from drivers.errors import DriverError
from drivers.files.csvfile import CsvMapping
from drivers.files.driver import FileFormat, FileImportConfig
from gateway.cli.context import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    fail,
    make_console,
    print_config_error,
    settings_of,
    store,
    utc_now,
)
from gateway.config.files import load_model
from gateway.config.site import DEVICES_FILE, load_devices
from gateway.errors import ConfigError
from gateway.punches.file_import import ImportOutcome, ImportRequest, import_file
from hrcore.errors import StoreError
from hrcore.store import find_punches, get_site

app = typer.Typer(help="Punches in the HR store: import files, list.", no_args_is_help=True)

MAX_BAD_LINES_SHOWN = 50


def _csv_mapping(
    mapping_file: Path | None, serial: str, config_dir: Path, site_timezone: str
) -> CsvMapping | None:
    """--csv-mapping FILE, else the mapping of this device in devices.yaml (if any)."""
    if mapping_file is not None:
        return load_model(mapping_file, CsvMapping)
    for device in load_devices(config_dir / DEVICES_FILE, site_timezone):
        if device.serial == serial and isinstance(device.settings, FileImportConfig):
            return device.settings.csv
    return None


def _report(outcome: ImportOutcome) -> None:
    console = make_console()
    err = make_console(stderr=True)
    for bad in outcome.bad[:MAX_BAD_LINES_SHOWN]:
        err.print(f"[yellow]bad line[/] {bad.source}:{bad.line}: {bad.reason}", markup=True)
    if len(outcome.bad) > MAX_BAD_LINES_SHOWN:
        err.print(f"... and {len(outcome.bad) - MAX_BAD_LINES_SHOWN} more bad lines")
    if not outcome.imported:
        err.print(
            f"[red]nothing imported:[/] {len(outcome.bad)} malformed line(s) in {outcome.path}; "
            "fix them, or pass --skip-bad to import the other "
            f"{outcome.punches} line(s) in one transaction"
        )
        return
    if not outcome.device_registered:
        console.print(
            "[yellow]note:[/] the device is not in the store (run `shiftgate config apply`); "
            "punches are kept under its serial number"
        )
    extra = []
    if outcome.bad:
        extra.append(f"{len(outcome.bad)} bad line(s) skipped")
    if outcome.duplicate_lines:
        extra.append(f"{outcome.duplicate_lines} duplicate line(s) in the file")
    tail = f" ({', '.join(extra)})" if extra else ""
    console.print(
        f"{outcome.path}: {outcome.new} new, {outcome.already_stored} already stored{tail}; "
        f"times read as {outcome.timezone}"
    )


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="attlog.dat, CSV or XLSX file"
        ),
    ],
    site: Annotated[str, typer.Option("--site", help="site code (as in site.yaml)")],
    device_serial: Annotated[
        str, typer.Option("--device-serial", help="serial number of the clock that wrote it")
    ],
    file_format: Annotated[
        FileFormat | None,
        typer.Option("--format", help="attlog, csv or xlsx (default: by the suffix, else attlog)"),
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option("--tz", help="IANA zone of the device clock (default: device's, site's)"),
    ] = None,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="import the good lines even if some are malformed")
    ] = False,
    csv_mapping: Annotated[
        Path | None,
        typer.Option("--csv-mapping", help="YAML column mapping (default: from devices.yaml)"),
    ] = None,
    encoding: Annotated[str, typer.Option("--encoding", help="text encoding")] = "utf-8",
    config_dir: Annotated[Path | None, typer.Option("--config-dir")] = None,
) -> None:
    """Import a USB attlog.dat, CSV or XLSX export. Bad lines are listed as file:line;
    without --skip-bad nothing is imported (exit 1). Importing it again adds no duplicates."""
    settings = settings_of(ctx, config_dir=config_dir)
    by_suffix = {".csv": FileFormat.CSV, ".xlsx": FileFormat.XLSX}
    fmt = file_format or by_suffix.get(file.suffix.lower(), FileFormat.ATTLOG)
    try:
        mapping = None
        if fmt in (FileFormat.CSV, FileFormat.XLSX):
            mapping = _csv_mapping(csv_mapping, device_serial, settings.config_dir, tz or "UTC")
            if mapping is None:
                raise fail(
                    f"--format {fmt.value} needs a column mapping: pass --csv-mapping "
                    f"FILE.yaml or give device {device_serial!r} a files driver with 'csv' "
                    "settings in devices.yaml"
                )
        with store(settings) as factory:
            outcome = import_file(
                factory,
                ImportRequest(
                    path=file,
                    site_code=site,
                    device_serial=device_serial,
                    format=fmt,
                    timezone=tz,
                    csv=mapping,
                    encoding=encoding,
                    skip_bad=skip_bad,
                ),
                clock=utc_now,
            )
    except ConfigError as exc:
        print_config_error(exc)
        raise typer.Exit(EXIT_BAD_INPUT) from exc
    except (StoreError, DriverError) as exc:
        raise fail(str(exc), EXIT_FAILED) from exc
    _report(outcome)
    if not outcome.imported:
        raise typer.Exit(1)


@app.command("list")
def list_(
    ctx: typer.Context,
    site: Annotated[
        str | None, typer.Option("--site", help="site code; dates are the site's days")
    ] = None,
    device_serial: Annotated[str | None, typer.Option("--device-serial")] = None,
    employee: Annotated[str | None, typer.Option("--employee", help="employee code")] = None,
    day_from: Annotated[
        datetime | None,
        typer.Option("--from", formats=["%Y-%m-%d"], help="first day (YYYY-MM-DD)"),
    ] = None,
    day_to: Annotated[
        datetime | None,
        typer.Option("--to", formats=["%Y-%m-%d"], help="last day, inclusive (YYYY-MM-DD)"),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000)] = 100,
) -> None:
    """Show stored punches in time order (days in the site's zone, else UTC)."""
    try:
        with store(settings_of(ctx)) as factory, factory() as session:
            site_row = get_site(session, site) if site is not None else None
            zone = ZoneInfo(site_row.timezone) if site_row is not None else ZoneInfo("UTC")
            rows = find_punches(
                session,
                site=site_row,
                device_sn=device_serial,
                employee_code=employee,
                start=_day_start(day_from.date(), zone) if day_from else None,
                end=_day_start(day_to.date() + timedelta(days=1), zone) if day_to else None,
                limit=limit,
            )
    except StoreError as exc:
        raise fail(str(exc), EXIT_FAILED) from exc
    table = Table(title=f"punches ({zone.key})")
    for column in ("local time", "device", "user", "employee", "state", "verify", "source"):
        table.add_column(column)
    for p in rows:
        table.add_row(
            f"{p.at.astimezone(zone):%Y-%m-%d %H:%M:%S}",
            p.device_sn,
            p.device_user,
            p.employee_code or "-",
            p.state.value,
            p.verify_mode,
            p.source,
        )
    console = make_console()
    console.print(table)
    more = " (limit reached; use --limit or narrow the range)" if len(rows) == limit else ""
    console.print(f"{len(rows)} punch(es){more}")


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)
