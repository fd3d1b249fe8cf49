"""How a pay run and a payslip are shown on the console (CLI and demo)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hrcore.payroll.money import show
from hrcore.payroll.trace import LineKind
from hrcore.store.payroll import RunReport, StoredPayslip


def print_run_report(out: Console, report: RunReport) -> None:
    what = "unchanged (same inputs as the draft)" if report.unchanged else "stored as draft"
    out.print(
        f"pay run [bold]{report.run_id}[/] {report.site} {report.month:%Y-%m}: "
        f"{report.employees} employees, {what}"
        + (f"; supersedes run {report.superseded_run}" if report.superseded_run else "")
    )
    out.print(
        f"gross {show(report.gross)}  net {show(report.net)}  "
        f"employer cost {show(report.employer_cost)}"
    )
    if report.unconfirmed_lines:
        out.print(
            f"[yellow]{report.unconfirmed_lines} line(s) use unconfirmed SI/HF figures[/] "
            "(see config/policies/cn)"
        )


def print_payslip(out: Console, slip: StoredPayslip) -> None:
    """One row per line (formula under it, the rule's source as a numbered note below)."""
    out.print(
        f"[bold]{slip.employee_code}[/] {escape(slip.employee_name)}  {slip.site} "
        f"{slip.month:%Y-%m}  run {slip.run_id} ({slip.run_status.value})"
    )
    sources: dict[str, int] = {}
    table = Table(box=None, pad_edge=False)
    table.add_column("line", overflow="fold", ratio=1)
    table.add_column("amount", justify="right", no_wrap=True)
    for li in slip.lines:
        if li.code == "cost.site":
            continue
        n = sources.setdefault(li.source, len(sources) + 1)
        note = " [yellow]unconfirmed[/]" if li.unconfirmed else ""
        if li.kind is LineKind.EMPLOYER:
            amount = f"({show(li.amount)})"
        elif li.kind is LineKind.DEDUCTION and li.amount:
            amount = f"-{show(li.amount)}"
        else:
            amount = show(li.amount)
        table.add_row(
            f"{escape(li.label)} [dim]\\[{n}][/]{note}\n[dim]  {escape(li.formula)}[/]", amount
        )
    out.print(table)
    out.print("[dim](in brackets: the employer's contributions, not on the pay)[/]")
    for source, n in sources.items():
        out.print(f"[dim]\\[{n}] {escape(source)}[/]", soft_wrap=False)
