"""A pay run for one employee and month: hours by site in, a traced payslip out.

CN overtime (Labour Law art. 44; 工资支付暂行规定 art. 13): the hourly rate of a monthly wage is
monthly / 21.75 / 8 (劳社部发〔2008〕3号), never rounded; each category's amount (per site) is
rounded once to the cent, half up, from the exact product. Hourly staff: their own rate times
the same multipliers. The absence deduction of a monthly wage is monthly / 21.75 per day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from hrcore.attendance.overtime import OvertimeCategory
from hrcore.enums import PayBasis
from hrcore.payroll.errors import InvalidPayInput
from hrcore.payroll.iit import IitMonth, IitResult, YearToDate, annual_bonus_tax, withhold_month
from hrcore.payroll.money import ZERO, show, to_cent
from hrcore.payroll.social import CityTemplate, Contributions, contributions
from hrcore.payroll.trace import LineKind, PayLine, inputs

PAY_DAYS_PER_MONTH = Decimal("21.75")
HOURS_PER_DAY = Decimal(8)
MINUTES_PER_HOUR = Decimal(60)
SOURCE_DIVISOR = "劳社部发〔2008〕3号: 21.75 paid days a month, 8 hours a day"
SOURCE_OVERTIME = {
    OvertimeCategory.WORKDAY: "Labour Law art. 44(1); 工资支付暂行规定 art. 13: >= 150 %",
    OvertimeCategory.RESTDAY: "Labour Law art. 44(2): >= 200 % unless compensated by time off",
    OvertimeCategory.HOLIDAY: "Labour Law art. 44(3): >= 300 % on statutory holidays",
}


class ItemKind(StrEnum):
    ALLOWANCE = "allowance"  # taxable earning, part of gross
    DEDUCTION = "deduction"  # taken from net pay after tax (e.g. canteen)
    OTHER_TAX_DEDUCTION = "other_tax_deduction"  # pre-tax "other deductions" (annuity, ...)
    ANNUAL_BONUS = "annual_bonus"  # one-off bonus; taxed apart unless merged


@dataclass(frozen=True, slots=True)
class PayItem:
    code: str
    label: str
    kind: ItemKind
    amount: Decimal
    source: str = "pay data"

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise InvalidPayInput(f"pay item {self.code}: amount {self.amount} is negative")


@dataclass(frozen=True, slots=True)
class OvertimeBucket:
    """Overtime minutes of one category at one multiplier (CN has one per category; US-CA
    prices 1.5 x and 2 x workday minutes apart)."""

    category: OvertimeCategory
    multiplier: Decimal
    minutes: Decimal  # exact: hours with two decimals x 60 stays exact
    rule: str = ""


@dataclass(frozen=True, slots=True)
class SiteHours:
    """What one site's clocks recorded for the employee in the month."""

    site: str
    regular_minutes: Decimal = ZERO  # worked minutes that are not overtime
    overtime: tuple[OvertimeBucket, ...] = ()
    absent_days: Decimal = ZERO  # rostered days without work (a half day counts 0.5)


@dataclass(frozen=True, slots=True)
class EmployeePay:
    code: str
    pay_basis: PayBasis
    base_pay: Decimal  # monthly wage, or the hourly rate for hourly staff
    city: CityTemplate | None  # None: no CN social insurance (other policies)
    si_base: Decimal | None = None  # declared contribution base; None = this month's pay
    special_deductions: Decimal = ZERO  # validated monthly special additional deductions
    bonus_taxed_separately: bool = True

    def __post_init__(self) -> None:
        if self.base_pay <= 0:
            raise InvalidPayInput(
                f"employee {self.code} has no base pay; set it before running payroll"
            )


@dataclass(frozen=True, slots=True)
class PayRequest:
    employee: EmployeePay
    month: date  # first day of the pay month
    home_site: str
    hours: tuple[SiteHours, ...] = ()
    items: tuple[PayItem, ...] = ()
    year_to_date: YearToDate = field(default_factory=YearToDate)
    policy: str = "cn"


@dataclass(frozen=True, slots=True)
class SiteCost:
    site: str
    minutes: Decimal
    earnings: Decimal  # the employee's pay lines attributed to the site
    employer_contributions: Decimal  # allocated by the site's share of the earnings

    @property
    def cost(self) -> Decimal:
        return self.earnings + self.employer_contributions


@dataclass(frozen=True, slots=True)
class Payslip:
    employee: str
    month: date
    lines: tuple[PayLine, ...]
    iit: IitResult | None
    sites: tuple[SiteCost, ...]

    def total(self, code: str) -> Decimal:
        return sum((li.amount for li in self.lines if li.code == code), ZERO)

    def starting(self, prefix: str, kind: LineKind | None = None) -> Decimal:
        return sum(
            (
                li.amount
                for li in self.lines
                if li.code.startswith(prefix) and (kind is None or li.kind is kind)
            ),
            ZERO,
        )

    @property
    def base_pay(self) -> Decimal:
        return self.total("base")

    def overtime(self, category: OvertimeCategory) -> Decimal:
        return self.total(f"overtime.{category}")

    @property
    def absence_deduction(self) -> Decimal:
        return self.total("absence")

    @property
    def gross(self) -> Decimal:
        return self.total("gross")

    @property
    def social_insurance_employee(self) -> Decimal:
        return self.starting("si.", LineKind.DEDUCTION)

    @property
    def housing_fund_employee(self) -> Decimal:
        return self.starting("hf.", LineKind.DEDUCTION)

    @property
    def employer_contributions(self) -> Decimal:
        return self.starting("si.", LineKind.EMPLOYER) + self.starting("hf.", LineKind.EMPLOYER)

    @property
    def income_tax(self) -> Decimal:
        return self.total("iit") + self.total("iit.bonus")

    @property
    def net(self) -> Decimal:
        return self.total("net")


def _monthly_rate_text(base: Decimal) -> str:
    return f"{show(base)} / 21.75 / 8"


def _earnings(req: PayRequest) -> list[PayLine]:
    emp = req.employee
    lines: list[PayLine] = []
    monthly = emp.pay_basis is PayBasis.MONTHLY
    if req.policy != "cn" and monthly:
        raise InvalidPayInput(
            f"employee {emp.code}: policy {req.policy} prices hourly staff; set pay_basis hourly"
        )
    sites = req.hours or (SiteHours(req.home_site),)
    regular = {h.site: h.regular_minutes for h in sites}
    all_minutes = sum(regular.values(), ZERO)
    if monthly:
        # the monthly wage is one line per site, by the site's share of the regular minutes
        shares = (
            [(h.site, regular[h.site]) for h in sites if regular[h.site] > 0]
            if all_minutes > 0
            else [(req.home_site, Decimal(1))]
        )
        total_weight = sum((w for _, w in shares), ZERO)
        left = emp.base_pay
        for i, (site, weight) in enumerate(shares):
            amount = left if i == len(shares) - 1 else to_cent(emp.base_pay * weight / total_weight)
            left -= amount
            split = len(shares) > 1
            lines.append(
                PayLine(
                    code="base",
                    label="Base pay (monthly)" + (f" at {site}" if split else ""),
                    kind=LineKind.EARNING,
                    amount=amount,
                    formula=(
                        f"{show(emp.base_pay)} x {weight} / {total_weight} min = {show(amount)}"
                        if split
                        else f"monthly wage {show(emp.base_pay)}"
                    ),
                    inputs=inputs(base_pay=show(emp.base_pay), site_minutes=weight),
                    source="employment contract" + ("; split by regular minutes" if split else ""),
                    site=site,
                )
            )
        absent = sum((h.absent_days for h in sites), ZERO)
        if absent > 0:
            amount = to_cent(emp.base_pay * absent / PAY_DAYS_PER_MONTH)
            lines.append(
                PayLine(
                    code="absence",
                    label="Absence deduction",
                    kind=LineKind.DEDUCTION,
                    amount=amount,
                    formula=f"{show(emp.base_pay)} / 21.75 x {absent} days = {show(amount)}",
                    inputs=inputs(base_pay=show(emp.base_pay), absent_days=absent),
                    source=SOURCE_DIVISOR + " (daily wage = monthly / 21.75)",
                    site=req.home_site,
                )
            )
    else:
        for h in sites:
            if h.regular_minutes <= 0:
                continue
            amount = to_cent(emp.base_pay * h.regular_minutes / MINUTES_PER_HOUR)
            hours = h.regular_minutes / MINUTES_PER_HOUR
            lines.append(
                PayLine(
                    code="base",
                    label=f"Regular hours at {h.site}",
                    kind=LineKind.EARNING,
                    amount=amount,
                    formula=f"{show(emp.base_pay)} per hour x {hours:.4f} h = {show(amount)}",
                    inputs=inputs(hourly_rate=show(emp.base_pay), minutes=h.regular_minutes),
                    source="employment contract (hourly rate)",
                    site=h.site,
                )
            )
    # overtime: one line per site, category and multiplier, each rounded once
    grouped: defaultdict[tuple[str, OvertimeCategory, Decimal], list[OvertimeBucket]] = defaultdict(
        list
    )
    for h in sites:
        for b in h.overtime:
            if b.minutes > 0:
                grouped[(h.site, b.category, b.multiplier)].append(b)
    for (site, category, multiplier), buckets in sorted(
        grouped.items(), key=lambda kv: (list(OvertimeCategory).index(kv[0][1]), kv[0][0], kv[0][2])
    ):
        minutes = sum((b.minutes for b in buckets), ZERO)
        pct = f"{(multiplier * 100).normalize():f}%"
        if monthly:
            exact = (
                emp.base_pay
                * minutes
                * multiplier
                / (PAY_DAYS_PER_MONTH * HOURS_PER_DAY * MINUTES_PER_HOUR)
            )
            rate_text = _monthly_rate_text(emp.base_pay)
            source = f"{SOURCE_OVERTIME[category]}; {SOURCE_DIVISOR}"
        else:
            exact = emp.base_pay * minutes * multiplier / MINUTES_PER_HOUR
            rate_text = show(emp.base_pay)
            source = SOURCE_OVERTIME[category] if req.policy == "cn" else buckets[0].rule
        amount = to_cent(exact)
        hours = minutes / MINUTES_PER_HOUR
        lines.append(
            PayLine(
                code=f"overtime.{category}",
                label=f"Overtime {category} {pct} at {site}",
                kind=LineKind.EARNING,
                amount=amount,
                formula=f"{rate_text} x {hours:.4f} h x {pct} = {show(amount)} (half up)",
                inputs=inputs(
                    base_pay=show(emp.base_pay),
                    minutes=minutes,
                    multiplier=multiplier,
                    basis=emp.pay_basis,
                ),
                source=source,
                site=site,
            )
        )
    for item in req.items:
        if item.kind is ItemKind.ALLOWANCE:
            lines.append(
                PayLine(
                    code=f"allowance.{item.code}",
                    label=item.label,
                    kind=LineKind.EARNING,
                    amount=to_cent(item.amount),
                    formula=f"as given: {show(item.amount)}",
                    source=item.source,
                    site=req.home_site,
                )
            )
    return lines


def _signed(line: PayLine) -> Decimal:
    return -line.amount if line.kind is LineKind.DEDUCTION else line.amount


def compute_payslip(req: PayRequest) -> Payslip:
    """The payslip of one employee for one month, every line traced."""
    emp = req.employee
    lines = _earnings(req)
    gross = sum((_signed(li) for li in lines), ZERO)
    bonus = sum((i.amount for i in req.items if i.kind is ItemKind.ANNUAL_BONUS), ZERO)
    merged_bonus = bonus if bonus and not emp.bonus_taxed_separately else ZERO
    if merged_bonus:
        lines.append(
            PayLine(
                code="allowance.annual_bonus",
                label="Annual bonus (merged into this month's income)",
                kind=LineKind.EARNING,
                amount=to_cent(merged_bonus),
                formula=f"as given: {show(merged_bonus)}",
                source="pay data; taxpayer chose to merge (财税〔2018〕164号)",
                site=req.home_site,
            )
        )
        gross += merged_bonus
    parts = " ".join(
        f"{'-' if li.kind is LineKind.DEDUCTION else '+'} {show(li.amount)}" for li in lines
    ).lstrip("+ ")
    lines.append(
        PayLine(
            code="gross",
            label="Gross pay",
            kind=LineKind.TOTAL,
            amount=to_cent(gross),
            formula=f"{parts} = {show(gross)}",
            source="sum of earnings minus absence",
        )
    )
    iit: IitResult | None = None
    net = gross
    if emp.city is not None:
        if req.policy != "cn":
            raise InvalidPayInput(f"employee {emp.code}: CN social insurance needs policy cn")
        declared = emp.si_base
        if declared is None:
            declared = emp.base_pay if emp.pay_basis is PayBasis.MONTHLY else gross
        contrib: Contributions = contributions(emp.city, req.month, declared)
        lines.extend(contrib.lines)
        employee_si_hf = contrib.employee_si + contrib.employee_hf
        other = sum((i.amount for i in req.items if i.kind is ItemKind.OTHER_TAX_DEDUCTION), ZERO)
        month = IitMonth(
            gross=to_cent(gross),
            social_insurance=employee_si_hf,
            special_deductions=emp.special_deductions,
            other_deductions=other,
            label=req.month.strftime("%Y-%m"),
        )
        iit = withhold_month(req.year_to_date, month)
        lines.append(
            PayLine(
                code="iit.special_deductions",
                label="Special additional deductions (for IIT)",
                kind=LineKind.TOTAL,
                amount=emp.special_deductions,
                formula=f"declared monthly total {show(emp.special_deductions)}",
                source="employee's declaration, validated (国发〔2023〕13号 amounts)",
            )
        )
        if other:
            lines.append(
                PayLine(
                    code="iit.other_deductions",
                    label="Other deductions (for IIT)",
                    kind=LineKind.TOTAL,
                    amount=other,
                    formula=f"sum of pre-tax items {show(other)}",
                    source="pay data",
                )
            )
        lines.append(iit.line())
        net = gross - employee_si_hf - iit.tax
    if bonus and emp.bonus_taxed_separately:
        lines.append(
            PayLine(
                code="bonus",
                label="Annual one-off bonus",
                kind=LineKind.EARNING,
                amount=to_cent(bonus),
                formula=f"as given: {show(bonus)}",
                source="pay data",
                site=req.home_site,
            )
        )
        net += bonus
        if emp.city is not None:
            bonus_tax = annual_bonus_tax(bonus)
            lines.append(bonus_tax.line())
            net -= bonus_tax.tax
    for item in req.items:
        if item.kind is ItemKind.DEDUCTION:
            lines.append(
                PayLine(
                    code=f"deduction.{item.code}",
                    label=item.label,
                    kind=LineKind.DEDUCTION,
                    amount=to_cent(item.amount),
                    formula=f"as given: {show(item.amount)}",
                    source=item.source,
                )
            )
            net -= item.amount
    taken = [li for li in lines if li.kind is LineKind.DEDUCTION and li.code != "absence"]
    lines.append(
        PayLine(
            code="net",
            label="Net pay",
            kind=LineKind.TOTAL,
            amount=to_cent(net),
            formula=f"{show(gross)} gross"
            + (" + bonus" if bonus and emp.bonus_taxed_separately else "")
            + "".join(f" - {show(li.amount)} {li.code}" for li in taken)
            + f" = {show(net)}",
            source="gross minus employee contributions, tax and deductions",
        )
    )
    return Payslip(emp.code, req.month, tuple(lines), iit, _site_costs(req, lines))


def _site_costs(req: PayRequest, lines: Sequence[PayLine]) -> tuple[SiteCost, ...]:
    earnings: defaultdict[str, Decimal] = defaultdict(lambda: ZERO)
    for li in lines:
        if li.site is not None and li.kind in (LineKind.EARNING, LineKind.DEDUCTION):
            earnings[li.site] += _signed(li)
    minutes: defaultdict[str, Decimal] = defaultdict(lambda: ZERO)
    for h in req.hours:
        minutes[h.site] += h.regular_minutes + sum((b.minutes for b in h.overtime), ZERO)
    employer = sum((li.amount for li in lines if li.kind is LineKind.EMPLOYER), ZERO)
    total = sum(earnings.values(), ZERO)
    sites = sorted(set(earnings) | set(minutes))
    out = []
    left = employer
    for i, site in enumerate(sites):
        if i == len(sites) - 1:
            share = left
        else:
            share = to_cent(employer * earnings[site] / total) if total else ZERO
        left -= share
        out.append(SiteCost(site, minutes[site], earnings[site], share))
    return tuple(out)
