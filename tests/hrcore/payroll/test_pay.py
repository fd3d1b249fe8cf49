"""Pay from computed hours: overtime per category and policy, absence, site split, net."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from hrcore.attendance.overtime import OvertimeCategory as C
from hrcore.enums import PayBasis
from hrcore.payroll.errors import InvalidPayInput
from hrcore.payroll.iit import YearToDate
from hrcore.payroll.pay import (
    EmployeePay,
    ItemKind,
    OvertimeBucket,
    PayItem,
    PayRequest,
    SiteHours,
    compute_payslip,
)
from hrcore.payroll.templates import load_templates

D = Decimal
MARCH = date(2025, 3, 1)
TEMPLATES = Path(__file__).resolve().parents[3] / "config" / "policies" / "cn"


def h(hours: str) -> Decimal:
    return D(hours) * 60


def cn_buckets(
    workday: str = "0", restday: str = "0", holiday: str = "0"
) -> tuple[OvertimeBucket, ...]:
    return (
        OvertimeBucket(C.WORKDAY, D("1.5"), h(workday)),
        OvertimeBucket(C.RESTDAY, D("2.0"), h(restday)),
        OvertimeBucket(C.HOLIDAY, D("3.0"), h(holiday)),
    )


def emp(
    basis: PayBasis = PayBasis.MONTHLY, base: str = "8700", city: str | None = None
) -> EmployeePay:
    tmpl = load_templates(TEMPLATES)[city] if city else None
    return EmployeePay("E01", basis, D(base), tmpl)


def test_cn_monthly_overtime_per_category_research_example() -> None:
    # 8700 / 21.75 / 8 = 50.00 an hour; 10 h workday, 8 h rest day, 4 h statutory day
    req = PayRequest(emp(), MARCH, "WH", (SiteHours("WH", h("168"), cn_buckets("10", "8", "4")),))
    slip = compute_payslip(req)
    assert slip.overtime(C.WORKDAY) == D("750.00")
    assert slip.overtime(C.RESTDAY) == D("800.00")
    assert slip.overtime(C.HOLIDAY) == D("600.00")
    assert slip.base_pay == D("8700.00")
    assert slip.gross == D("10850.00")


def test_cn_hourly_rate_is_not_rounded_before_multiplying() -> None:
    # 10000 / 174 = 57.4712...; 1 h x 150 % = 86.2068... -> 86.21 (a rounded rate gives 86.20)
    req = PayRequest(emp(base="10000"), MARCH, "WH", (SiteHours("WH", ZERO_MIN, cn_buckets("1")),))
    assert compute_payslip(req).overtime(C.WORKDAY) == D("86.21")


ZERO_MIN = D(0)


def test_cn_hourly_staff_use_their_rate() -> None:
    req = PayRequest(
        emp(PayBasis.HOURLY, "50"),
        MARCH,
        "WH",
        (SiteHours("WH", h("160"), cn_buckets("10", "8", "4")),),
    )
    slip = compute_payslip(req)
    assert slip.base_pay == D("8000.00")
    assert (slip.overtime(C.WORKDAY), slip.overtime(C.RESTDAY), slip.overtime(C.HOLIDAY)) == (
        D("750.00"),
        D("800.00"),
        D("600.00"),
    )


def test_us_flsa_weekly_overtime_example() -> None:
    req = PayRequest(
        emp(PayBasis.HOURLY, "20"),
        MARCH,
        "US1",
        (SiteHours("US1", h("40"), (OvertimeBucket(C.WORKDAY, D("1.5"), h("5"), "FLSA"),)),),
        policy="us-flsa",
    )
    assert compute_payslip(req).gross == D("950.00")


def test_us_ca_prices_time_and_a_half_and_double_time_apart() -> None:
    buckets = (
        OvertimeBucket(C.WORKDAY, D("1.5"), h("6"), "daily: over 8 h"),
        OvertimeBucket(C.WORKDAY, D("2.0"), h("1"), "daily: over 12 h"),
    )
    req = PayRequest(
        emp(PayBasis.HOURLY, "20"),
        MARCH,
        "CA1",
        (SiteHours("CA1", h("40"), buckets),),
        policy="us-ca",
    )
    slip = compute_payslip(req)
    assert slip.gross == D("1020.00")
    assert [li.amount for li in slip.lines if li.code == "overtime.workday"] == [
        D("180.00"),
        D("40.00"),
    ]


def test_us_policy_refuses_monthly_staff() -> None:
    req = PayRequest(emp(), MARCH, "US1", policy="us-flsa")
    with pytest.raises(InvalidPayInput, match="set pay_basis hourly"):
        compute_payslip(req)


def test_absence_deduction_is_a_day_of_21_75() -> None:
    req = PayRequest(emp(), MARCH, "WH", (SiteHours("WH", h("160"), absent_days=D("1.5")),))
    slip = compute_payslip(req)
    assert slip.absence_deduction == D("600.00")  # 8700 / 21.75 x 1.5
    assert slip.gross == D("8100.00")


def test_two_sites_give_lines_and_cost_per_site() -> None:
    req = PayRequest(
        emp(city="shanghai", base="10000"),
        MARCH,
        "WH",
        (
            SiteHours("WH", h("120"), cn_buckets("4")),
            SiteHours("DC", h("40"), cn_buckets("0", "8")),
        ),
    )
    slip = compute_payslip(req)
    base_lines = {li.site: li.amount for li in slip.lines if li.code == "base"}
    assert base_lines == {"WH": D("7500.00"), "DC": D("2500.00")}  # 120 h / 40 h
    ot = {(li.code, li.site) for li in slip.lines if li.code.startswith("overtime.")}
    assert ot == {("overtime.workday", "WH"), ("overtime.restday", "DC")}
    costs = {c.site: c for c in slip.sites}
    assert set(costs) == {"WH", "DC"}
    assert sum(c.earnings for c in slip.sites) == slip.gross
    assert sum(c.employer_contributions for c in slip.sites) == slip.employer_contributions
    assert costs["DC"].minutes == h("48")


def test_beijing_payslip_net() -> None:
    slip = compute_payslip(PayRequest(emp(city="beijing", base="10000"), MARCH, "WH"))
    assert slip.gross == D("10000.00")
    assert slip.social_insurance_employee == D("1053.00")
    assert slip.housing_fund_employee == D("1200.00")
    assert slip.income_tax == D("82.41")  # (10000 - 5000 - 2253) x 3 %
    assert slip.net == D("7664.59")
    assert any(li.unconfirmed for li in slip.lines)  # work injury and HF are flagged


def test_year_to_date_feeds_the_cumulative_method() -> None:
    ytd = YearToDate(2, D(60000), D(9000), D(4000), D(0), D("1180.00"))
    e = EmployeePay(
        "E01",
        PayBasis.MONTHLY,
        D(30000),
        load_templates(TEMPLATES)["beijing"],
        si_base=D(30000),
        special_deductions=D(2000),
    )
    slip = compute_payslip(PayRequest(e, MARCH, "WH", year_to_date=ytd))
    assert slip.iit is not None and slip.iit.month_index == 3


def test_allowance_taxed_bonus_apart_and_deduction_after_tax() -> None:
    items = (
        PayItem("meal", "Meal allowance", ItemKind.ALLOWANCE, D("300")),
        PayItem("bonus", "Annual bonus", ItemKind.ANNUAL_BONUS, D("36000")),
        PayItem("canteen", "Canteen", ItemKind.DEDUCTION, D("100")),
    )
    slip = compute_payslip(PayRequest(emp(city="beijing", base="10000"), MARCH, "WH", items=items))
    assert slip.gross == D("10300.00")
    assert slip.total("iit.bonus") == D("1080.00")
    si = slip.social_insurance_employee + slip.housing_fund_employee
    iit = slip.total("iit")
    assert slip.net == D("10300.00") - si - iit + D(36000) - D("1080.00") - D(100)


def test_no_base_pay_refused() -> None:
    with pytest.raises(InvalidPayInput, match="no base pay"):
        EmployeePay("E09", PayBasis.MONTHLY, D(0), None)


def test_every_line_has_formula_and_source() -> None:
    req = PayRequest(
        emp(city="hangzhou"), MARCH, "WH", (SiteHours("WH", h("160"), cn_buckets("2")),)
    )
    for line in compute_payslip(req).lines:
        assert line.formula, line.code
        assert line.source, line.code
