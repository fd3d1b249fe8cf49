"""China individual income tax on wages: cumulative withholding (累计预扣法) and the annual
one-off bonus taxed apart.

Method: 国家税务总局公告2018年第61号 under the 2018 IIT Law (arts. 2, 6). For the n-th month
of employment with this employer in a calendar year:

    cumulative taxable = cumulative income - 5,000 x n - cumulative employee SI/HF
                         - cumulative special additional deductions - cumulative other
                         (never below 0)
    cumulative tax     = cumulative taxable x rate - quick deduction   (annual 7-bracket table)
    tax this month     = cumulative tax - tax already withheld this year   (never below 0)

The annual bonus (财税〔2018〕164号, extended to 2027-12-31 by 财政部 税务总局公告2023年第30号):
bonus / 12 picks the rate in the monthly table; tax = bonus x rate - quick deduction, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from hrcore.payroll.errors import InvalidPayInput
from hrcore.payroll.money import ZERO, show, to_cent
from hrcore.payroll.trace import Input, LineKind, PayLine, inputs

SOURCE_METHOD = "国家税务总局公告2018年第61号 (cumulative withholding); IIT Law 2018 art. 6"
SOURCE_BONUS = "财税〔2018〕164号 art. 1(1); 财政部 税务总局公告2023年第30号 (to 2027-12-31)"
BASIC_DEDUCTION_PER_MONTH = Decimal(5000)


@dataclass(frozen=True, slots=True)
class Bracket:
    upto: Decimal | None  # inclusive upper bound of the taxable amount; None = no bound
    rate: Decimal
    quick_deduction: Decimal


#: the annual comprehensive-income table (IIT Law, schedule 1), used cumulatively for wages
ANNUAL_TABLE: tuple[Bracket, ...] = (
    Bracket(Decimal(36000), Decimal("0.03"), Decimal(0)),
    Bracket(Decimal(144000), Decimal("0.10"), Decimal(2520)),
    Bracket(Decimal(300000), Decimal("0.20"), Decimal(16920)),
    Bracket(Decimal(420000), Decimal("0.25"), Decimal(31920)),
    Bracket(Decimal(660000), Decimal("0.30"), Decimal(52920)),
    Bracket(Decimal(960000), Decimal("0.35"), Decimal(85920)),
    Bracket(None, Decimal("0.45"), Decimal(181920)),
)

#: the monthly table (the annual one / 12), used for the annual one-off bonus
MONTHLY_TABLE: tuple[Bracket, ...] = (
    Bracket(Decimal(3000), Decimal("0.03"), Decimal(0)),
    Bracket(Decimal(12000), Decimal("0.10"), Decimal(210)),
    Bracket(Decimal(25000), Decimal("0.20"), Decimal(1410)),
    Bracket(Decimal(35000), Decimal("0.25"), Decimal(2660)),
    Bracket(Decimal(55000), Decimal("0.30"), Decimal(4410)),
    Bracket(Decimal(80000), Decimal("0.35"), Decimal(7160)),
    Bracket(None, Decimal("0.45"), Decimal(15160)),
)


def bracket(amount: Decimal, table: Sequence[Bracket]) -> Bracket:
    for b in table:
        if b.upto is None or amount <= b.upto:
            return b
    raise AssertionError("the last bracket has no bound")


@dataclass(frozen=True, slots=True)
class IitMonth:
    """One month's figures for withholding (amounts of that month, not cumulative)."""

    gross: Decimal  # taxable wage income of the month (tax-exempt items already removed)
    social_insurance: Decimal = ZERO  # employee SI + HF of the month (within the legal caps)
    special_deductions: Decimal = ZERO  # special additional deductions of the month
    other_deductions: Decimal = ZERO  # enterprise annuity, commercial health insurance, ...
    label: str = ""  # e.g. "2025-03", for the trace

    def __post_init__(self) -> None:
        for name in ("gross", "social_insurance", "special_deductions", "other_deductions"):
            if getattr(self, name) < 0:
                raise InvalidPayInput(f"IIT month {self.label}: {name} must not be negative")


@dataclass(frozen=True, slots=True)
class YearToDate:
    """What the employer withheld on in earlier months of the same tax year."""

    months: int = 0
    income: Decimal = ZERO
    social_insurance: Decimal = ZERO
    special_deductions: Decimal = ZERO
    other_deductions: Decimal = ZERO
    tax_withheld: Decimal = ZERO

    def plus(self, month: IitMonth, tax: Decimal) -> YearToDate:
        return YearToDate(
            self.months + 1,
            self.income + month.gross,
            self.social_insurance + month.social_insurance,
            self.special_deductions + month.special_deductions,
            self.other_deductions + month.other_deductions,
            self.tax_withheld + tax,
        )


@dataclass(frozen=True, slots=True)
class IitResult:
    label: str
    month_index: int  # n: months with this employer this year, this one included
    cumulative_income: Decimal
    cumulative_basic: Decimal
    cumulative_social_insurance: Decimal
    cumulative_special: Decimal
    cumulative_other: Decimal
    cumulative_taxable: Decimal
    rate: Decimal
    quick_deduction: Decimal
    cumulative_tax: Decimal
    withheld_before: Decimal
    tax: Decimal
    after: YearToDate

    def line(self) -> PayLine:
        pct = f"{(self.rate * 100).normalize():f}"
        return PayLine(
            code="iit",
            label="Individual income tax (cumulative withholding)",
            kind=LineKind.DEDUCTION,
            amount=self.tax,
            formula=(
                f"max(0, ({show(self.cumulative_income)} - 5000 x {self.month_index} - "
                f"{show(self.cumulative_social_insurance)} - {show(self.cumulative_special)} - "
                f"{show(self.cumulative_other)}) x {pct}% - {show(self.quick_deduction)} - "
                f"{show(self.withheld_before)}) = {show(self.tax)}"
            ),
            inputs=(
                *inputs(
                    month_index=self.month_index,
                    cumulative_income=show(self.cumulative_income),
                    cumulative_basic=show(self.cumulative_basic),
                    cumulative_social_insurance=show(self.cumulative_social_insurance),
                    cumulative_special=show(self.cumulative_special),
                    cumulative_other=show(self.cumulative_other),
                    cumulative_taxable=show(self.cumulative_taxable),
                    rate=f"{pct}%",
                    quick_deduction=show(self.quick_deduction),
                    cumulative_tax=show(self.cumulative_tax),
                    withheld_before=show(self.withheld_before),
                ),
            ),
            source=SOURCE_METHOD,
        )


def withhold_month(before: YearToDate, month: IitMonth) -> IitResult:
    """The tax to withhold this month, given what earlier months of the year withheld on."""
    n = before.months + 1
    income = before.income + month.gross
    basic = BASIC_DEDUCTION_PER_MONTH * n
    si = before.social_insurance + month.social_insurance
    special = before.special_deductions + month.special_deductions
    other = before.other_deductions + month.other_deductions
    taxable = max(ZERO, income - basic - si - special - other)
    b = bracket(taxable, ANNUAL_TABLE)
    cumulative_tax = to_cent(taxable * b.rate - b.quick_deduction)
    tax = max(ZERO, cumulative_tax - before.tax_withheld)
    return IitResult(
        label=month.label,
        month_index=n,
        cumulative_income=income,
        cumulative_basic=basic,
        cumulative_social_insurance=si,
        cumulative_special=special,
        cumulative_other=other,
        cumulative_taxable=taxable,
        rate=b.rate,
        quick_deduction=b.quick_deduction,
        cumulative_tax=cumulative_tax,
        withheld_before=before.tax_withheld,
        tax=tax,
        after=before.plus(month, tax),
    )


def withhold_year(months: Sequence[IitMonth]) -> tuple[IitResult, ...]:
    """Month-by-month withholding for consecutive months of one employer in one tax year."""
    out: list[IitResult] = []
    ytd = YearToDate()
    for month in months:
        result = withhold_month(ytd, month)
        out.append(result)
        ytd = result.after
    return tuple(out)


@dataclass(frozen=True, slots=True)
class BonusTax:
    bonus: Decimal
    monthly_equivalent: Decimal
    rate: Decimal
    quick_deduction: Decimal
    tax: Decimal

    def line(self) -> PayLine:
        pct = f"{(self.rate * 100).normalize():f}"
        return PayLine(
            code="iit.bonus",
            label="IIT on the annual one-off bonus (taxed apart)",
            kind=LineKind.DEDUCTION,
            amount=self.tax,
            formula=(
                f"{show(self.bonus)} x {pct}% - {show(self.quick_deduction)} = {show(self.tax)}"
                f" (rate of {show(self.monthly_equivalent)} = bonus / 12, monthly table)"
            ),
            inputs=(Input("bonus", show(self.bonus)), Input("rate", f"{pct}%")),
            source=SOURCE_BONUS,
        )


def annual_bonus_tax(bonus: Decimal) -> BonusTax:
    if bonus < 0:
        raise InvalidPayInput(f"annual bonus {bonus} must not be negative")
    per_month = bonus / 12
    b = bracket(per_month, MONTHLY_TABLE)
    tax = max(ZERO, to_cent(bonus * b.rate - b.quick_deduction))
    return BonusTax(bonus, to_cent(per_month), b.rate, b.quick_deduction, tax)
