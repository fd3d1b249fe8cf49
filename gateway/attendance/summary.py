"""Rich rendering of a compute report (shared by the CLI and the demo)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from hrcore.store.attendance import ComputeReport

MAX_LISTED = 20


def print_compute_report(console: Console, report: ComputeReport) -> None:
    console.print(
        f"sites {', '.join(report.sites) or '-'}: {report.employees} employees, "
        f"{report.punches} punches, {report.days_evaluated} days evaluated; rows inserted "
        f"{report.days_inserted}, updated {report.days_updated}, unchanged "
        f"{report.days_unchanged}, flagged for review {report.days_flagged}"
    )
    if report.status_counts:
        table = Table(title="Days by status")
        table.add_column("status")
        table.add_column("days", justify="right")
        for status, count in report.status_counts:
            table.add_row(status, str(count))
        console.print(table)
    for issue in report.issues[:MAX_LISTED]:
        console.print(
            f"[yellow]data error[/] {issue.employee} {issue.date}: {issue.message}", soft_wrap=True
        )
    if report.unmatched:
        table = Table(title=f"Unmatched punches ({len(report.unmatched)})")
        table.add_column("time (UTC)", no_wrap=True)
        for column in ("device", "user", "employee", "reason"):
            table.add_column(column)
        for u in report.unmatched[:MAX_LISTED]:
            table.add_row(
                f"{u.at:%Y-%m-%d %H:%M}",
                u.device_sn or "-",
                u.device_user or "-",
                u.employee_code or "-",
                u.reason,
            )
        console.print(table)
        if len(report.unmatched) > MAX_LISTED:
            console.print(f"... and {len(report.unmatched) - MAX_LISTED} more")
