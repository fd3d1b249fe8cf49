"""`shiftgate payroll ...`: pay runs, explained payslips, diff, lock and reopen, exports, and
file mode (IIT and a month's pay from files, no database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gateway.cli.context import fail, make_console, settings_of
from gateway.errors import FileInputError
from gateway.payroll.files import compute_from_files, iit_from_file, parse_month
from hrcore.attendance.overtime import OvertimeCategory
from hrcore.payroll.errors import PayrollError
from hrcore.payroll.money import ZERO, show
from hrcore.payroll.pay import Payslip
from hrcore.payroll.social import CityTemplate
from hrcore.payroll.templates import load_templates

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
