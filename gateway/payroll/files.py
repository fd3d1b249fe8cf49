"""Payroll file mode for a payroll clerk: no database.

- :func:`iit_from_file`: ``month,gross,social_insurance,special_deductions,other_deductions``
  (one tax year, months in order) -> the tax withheld each month (cumulative method).
- :func:`compute_from_files`: HOURS (what ``shiftgate attendance export`` writes) and
  EMPLOYEES (``employee_code,pay_basis,base_pay,city,si_base,special_deductions``) -> one
  payslip per employee for the month.

A bad row stops everything with ``FILE:LINE: what is wrong`` (:class:`FileInputError`); no
result is returned for a file with a bad row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from gateway.errors import FileInputError
from gateway.payroll.tables import rows
from hrcore.attendance.overtime import OvertimeCategory
from hrcore.enums import PayBasis
from hrcore.payroll.deductions import Claim, DeductionKind, RentTier, monthly_total, validate
from hrcore.payroll.errors import PayrollError
from hrcore.payroll.iit import IitMonth, IitResult, withhold_year
from hrcore.payroll.money import ZERO, parse_amount
from hrcore.payroll.pay import (
    EmployeePay,
    ItemKind,
    OvertimeBucket,
    PayItem,
    PayRequest,
    Payslip,
    SiteHours,
    compute_payslip,
)
from hrcore.payroll.social import CityTemplate, template_for
from hrcore.store.payroll import PayData

IIT_COLUMNS = ("month", "gross", "social_insurance", "special_deductions", "other_deductions")
HOURS_COLUMNS = (
    "employee_code",
    "period_start",
    "period_end",
    "regular_hours",
    "overtime_workday_hours",
    "overtime_restday_hours",
    "overtime_holiday_hours",
    "days_absent",
    "days_needing_review",
)
EMPLOYEE_COLUMNS = ("employee_code", "pay_basis", "base_pay", "city")
EMPLOYEE_OPTIONAL = ("si_base", "special_deductions")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
#: the multiplier of each category per policy in file mode (HOURS.csv has hours per category)
MULTIPLIERS: Mapping[str, Mapping[OvertimeCategory, Decimal]] = {
    "cn": {
        OvertimeCategory.WORKDAY: Decimal("1.5"),
        OvertimeCategory.RESTDAY: Decimal("2.0"),
        OvertimeCategory.HOLIDAY: Decimal("3.0"),
    },
    "us-flsa": {c: Decimal("1.5") for c in OvertimeCategory},
    "us-ca": {c: Decimal("1.5") for c in OvertimeCategory},
}
SITE = "file"


def parse_month(text: str, where: str) -> date:
    match = _MONTH.match(text.strip())
    if not match:
        raise FileInputError(f"{where}: month {text!r} is not YYYY-MM; write e.g. 2025-03")
    return date(int(match.group(1)), int(match.group(2)), 1)


def _amount(where: str, column: str, text: str, *, required: bool = True) -> Decimal:
    if not text:
        if required:
            raise FileInputError(f"{where}: column {column} is empty; write an amount (e.g. 0)")
        return ZERO
    try:
        return parse_amount(text, f"column {column}")
    except PayrollError as exc:
        raise FileInputError(f"{where}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class IitRow:
    month: date
    result: IitResult


def iit_from_file(path: Path) -> tuple[IitRow, ...]:
    months: list[tuple[date, IitMonth]] = []
    for line, v in rows(path, IIT_COLUMNS):
        where = f"{path}:{line}"
        month = parse_month(v["month"], where)
        if months and month.year != months[0][0].year:
            raise FileInputError(
                f"{where}: month {v['month']} is not in tax year {months[0][0].year}; "
                "one file holds one tax year"
            )
        if months and month <= months[-1][0]:
            raise FileInputError(
                f"{where}: month {v['month']} does not follow {months[-1][0]:%Y-%m}; "
                "list the months in order, each once"
            )
        figures = {c: _amount(where, c, v[c]) for c in IIT_COLUMNS[1:]}
        months.append(
            (
                month,
                IitMonth(
                    gross=figures["gross"],
                    social_insurance=figures["social_insurance"],
                    special_deductions=figures["special_deductions"],
                    other_deductions=figures["other_deductions"],
                    label=f"{month:%Y-%m}",
                ),
            )
        )
    if not months:
        raise FileInputError(f"{path}: no month rows; add one row per month")
    results = withhold_year([m for _, m in months])
    return tuple(IitRow(m, r) for (m, _), r in zip(months, results, strict=True))


@dataclass(frozen=True, slots=True)
class _Hours:
    line: int
    regular: Decimal
    workday: Decimal
    restday: Decimal
    holiday: Decimal
    absent_days: Decimal


def _month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _read_hours(path: Path, month: date) -> dict[str, _Hours]:
    out: dict[str, _Hours] = {}
    last = _month_end(month)
    for line, v in rows(path, HOURS_COLUMNS):
        where = f"{path}:{line}"
        code = v["employee_code"]
        if not code:
            raise FileInputError(f"{where}: column employee_code is empty")
        if code in out:
            raise FileInputError(f"{where}: employee {code} is already on line {out[code].line}")
        try:
            start = date.fromisoformat(v["period_start"])
            end = date.fromisoformat(v["period_end"])
        except ValueError:
            raise FileInputError(
                f"{where}: period_start/period_end must be dates (YYYY-MM-DD)"
            ) from None
        if start < month or end > last or end < start:
            raise FileInputError(
                f"{where}: period {start}..{end} is not inside {month:%Y-%m}; export the hours "
                f"with --from {month} --to {last}"
            )
        review = v["days_needing_review"] or "0"
        if not review.isdigit():
            raise FileInputError(f"{where}: days_needing_review {review!r} is not a count")
        if int(review) > 0:
            raise FileInputError(
                f"{where}: employee {code} has {review} day(s) needing review; resolve them "
                "(shiftgate attendance explain), recompute and export again"
            )
        out[code] = _Hours(
            line,
            _amount(where, "regular_hours", v["regular_hours"]),
            _amount(where, "overtime_workday_hours", v["overtime_workday_hours"]),
            _amount(where, "overtime_restday_hours", v["overtime_restday_hours"]),
            _amount(where, "overtime_holiday_hours", v["overtime_holiday_hours"]),
            _amount(where, "days_absent", v["days_absent"]),
        )
    return out


@dataclass(frozen=True, slots=True)
class _Employee:
    line: int
    pay: EmployeePay


def _read_employees(
    path: Path, templates: Mapping[str, CityTemplate], policy: str
) -> dict[str, _Employee]:
    out: dict[str, _Employee] = {}
    for line, v in rows(path, EMPLOYEE_COLUMNS, EMPLOYEE_OPTIONAL):
        where = f"{path}:{line}"
        code = v["employee_code"]
        if not code:
            raise FileInputError(f"{where}: column employee_code is empty")
        if code in out:
            raise FileInputError(f"{where}: employee {code} is already on line {out[code].line}")
        try:
            basis = PayBasis(v["pay_basis"].lower())
        except ValueError:
            raise FileInputError(
                f"{where}: pay_basis {v['pay_basis']!r} must be monthly or hourly"
            ) from None
        base = _amount(where, "base_pay", v["base_pay"])
        if base <= 0:
            raise FileInputError(f"{where}: employee {code} has no base_pay; write the pay")
        city: CityTemplate | None = None
        if policy == "cn":
            try:
                city = template_for(templates, v["city"])
            except PayrollError as exc:
                raise FileInputError(f"{where}: {exc}") from exc
        si_base = _amount(where, "si_base", v["si_base"], required=False) if v["si_base"] else None
        special = _amount(where, "special_deductions", v["special_deductions"], required=False)
        out[code] = _Employee(line, EmployeePay(code, basis, base, city, si_base, special))
    return out


def _minutes(hours: Decimal) -> Decimal:
    return hours * 60


def compute_from_files(
    hours_path: Path,
    employees_path: Path,
    month: date,
    *,
    templates: Mapping[str, CityTemplate],
    policy: str = "cn",
) -> tuple[Payslip, ...]:
    if policy not in MULTIPLIERS:
        raise FileInputError(f"--policy {policy!r}: use one of {', '.join(MULTIPLIERS)}")
    hours = _read_hours(hours_path, month)
    employees = _read_employees(employees_path, templates, policy)
    for code, h in hours.items():
        if code not in employees:
            raise FileInputError(
                f"{hours_path}:{h.line}: employee {code} is not in {employees_path}; add a row"
            )
    rates = MULTIPLIERS[policy]
    slips = []
    for code in sorted(employees):
        emp = employees[code]
        found = hours.get(code)
        site_hours: tuple[SiteHours, ...] = ()
        if found is not None:
            h = found
            site_hours = (
                SiteHours(
                    SITE,
                    _minutes(h.regular),
                    (
                        OvertimeBucket(
                            OvertimeCategory.WORKDAY,
                            rates[OvertimeCategory.WORKDAY],
                            _minutes(h.workday),
                        ),
                        OvertimeBucket(
                            OvertimeCategory.RESTDAY,
                            rates[OvertimeCategory.RESTDAY],
                            _minutes(h.restday),
                        ),
                        OvertimeBucket(
                            OvertimeCategory.HOLIDAY,
                            rates[OvertimeCategory.HOLIDAY],
                            _minutes(h.holiday),
                        ),
                    ),
                    h.absent_days,
                ),
            )
        try:
            slips.append(
                compute_payslip(PayRequest(emp.pay, month, SITE, site_hours, policy=policy))
            )
        except PayrollError as exc:
            raise FileInputError(f"{employees_path}:{emp.line}: {exc}") from exc
    return tuple(slips)


PAY_DATA_OPTIONAL = (
    "si_base",
    "special_deductions",
    "claims",
    "allowance",
    "deduction",
    "annual_bonus",
    "merge_bonus",
)


def parse_claims(text: str, where: str) -> tuple[Claim, ...]:
    """``child_education:2; housing_rent:large; elderly_support:1500; housing_loan_interest:0.5``
    -> claims (a number after child kinds is the children, after elderly support the agreed
    share of a non-only child, after loan interest the share; after rent the city tier)."""
    out = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        name, _, arg = (x.strip() for x in part.partition(":"))
        try:
            kind = DeductionKind(name)
        except ValueError:
            known = ", ".join(k.value for k in DeductionKind)
            raise FileInputError(f"{where}: unknown claim {name!r}; use one of {known}") from None
        try:
            if kind in (DeductionKind.CHILD_EDUCATION, DeductionKind.INFANT_CARE) and arg:
                count, _, share = arg.partition("x")
                out.append(Claim(kind, children=int(count), share=Decimal(share or "1")))
            elif kind is DeductionKind.HOUSING_RENT and arg:
                out.append(Claim(kind, rent_tier=RentTier(arg)))
            elif kind is DeductionKind.ELDERLY_SUPPORT and arg:
                out.append(Claim(kind, only_child=False, amount=Decimal(arg)))
            elif kind is DeductionKind.HOUSING_LOAN_INTEREST and arg:
                out.append(Claim(kind, share=Decimal(arg)))
            else:
                out.append(Claim(kind))
        except (ValueError, ArithmeticError):
            raise FileInputError(f"{where}: claim {part!r} has a bad value") from None
    try:
        validate(out)
    except PayrollError as exc:
        raise FileInputError(f"{where}: {exc}") from exc
    return tuple(out)


def read_pay_data(path: Path) -> dict[str, PayData]:
    """HR's monthly pay data for a store run: ``employee_code`` plus any of si_base,
    special_deductions (a validated total) or claims (validated here), allowance, deduction,
    annual_bonus, merge_bonus (yes: the bonus is taxed with the month's wages)."""
    out: dict[str, PayData] = {}
    lines: dict[str, int] = {}
    for line, v in rows(path, ("employee_code",), PAY_DATA_OPTIONAL):
        where = f"{path}:{line}"
        code = v["employee_code"]
        if not code:
            raise FileInputError(f"{where}: column employee_code is empty")
        if code in out:
            raise FileInputError(f"{where}: employee {code} is already on line {lines[code]}")
        if v["claims"] and v["special_deductions"]:
            raise FileInputError(
                f"{where}: give claims or special_deductions, not both (claims are summed)"
            )
        special = _amount(where, "special_deductions", v["special_deductions"], required=False)
        if v["claims"]:
            special = monthly_total(parse_claims(v["claims"], where))
        items = []
        for column, kind, label in (
            ("allowance", ItemKind.ALLOWANCE, "Allowance"),
            ("deduction", ItemKind.DEDUCTION, "Deduction"),
            ("annual_bonus", ItemKind.ANNUAL_BONUS, "Annual one-off bonus"),
        ):
            amount = _amount(where, column, v[column], required=False)
            if amount:
                items.append(
                    PayItem(column, label, kind, amount, source=f"pay data {path.name}:{line}")
                )
        si_base = _amount(where, "si_base", v["si_base"], required=False) if v["si_base"] else None
        merge = v["merge_bonus"].lower()
        if merge not in ("", "yes", "no"):
            raise FileInputError(f"{where}: merge_bonus {v['merge_bonus']!r} must be yes or no")
        out[code] = PayData(si_base, special, tuple(items), bonus_taxed_separately=merge != "yes")
        lines[code] = line
    return out
