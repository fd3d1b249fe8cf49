"""`shiftgate payroll ...`: pay runs, explained payslips, diff, lock and reopen, exports, and
file mode (IIT and a month's pay from files, no database)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from gateway.cli.context import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    actor,
    fail,
    make_console,
    session_or_exit,
    settings_of,
    utc_now,
)
from gateway.errors import BadInput, ExportFormatError, FileInputError
from gateway.payroll.export import site_costs, write_lines, write_site_costs
from gateway.payroll.files import compute_from_files, iit_from_file, parse_month, read_pay_data
from gateway.payroll.present import print_payslip, print_run_report
from gateway.payroll.webhook import WebhookSender, config_of, period_closed
from hrcore.attendance.overtime import OvertimeCategory
from hrcore.payroll.errors import PayrollError
from hrcore.payroll.money import ZERO, show
from hrcore.payroll.pay import Payslip
from hrcore.payroll.social import CityTemplate
from hrcore.payroll.templates import load_templates
from hrcore.store.payroll import (
    PayrollBlocked,
    current_run_id,
    diff_runs,
    explain_payslip,
    export_lines,
    list_runs,
    lock_period,
    reopen_period,
    run_payroll,
)

app = typer.Typer(
    help="Payroll: pay runs, explained payslips, diff, lock, export, and file mode.",
    no_args_is_help=True,
)

TemplatesOpt = Annotated[
    Path | None,
    typer.Option("--templates", help="folder of city templates (default: CONFIG_DIR/policies/cn)"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]


def city_templates(ctx: typer.Context, folder: Path | None) -> dict[str, CityTemplate]:
    where = folder or settings_of(ctx).config_dir / "policies" / "cn"
    try:
        return load_templates(where)
    except PayrollError as exc:
        raise fail(str(exc)) from exc


@app.command("iit")
def iit(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV: month,gross,social_insurance,special_deductions,other_deductions"
        ),
    ],
    as_json: JsonOpt = False,
) -> None:
    """Tax withheld per month by the cumulative method, from a file of one tax year."""
    try:
        results = iit_from_file(file)
    except FileInputError as exc:
        raise fail(str(exc)) from exc
    out = make_console()
    if as_json:
        data = [{"month": f"{r.month:%Y-%m}", "tax": show(r.result.tax)} for r in results]
        out.print(json.dumps(data, indent=2), markup=False, soft_wrap=True)
        return
    table = Table(title="IIT, cumulative withholding")
    for column in ("month", "cum. income", "cum. taxable", "rate", "cum. tax", "withheld"):
        table.add_column(column, justify="left" if column == "month" else "right")
    for r in results:
        x = r.result
        table.add_row(
            f"{r.month:%Y-%m}",
            show(x.cumulative_income),
            show(x.cumulative_taxable),
            f"{(x.rate * 100).normalize():f}%",
            show(x.cumulative_tax),
            show(x.tax),
        )
    out.print(table)
    out.print(f"year to date withheld {show(results[-1].result.after.tax_withheld)}")


def slip_json(slip: Payslip) -> dict[str, object]:
    return {
        "employee_code": slip.employee,
        "base_pay": show(slip.base_pay),
        "overtime_pay": {c.value: show(slip.overtime(c)) for c in OvertimeCategory},
        "absence_deduction": show(slip.absence_deduction),
        "gross": show(slip.gross),
        "social_insurance_employee": show(slip.social_insurance_employee),
        "housing_fund_employee": show(slip.housing_fund_employee),
        "iit": show(slip.income_tax),
        "net": show(slip.net),
    }


def print_slips(slips: tuple[Payslip, ...], title: str) -> None:
    out = make_console()
    table = Table(title=title)
    for column in ("employee", "base", "overtime", "absence", "gross", "SI+HF", "IIT", "net"):
        table.add_column(column, justify="left" if column == "employee" else "right")
    for s in slips:
        table.add_row(
            s.employee,
            show(s.base_pay),
            show(sum((s.overtime(c) for c in OvertimeCategory), ZERO)),
            show(s.absence_deduction),
            show(s.gross),
            show(s.social_insurance_employee + s.housing_fund_employee),
            show(s.income_tax),
            show(s.net),
        )
    out.print(table)


@app.command("compute-file")
def compute_file(
    ctx: typer.Context,
    hours: Annotated[
        Path,
        typer.Option("--hours", help="HOURS.csv/.xlsx as `shiftgate attendance export` writes"),
    ],
    employees: Annotated[
        Path,
        typer.Option(
            "--employees",
            help="CSV/XLSX: employee_code,pay_basis,base_pay,city,si_base,special_deductions",
        ),
    ],
    month: Annotated[str, typer.Option("--month", help="pay month, YYYY-MM")],
    policy: Annotated[str, typer.Option("--policy", help="cn, us-flsa or us-ca")] = "cn",
    templates: TemplatesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A month's pay per employee from an hours export and a pay-data file (no database).

    No year to date is known here: IIT is withheld as if this were the first month of the
    tax year with this employer."""
    try:
        first = parse_month(month, "--month")
        tmpl = city_templates(ctx, templates) if policy == "cn" else {}
        slips = compute_from_files(hours, employees, first, templates=tmpl, policy=policy)
    except FileInputError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        make_console().print(
            json.dumps([slip_json(s) for s in slips], indent=2), markup=False, soft_wrap=True
        )
        return
    print_slips(slips, f"Pay {first:%Y-%m} ({policy}, from files)")
    if any(li.unconfirmed for s in slips for li in s.lines):
        make_console().print(
            "[yellow]some SI/HF rates or bases are unconfirmed[/]; see the city templates"
        )


SiteOpt = Annotated[str, typer.Option("--site", help="site code")]
MonthOpt = Annotated[str, typer.Option("--month", help="pay month, YYYY-MM")]


def _month(text: str, option: str = "--month") -> date:
    try:
        return parse_month(text, option)
    except FileInputError as exc:
        raise fail(str(exc)) from exc


@app.command("run")
def run(
    ctx: typer.Context,
    site: SiteOpt,
    month: MonthOpt,
    pay_data: Annotated[
        Path | None,
        typer.Option(
            "--pay-data",
            help="CSV/XLSX: employee_code[,si_base,special_deductions|claims,allowance,"
            "deduction,annual_bonus]",
        ),
    ] = None,
    templates: TemplatesOpt = None,
) -> None:
    """Compute the month's pay run of a site from the stored attendance (replaces the draft;
    a locked period must be reopened first)."""
    first = _month(month)
    tmpl = city_templates(ctx, templates)
    try:
        data = read_pay_data(pay_data) if pay_data else {}
    except FileInputError as exc:
        raise fail(str(exc)) from exc
    with session_or_exit(settings_of(ctx), write=True) as session:
        try:
            report = run_payroll(
                session, site, first, templates=tmpl, clock=utc_now, actor=actor(), pay_data=data
            )
        except PayrollBlocked as exc:  # rolled back: nothing stored
            err = make_console(stderr=True)
            err.print(
                f"[bold red]error:[/] payroll {site} {first:%Y-%m} not run, nothing stored; "
                f"{len(exc.problems)} problem(s):",
                soft_wrap=True,
            )
            for problem in exc.problems:
                err.print(f"  {problem.employee}: {escape(problem.message)}", soft_wrap=True)
            raise typer.Exit(EXIT_BAD_INPUT) from exc
    print_run_report(make_console(), report)


@app.command("runs")
def runs(
    ctx: typer.Context,
    site: Annotated[str | None, typer.Option("--site", help="site code (default: all)")] = None,
) -> None:
    """List the pay runs with their status (draft, locked, reopened, superseded)."""
    with session_or_exit(settings_of(ctx), write=False) as session:
        found = list_runs(session, site)
    table = Table(title="Pay runs")
    for column in ("run", "site", "month", "status", "employees", "gross", "net"):
        table.add_column(
            column, justify="right" if column in ("run", "employees", "gross", "net") else "left"
        )
    for r in found:
        table.add_row(
            str(r.run_id),
            r.site,
            f"{r.month:%Y-%m}",
            r.status.value,
            str(r.employees),
            show(r.gross),
            show(r.net),
        )
    make_console().print(table)


@app.command("explain")
def explain(
    ctx: typer.Context,
    employee: Annotated[str, typer.Argument(help="employee code")],
    period: Annotated[str, typer.Argument(help="pay month, YYYY-MM")],
    run_id: Annotated[
        int | None, typer.Option("--run", help="a given run (default: current)")
    ] = None,
) -> None:
    """Print a payslip line by line: amount, formula with its inputs, and the rule's source."""
    first = _month(period, "PERIOD")
    with session_or_exit(settings_of(ctx), write=False) as session:
        slip = explain_payslip(session, employee, first, run_id=run_id)
    print_payslip(make_console(), slip)


@app.command("diff")
def diff(
    ctx: typer.Context,
    run_a: Annotated[int, typer.Argument(help="earlier run id")],
    run_b: Annotated[int, typer.Argument(help="later run id")],
) -> None:
    """What changed between two runs, per employee and line, and which inputs moved."""
    with session_or_exit(settings_of(ctx), write=False) as session:
        result = diff_runs(session, run_a, run_b)
    out = make_console()
    if not (result.changes or result.only_in_a or result.only_in_b):
        out.print(f"runs {run_a} and {run_b} give the same pay")
        return
    for code in result.only_in_a:
        out.print(f"{code}: only in run {run_a}")
    for code in result.only_in_b:
        out.print(f"{code}: only in run {run_b}")
    for c in result.changes:
        before = show(c.before) if c.before is not None else "-"
        after = show(c.after) if c.after is not None else "-"
        where = f" @{c.site}" if c.site else ""
        out.print(f"{c.employee} {c.code}{where}: {before} -> {after}", markup=False)
        for name, a, b in c.moved:
            out.print(f"    {name}: {a} -> {b}", markup=False, soft_wrap=True)


@app.command("lock")
def lock(ctx: typer.Context, site: SiteOpt, month: MonthOpt) -> None:
    """Lock (close) the period: the draft run is signed, attendance in it is protected; the
    webhook (SHIFTGATE_PAYROLL_WEBHOOK_URL) is told."""
    first = _month(month)
    settings = settings_of(ctx)
    try:
        hook = config_of(settings.payroll_webhook_url, settings.payroll_webhook_secret)
    except BadInput as exc:
        raise fail(str(exc)) from exc
    with session_or_exit(settings, write=True) as session:
        report = lock_period(session, site, first, clock=utc_now, actor=actor())
    out = make_console()
    out.print(
        f"locked {report.site} {report.month:%Y-%m}: run {report.run_id}, {report.employees} "
        f"employees, gross {show(report.gross)}, net {show(report.net)}"
    )
    if hook is None:
        return
    delivery = WebhookSender(hook).send(period_closed(report))
    if delivery.delivered:
        out.print(f"webhook delivered ({delivery.attempts} attempt(s))")
    else:
        raise fail(
            f"period locked, but the webhook {hook.url} was not told after "
            f"{delivery.attempts} attempt(s): {delivery.detail}",
            EXIT_FAILED,
        )


@app.command("reopen")
def reopen(
    ctx: typer.Context,
    site: SiteOpt,
    month: MonthOpt,
    reason: Annotated[str, typer.Option("--reason", help="why (written to the audit log)")],
) -> None:
    """Reopen a locked period with a reason; the next run replaces the locked one."""
    first = _month(month)
    with session_or_exit(settings_of(ctx), write=True) as session:
        run_id = reopen_period(session, site, first, reason, clock=utc_now, actor=actor())
    make_console().print(f"reopened {site} {first:%Y-%m} (run {run_id} kept for diff)")


@app.command("export")
def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="payroll.csv or payroll.xlsx")],
    run_id: Annotated[int | None, typer.Option("--run", help="run id")] = None,
    site: Annotated[
        str | None, typer.Option("--site", help="with --month: its current run")
    ] = None,
    month: Annotated[str | None, typer.Option("--month", help="pay month, YYYY-MM")] = None,
    by_site: Annotated[
        bool, typer.Option("--by-site", help="cost per site instead of lines")
    ] = False,
) -> None:
    """Export a run's traced lines (or its cost by site) as CSV or XLSX."""
    with session_or_exit(settings_of(ctx), write=False) as session:
        if run_id is None:
            if site is None or month is None:
                raise fail("name the run: --run N, or --site S --month YYYY-MM")
            run_id = current_run_id(session, site, _month(month))
        lines = export_lines(session, run_id)
    try:
        if by_site:
            rows = site_costs(lines)
            write_site_costs(rows, out)
            make_console().print(f"wrote cost of {len(rows)} site(s) of run {run_id} to {out}")
        else:
            write_lines(lines, out)
            make_console().print(f"wrote {len(lines)} lines of run {run_id} to {out}")
    except ExportFormatError as exc:
        raise fail(str(exc)) from exc
    except OSError as exc:
        raise fail(f"--out {out}: cannot write ({exc.strerror})") from exc
