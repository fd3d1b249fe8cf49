"""Demo step: what the stages computed, as files HR and payroll open: hours, the pay run's
lines, next week's roster and the risk flags, each as CSV and XLSX under var/demo/exports/."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.attendance.export import write_hours
from gateway.demo.roster_step import DEMO_SITE
from gateway.demo.runner import DemoContext, DemoStep
from gateway.demo.sample_data import DAYS, FIRST_DAY, SITE_CODE
from gateway.payroll.export import write_lines
from hrcore.db import make_engine, make_session_factory
from hrcore.models import RosterRun, Site
from hrcore.store.attendance import hours_by_employee
from hrcore.store.payroll import current_run_id, export_lines
from hrcore.store.risk import list_risk
from hrcore.store.roster import roster_grid

FORMATS = (".csv", ".xlsx")


def exports_dir(workdir: Path) -> Path:
    return workdir / "exports"


def write_rows(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """One sheet (or CSV file) with a header row; Decimal cells stay exact numbers."""
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows([[str(c) for c in row] for row in rows])
        return
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = path.stem
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = "0.00"
    book.save(path)


def _roster(session: Session, out: Path) -> str:
    run = session.scalars(
        select(RosterRun)
        .join(Site, Site.id == RosterRun.site_id)
        .where(Site.code == DEMO_SITE)
        .order_by(RosterRun.id.desc())
    ).first()
    if run is None:
        return "no roster run to export"
    grid = roster_grid(session, DEMO_SITE, run.date_from, run.date_to, run_id=run.id)
    header = ["employee", "name", *(d.isoformat() for d in grid.dates)]
    rows = []
    for row in grid.rows:
        skills = row.skills or ("",) * len(row.cells)
        cells = [f"{c} {k}".strip() for c, k in zip(row.cells, skills, strict=True)]
        rows.append([row.employee_code, row.name, *cells])
    for suffix in FORMATS:
        write_rows(out / f"roster{suffix}", header, rows)
    return f"roster: {DEMO_SITE} run {run.id}, {len(rows)} staff x {len(grid.dates)} days"


def _risk(session: Session, out: Path) -> str:
    risks = list_risk(session)
    header = ["employee", "name", "site", "level", "reason", "as_of", "flags"]
    rows = [
        [
            r.employee,
            r.name,
            r.site,
            str(r.level),
            r.reason,
            r.as_of.isoformat(),
            "; ".join(f"{kind}: {detail}" for kind, detail in r.flags),
        ]
        for r in risks
    ]
    for suffix in FORMATS:
        write_rows(out / f"risk{suffix}", header, rows)
    red = sum(1 for r in risks if r.level == "red")
    return f"risk: {len(rows)} employees, {red} red, with their flags"


def run(ctx: DemoContext) -> None:
    out = exports_dir(ctx.workdir)
    out.mkdir(parents=True, exist_ok=True)
    last = FIRST_DAY + timedelta(days=DAYS - 1)
    engine = make_engine(ctx.database_url)
    try:
        with make_session_factory(engine)() as session:
            hours = hours_by_employee(session, FIRST_DAY, last, site_code=SITE_CODE)
            for suffix in FORMATS:
                write_hours(hours, out / f"hours{suffix}")
            ctx.console.print(f"hours: {SITE_CODE} {FIRST_DAY}..{last}, {len(hours)} employees")
            run_id = current_run_id(session, SITE_CODE, date(FIRST_DAY.year, FIRST_DAY.month, 1))
            lines = export_lines(session, run_id)
            for suffix in FORMATS:
                write_lines(lines, out / f"payroll{suffix}")
            ctx.console.print(f"payroll: run {run_id} {FIRST_DAY:%Y-%m}, {len(lines)} lines")
            ctx.console.print(_roster(session, out))
            ctx.console.print(_risk(session, out))
    finally:
        engine.dispose()
    ctx.console.print(f"written to {out}/ (the summary lists the files)", markup=False)


STEP = DemoStep("Exports: hours, payroll, roster, risk flags (CSV, XLSX)", run)
