"""Demo step 1: a fresh SQLite store, a seeded 20-person site, and a clock's USB export imported.

Later steps rely on what this leaves in ``ctx.database_url``: site ``DEMO-WH`` (Asia/Shanghai),
employees E01..E20 mapped to device users "1".."20", device ``DEMO-ZK-0001`` and two weeks of
punches (2025-03-03 .. 2025-03-16, night shifts ending 2025-03-17).
"""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from drivers.files.csvfile import CsvMapping
from drivers.files.driver import FileFormat, FileImportConfig, FileImportDriver
from gateway.config.apply import apply_configuration
from gateway.config.site import Configuration, load_site
from gateway.demo.runner import DemoContext, DemoStep
from gateway.demo.sample_data import DATA_DIR, DAYS, DEVICE_SERIAL, FIRST_DAY, SITE_CODE, roster
from gateway.punches.file_import import ImportRequest, import_file
from hrcore.db import make_engine, make_session_factory
from hrcore.migrate import upgrade
from hrcore.models import (
    Employee,
    OrgUnit,
    PunchRecord,
    ShiftType,
)
from hrcore.store import DeviceIn, get_site, save_device
from hrcore.store.roster import PlannedShift, import_published_roster

ATTLOG = DATA_DIR / "attlog.dat"
XLSX_ROWS = 20


def _fresh_workdir(ctx: DemoContext) -> None:
    if ctx.workdir.exists():
        shutil.rmtree(ctx.workdir)
    ctx.workdir.mkdir(parents=True)


def run(ctx: DemoContext) -> None:
    _fresh_workdir(ctx)
    status = upgrade(ctx.database_url)
    ctx.console.print(f"HR store: {ctx.database_url} migrated to revision {status.current}")

    site_cfg = load_site(DATA_DIR / "site.yaml")
    engine = make_engine(ctx.database_url)
    try:
        factory = make_session_factory(engine)
        with factory.begin() as session:
            counts = apply_configuration(
                session, Configuration(site=site_cfg, devices=()), secret_key=None
            )
            save_device(
                session,
                get_site(session, SITE_CODE),
                DeviceIn(
                    serial_number=DEVICE_SERIAL,
                    driver="files",
                    timezone=site_cfg.timezone,
                    name="Main gate clock (USB export)",
                    brand="ZKTeco",
                    connection={"path": str(ATTLOG), "format": "attlog"},
                ),
                secret_key=None,
            )
        ctx.console.print(
            f"seeded site {counts.site}: {counts.employees} employees, "
            f"{counts.device_users} device users mapped, device {DEVICE_SERIAL}"
        )
        with factory.begin() as session:
            shifts = _publish_sample_roster(session)
        last = FIRST_DAY + timedelta(days=DAYS - 1)
        ctx.console.print(
            f"published roster {FIRST_DAY}..{last}: {shifts} shifts (two rest days a week each)"
        )
        request = ImportRequest(path=ATTLOG, site_code=SITE_CODE, device_serial=DEVICE_SERIAL)
        for attempt in ("import", "re-import"):
            outcome = import_file(factory, request, clock=lambda: datetime.now(UTC))
            ctx.console.print(
                f"{attempt} {ATTLOG.name}: {outcome.new} new, "
                f"{outcome.already_stored} already stored, {len(outcome.bad)} bad lines"
            )
        _import_xlsx_report(ctx, factory, site_cfg.timezone)
        _print_summary(ctx, factory, ZoneInfo(site_cfg.timezone))
    finally:
        engine.dispose()


def _import_xlsx_report(ctx: DemoContext, factory: sessionmaker[Session], zone: str) -> None:
    """The same clock's punches as the XLSX report its software exports: one import command,
    the same column mapping as CSV, and nothing new (the punch ids are the same)."""
    read = FileImportDriver(
        FileImportConfig(path=ATTLOG, serial=DEVICE_SERIAL, timezone=zone)
    ).read_file()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["AC-No.", "Time"])
    for punch in read.punches[:XLSX_ROWS]:
        sheet.append([int(punch.device_user), punch.local.replace(tzinfo=None)])
    report = ctx.workdir / "attendance_report.xlsx"
    book.save(report)
    outcome = import_file(
        factory,
        ImportRequest(
            path=report,
            site_code=SITE_CODE,
            device_serial=DEVICE_SERIAL,
            format=FileFormat.XLSX,
            csv=CsvMapping(user="AC-No.", timestamp="Time"),
        ),
        clock=lambda: datetime.now(UTC),
    )
    ctx.console.print(
        f"import {report.name} ({XLSX_ROWS} rows): {outcome.new} new, "
        f"{outcome.already_stored} already stored"
    )


def _publish_sample_roster(session: Session) -> int:
    """The roster HR published for the sample fortnight, so attendance knows rest days."""
    rows = roster()
    import_published_roster(
        session,
        get_site(session, SITE_CODE),
        FIRST_DAY,
        FIRST_DAY + timedelta(days=DAYS - 1),
        (PlannedShift(code, day, shift) for code, day, shift in rows),
        at=datetime.now(UTC),
    )
    return len(rows)


def _print_summary(ctx: DemoContext, factory: sessionmaker[Session], zone: ZoneInfo) -> None:
    with factory() as session:
        rows = session.execute(
            select(OrgUnit.name, ShiftType.code, ShiftType.start, ShiftType.end)
            .select_from(Employee)
            .join(OrgUnit, OrgUnit.id == Employee.org_unit_id)
            .join(ShiftType, ShiftType.id == Employee.default_shift_type_id)
        ).all()
        punches = session.execute(
            select(PunchRecord.at, PunchRecord.employee_id, PunchRecord.state)
        ).all()

    teams = Counter((unit, f"{code} {start:%H:%M}-{end:%H:%M}") for unit, code, start, end in rows)
    staff = Table(title="Employees")
    for column in ("org unit", "default shift", "employees"):
        staff.add_column(column)
    for (unit, shift), n in sorted(teams.items()):
        staff.add_row(unit, shift, str(n))
    staff.add_row("[bold]total", "", f"[bold]{sum(teams.values())}")
    ctx.console.print(staff)

    per_day: dict[date, list[tuple[int | None, str]]] = defaultdict(list)
    for at, employee_id, state in punches:
        per_day[at.astimezone(zone).date()].append((employee_id, state))
    days = Table(title=f"Punches per day ({zone.key} dates)")
    for column in ("date", "day", "punches", "in", "out", "break", "people", "unmapped"):
        days.add_column(column, justify="right")
    for day in sorted(per_day):
        items = per_day[day]
        states = Counter(state for _, state in items)
        days.add_row(
            day.isoformat(),
            f"{day:%a}",
            str(len(items)),
            str(states["in"]),
            str(states["out"]),
            str(states["break_out"] + states["break_in"]),
            str(len({e for e, _ in items if e is not None})),
            str(sum(1 for e, _ in items if e is None)),
        )
    days.add_row("[bold]total", "", f"[bold]{len(punches)}", "", "", "", "", "")
    ctx.console.print(days)


STEP = DemoStep("Punches flow in: seed a site, import a clock's USB export", run)
