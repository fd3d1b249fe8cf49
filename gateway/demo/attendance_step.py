"""Demo step: compute attendance from the punches step 1 imported, and show what came out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from rich.table import Table
from sqlalchemy.orm import Session

from gateway.attendance.summary import print_compute_report
from gateway.demo.runner import DemoContext, DemoStep
from hrcore.db import make_engine, make_session_factory
from hrcore.models import Site
from hrcore.store import list_sites, punch_span
from hrcore.store.attendance import compute_attendance, hours_by_employee

SHOWN_EMPLOYEES = 12


def _punch_span(session: Session, site: Site) -> tuple[date, date] | None:
    span = punch_span(session, site)
    if span is None:
        return None
    lo, hi = span
    tz = ZoneInfo(site.timezone)
    # the last punch is usually a check-out; its shift started up to half a day earlier
    return lo.astimezone(tz).date(), (hi - timedelta(hours=12)).astimezone(tz).date()


def _hours_table(session: Session, site: Site, first: date, last: date) -> Table:
    rows = hours_by_employee(session, first, last, site_code=site.code)
    table = Table(
        title=f"Hours {site.code} {first}..{last} (policy {site.policy})",
        caption="hours; OT on workdays (wd), rest days (rd), holidays (hd); days worked, "
        "absent (abs), to review (rev); late in minutes; every row: exports/hours.csv",
        caption_justify="left",
    )
    for column in ("staff", "worked", "regular", "OT wd", "OT rd", "OT hd", "days", "abs"):
        table.add_column(column, justify="left" if column == "staff" else "right")
    table.add_column("late", justify="right")
    table.add_column("rev", justify="right")
    totals = [Decimal(0)] * 5
    for row in rows[:SHOWN_EMPLOYEES]:
        table.add_row(
            row.employee_code,
            str(row.worked_hours),
            str(row.regular_hours),
            str(row.overtime_workday_hours),
            str(row.overtime_restday_hours),
            str(row.overtime_holiday_hours),
            str(row.days_worked),
            str(row.days_absent),
            str(row.late_minutes),
            str(row.days_needing_review),
        )
    for row in rows:
        for i, value in enumerate(
            (
                row.worked_hours,
                row.regular_hours,
                row.overtime_workday_hours,
                row.overtime_restday_hours,
                row.overtime_holiday_hours,
            )
        ):
            totals[i] += value
    if len(rows) > SHOWN_EMPLOYEES:
        table.add_row(f"+{len(rows) - SHOWN_EMPLOYEES}", *[""] * 9)
    table.add_row("total", *(str(t) for t in totals), "", "", "", "", style="bold")
    return table


def run(ctx: DemoContext) -> None:
    engine = make_engine(ctx.database_url)
    factory = make_session_factory(engine)
    try:
        with factory() as session:
            sites = list_sites(session)
            spans = {site.code: _punch_span(session, site) for site in sites}
        computed = False
        for site in sites:
            span = spans[site.code]
            if span is None:
                ctx.console.print(f"site {site.code}: no imported punches yet, nothing to compute")
                continue
            first, last = span
            with factory.begin() as session:
                report = compute_attendance(session, first, last, clock=_now, site_code=site.code)
            print_compute_report(ctx.console, report)
            with factory() as session:
                ctx.console.print(_hours_table(session, site, first, last))
            computed = True
        if computed:
            ctx.console.print(
                "why a day got its status: `shiftgate attendance explain EMPLOYEE DATE`"
            )
    finally:
        engine.dispose()


def _now() -> datetime:
    return datetime.now(UTC)


STEP = DemoStep(title="Attendance: worked hours, lateness and overtime", run=run)
