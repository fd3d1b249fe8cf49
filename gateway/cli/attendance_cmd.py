"""`shiftgate attendance ...`: Attendance: compute, explain, evaluate files, export hours."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from gateway.attendance.export import write_hours
from gateway.attendance.files import FileEvaluation, evaluate_files
from gateway.attendance.summary import print_compute_report
from gateway.cli.context import (
    fail,
    make_console,
    parse_day,
    session_or_exit,
    settings_of,
    utc_now,
)
from gateway.errors import ExportFormatError, FileInputError
from hrcore.store.attendance import (
    compute_attendance,
    explain_day,
    hours_by_employee,
    recompute_stale,
)

app = typer.Typer(
    help="Attendance: compute, explain, evaluate files, export hours.", no_args_is_help=True
)


def _file_rows(result: FileEvaluation) -> list[dict[str, object]]:
    return [
        {
            "employee": d.employee,
            "date": d.date.isoformat(),
            "status": d.status.value,
            "worked_minutes": d.worked_minutes,
            "late_minutes": d.late_minutes,
            "early_exit_minutes": d.early_exit_minutes,
            "overtime_minutes": {
                "workday": d.overtime.workday,
                "restday": d.overtime.restday,
                "holiday": d.overtime.holiday,
            },
        }
        for d in result.days
    ]


@app.command("evaluate")
def evaluate(
    punches: Annotated[
        Path, typer.Option("--punches", help="CSV: employee,timestamp (ISO 8601 with offset)")
    ],
    roster: Annotated[
        Path, typer.Option("--roster", help="CSV: employee,date,start,end (local HH:MM)")
    ],
    policy: Annotated[
        str, typer.Option("--policy", help="overtime policy: cn, us-flsa, us-ca")
    ] = "cn",
    tz: Annotated[
        str, typer.Option("--tz", help="IANA zone of the roster times")
    ] = "Asia/Shanghai",
    grace_minutes: Annotated[
        int, typer.Option("--grace-minutes", help="late / early-exit grace")
    ] = 5,
    as_json: Annotated[
        bool, typer.Option("--json", help="print a JSON array, one object per day")
    ] = False,
) -> None:
    """Judge punches against a roster from two CSV files (no database)."""
    try:
        result = evaluate_files(
            punches, roster, policy=policy, tz_name=tz, grace_minutes=grace_minutes
        )
    except FileInputError as exc:
        raise fail(str(exc)) from exc
    err = make_console(stderr=True)
    for issue in result.issues:
        err.print(
            f"[yellow]data error:[/] employee {issue.employee} {issue.date}: {issue.message}",
            soft_wrap=True,
        )
    for u in result.unmatched:
        err.print(
            f"[yellow]unmatched punch:[/] employee {u.employee} {u.punch.at.isoformat()} "
            f"({u.punch.id}): {u.reason}",
            soft_wrap=True,
        )
    out = make_console()
    if as_json:
        out.print(
            json.dumps(_file_rows(result), indent=2), markup=False, highlight=False, soft_wrap=True
        )
        return
    table = Table(title=f"Attendance ({policy}, {tz})")
    for column in (
        "employee",
        "date",
        "status",
        "worked",
        "late",
        "early exit",
        "OT workday",
        "OT restday",
        "OT holiday",
    ):
        table.add_column(
            column, justify="left" if column in ("employee", "date", "status") else "right"
        )
    for d in result.days:
        table.add_row(
            d.employee,
            d.date.isoformat(),
            d.status.value,
            str(d.worked_minutes),
            str(d.late_minutes),
            str(d.early_exit_minutes),
            str(d.overtime.workday),
            str(d.overtime.restday),
            str(d.overtime.holiday),
        )
    out.print(table)
    out.print("minutes; OT = overtime by where it was worked")


FromOpt = Annotated[str, typer.Option("--from", help="first shift date, YYYY-MM-DD")]
ToOpt = Annotated[str, typer.Option("--to", help="last shift date, YYYY-MM-DD")]
SiteOpt = Annotated[str | None, typer.Option("--site", help="site code (default: every site)")]


@app.command("compute")
def compute(
    ctx: typer.Context,
    date_from: FromOpt,
    date_to: ToOpt,
    site: SiteOpt = None,
    incremental: Annotated[
        bool, typer.Option("--incremental", help="only days touched by new punches or rosters")
    ] = False,
    bounce_seconds: Annotated[
        int, typer.Option("--bounce-seconds", min=0, help="punches this close collapse to one")
    ] = 60,
) -> None:
    """Compute attendance from stored punches and rosters into the HR store."""
    first, last = parse_day(date_from, "--from"), parse_day(date_to, "--to")
    with session_or_exit(settings_of(ctx), write=True) as session:
        if incremental:
            report = recompute_stale(
                session, first, last, clock=utc_now, site_code=site, bounce_seconds=bounce_seconds
            )
        else:
            report = compute_attendance(
                session, first, last, clock=utc_now, site_code=site, bounce_seconds=bounce_seconds
            )
    print_compute_report(make_console(), report)


@app.command("explain")
def explain(
    ctx: typer.Context,
    employee: Annotated[str, typer.Argument(help="employee code")],
    day: Annotated[str, typer.Argument(help="shift date, YYYY-MM-DD")],
) -> None:
    """Print why a day got its status: shift, punches used and ignored, deciding rules."""
    when = parse_day(day, "DATE")
    with session_or_exit(settings_of(ctx), write=False) as session:
        why = explain_day(session, employee, when)
    out = make_console()
    tz = ZoneInfo(why.timezone)
    out.print(
        f"[bold]{why.employee_code}[/] {why.employee_name}  {why.date}  "
        f"status [bold]{why.status}[/]  shift {why.shift_code or '-'}"
    )
    out.print(
        f"worked {why.worked_minutes} min, late {why.late_minutes}, early exit "
        f"{why.early_exit_minutes}; overtime workday {why.overtime_workday_minutes} / restday "
        f"{why.overtime_restday_minutes} / holiday {why.overtime_holiday_minutes} min"
    )
    out.print(
        f"computed {why.computed_at.astimezone(tz):%Y-%m-%d %H:%M %Z}"
        + ("  [bold yellow]NEEDS REVIEW[/]" if why.needs_review else "")
    )
    for entry in why.trace:
        out.print(f"  {entry.kind:<8} {entry.message}", markup=False, soft_wrap=True)


@app.command("export")
def export(
    ctx: typer.Context,
    date_from: FromOpt,
    date_to: ToOpt,
    out: Annotated[Path, typer.Option("--out", help="hours.csv or hours.xlsx")],
    site: SiteOpt = None,
) -> None:
    """Export hours per employee for the period (CSV or XLSX) for payroll import."""
    first, last = parse_day(date_from, "--from"), parse_day(date_to, "--to")
    with session_or_exit(settings_of(ctx), write=False) as session:
        rows = hours_by_employee(session, first, last, site_code=site)
    try:
        write_hours(rows, out)
    except ExportFormatError as exc:
        raise fail(str(exc)) from exc
    except OSError as exc:
        raise fail(f"--out {out}: cannot write ({exc.strerror})") from exc
    make_console().print(f"wrote {len(rows)} employees to {out}")
