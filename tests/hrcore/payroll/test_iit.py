"""IIT cumulative withholding against the official worked examples, to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hrcore.payroll.errors import InvalidPayInput
from hrcore.payroll.iit import IitMonth, YearToDate, annual_bonus_tax, withhold_month, withhold_year

D = Decimal


def test_issue_example_30000_with_4500_si_and_2000_special() -> None:
    months = [IitMonth(D(30000), D(4500), D(2000), label=f"2025-0{m}") for m in (1, 2, 3)]
    taxes = [r.tax for r in withhold_year(months)]
    assert taxes == [D("555.00"), D("625.00"), D("1850.00")]


def test_research_10000_a_month_stays_at_3_percent() -> None:
    results = withhold_year([IitMonth(D(10000), D(2250))] * 12)
    assert [r.tax for r in results] == [D("82.50")] * 12
    assert sum(r.tax for r in results) == D("990.00")


def test_research_30000_a_month_table() -> None:
    results = withhold_year([IitMonth(D(30000), D(6750))] * 12)
    expected = ["547.50", "582.50"] + ["1825.00"] * 5 + ["2025.00"] + ["3650.00"] * 4
    assert [str(r.tax) for r in results] == expected
    assert [r.cumulative_taxable for r in results][:3] == [D(18250), D(36500), D(54750)]
    assert results[7].cumulative_tax == D("12280.00")
    assert results[-1].cumulative_tax == D("26880.00")
    assert sum(r.tax for r in results) == D("26880.00")


def test_a_month_with_less_income_withholds_zero_never_negative() -> None:
    months = [IitMonth(D(30000), D(4500), D(2000)), IitMonth(D(0)), IitMonth(D(0))]
    results = withhold_year(months)
    assert results[0].tax == D("555.00")
    # cumulative taxable falls, so cumulative tax falls below what was withheld: 0, no refund
    assert results[1].tax == D("0.00")
    assert results[2].tax == D("0.00")
    assert results[2].after.tax_withheld == D("555.00")


def test_year_to_date_continues_like_the_whole_year() -> None:
    whole = withhold_year([IitMonth(D(30000), D(6750))] * 3)
    carried = withhold_month(whole[1].after, IitMonth(D(30000), D(6750)))
    assert carried.tax == whole[2].tax == D("1825.00")
    assert carried.month_index == 3


def test_trace_line_shows_formula_and_inputs() -> None:
    line = withhold_year([IitMonth(D(30000), D(4500), D(2000))] * 2)[1].line()
    assert line.amount == D("625.00")
    assert "5000 x 2" in line.formula and "10%" in line.formula and "2520.00" in line.formula
    names = {i.name: i.value for i in line.inputs}
    assert names["withheld_before"] == "555.00"
    assert "2018年第61号" in line.source


def test_negative_amount_refused() -> None:
    with pytest.raises(InvalidPayInput, match="gross must not be negative"):
        IitMonth(D(-1))


@pytest.mark.parametrize(
    ("bonus", "tax"),
    [
        ("36000", "1080.00"),
        ("36001", "3390.10"),
        ("144000", "14190.00"),
        ("144001", "27390.20"),
        ("0", "0.00"),
    ],
)
def test_annual_bonus_taxed_apart_with_the_monthly_table(bonus: str, tax: str) -> None:
    assert annual_bonus_tax(D(bonus)).tax == D(tax)


def test_empty_year_to_date_is_zero() -> None:
    assert YearToDate().months == 0
