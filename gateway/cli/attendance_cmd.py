"""`shiftgate attendance ...`: Attendance: compute, explain, evaluate files, export hours."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gateway.attendance.files import FileEvaluation, FileInputError, evaluate_files
from gateway.cli.console import make_console

app = typer.Typer(
    help="Attendance: compute, explain, evaluate files, export hours.", no_args_is_help=True
)

EXIT_BAD_INPUT = 2


def _fail(message: str) -> typer.Exit:
    make_console(stderr=True).print(f"[bold red]error:[/] {message}", soft_wrap=True)
    return typer.Exit(EXIT_BAD_INPUT)


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
        raise _fail(str(exc)) from exc
    err = make_console(stderr=True)
    for issue in result.issues:
        err.print(
            f"[yellow]data error:[/] employee {issue.employee} {issue.date}: {issue.message}",
            soft_wrap=True,
        )
    for u in result.unmatched:
        err.print(
            err.print(
                f"[yellow]unmatched punch:[/] employee {u.employee} {u.punch.at.isoformat()} "
                f"({u.punch.id}): {u.reason}"
            )
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
