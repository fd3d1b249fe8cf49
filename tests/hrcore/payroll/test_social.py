"""Social insurance and housing fund per shipped city: below the floor, inside, above the
ceiling; year-versioned templates; bad templates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from hrcore.payroll.errors import TemplateError, UnknownCity
from hrcore.payroll.social import contributions, template_for
from hrcore.payroll.templates import load_template, load_templates

D = Decimal
ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = ROOT / "config" / "policies" / "cn"
MARCH = date(2025, 3, 1)

#: city -> wage -> (clamped SI base, employee pension, employee housing fund)
EXPECTED = {
    "beijing": {
        "2000": ("6821", "545.68", "290.00"),  # HF 2420 x 12 % = 290.40 -> whole yuan
        "10000": ("10000", "800.00", "1200.00"),
        "50000": ("35283", "2822.64", "4234.00"),  # 4233.96 -> whole yuan
    },
    "shanghai": {
        "2000": ("7384", "590.72", "188.00"),  # 2690 x 7 % = 188.30 -> whole yuan
        "10000": ("10000", "800.00", "700.00"),
        "50000": ("36921", "2953.68", "2584.00"),  # 2584.47 -> whole yuan
    },
    "shenzhen": {
        "2000": ("2360", "188.80", "118.00"),
        "10000": ("10000", "800.00", "500.00"),
        "50000": ("27501", "2200.08", "2059.50"),
    },
    "guangzhou": {
        "2000": ("4588", "367.04", "115.00"),
        "10000": ("10000", "800.00", "500.00"),
        "50000": ("27501", "2200.08", "1904.10"),
    },
    "hangzhou": {
        "2000": ("4462", "356.96", "298.80"),
        "10000": ("10000", "800.00", "1200.00"),
        "50000": ("24930", "1994.40", "4606.80"),
    },
}
CASES = [(city, wage, *exp) for city, rows in EXPECTED.items() for wage, exp in rows.items()]


@pytest.fixture(scope="module")
def templates() -> dict[str, object]:
    return dict(load_templates(TEMPLATES))


def test_every_shipped_city_is_tested(templates: dict[str, object]) -> None:
    assert set(templates) == set(EXPECTED)


@pytest.mark.parametrize(("city", "wage", "base", "pension", "hf"), CASES)
def test_base_clamped_and_rounded_per_city(
    city: str, wage: str, base: str, pension: str, hf: str
) -> None:
    tmpl = load_templates(TEMPLATES)[city]
    c = contributions(tmpl, MARCH, D(wage))
    by_code = {li.code: li for li in c.lines}
    assert by_code["si.pension.employee"].amount == D(pension)
    assert by_code["si.pension.employer"].amount == (D(base) * D("0.16")).quantize(D("0.01"))
    assert by_code["hf.employee"].amount == D(hf)
    assert f"= {D(base):.2f} x 8%" in by_code["si.pension.employee"].formula


def test_beijing_employee_total_inside_the_range() -> None:
    c = contributions(load_templates(TEMPLATES)["beijing"], MARCH, D(10000))
    # pension 800 + medical 2 % + 3 CNY = 203 + unemployment 50
    assert c.employee_si == D("1053.00")
    assert c.employee_hf == D("1200.00")
    assert c.employer_si == D("1600.00") + D("900.00") + D("80.00") + D("50.00") + D("40.00")


def test_half_cent_rounds_up() -> None:
    c = contributions(load_templates(TEMPLATES)["beijing"], MARCH, D(6821))
    unemployment = next(li for li in c.lines if li.code == "si.unemployment.employee")
    assert unemployment.amount == D("34.11")  # 34.105


def test_unconfirmed_rates_are_flagged_on_their_lines() -> None:
    c = contributions(load_templates(TEMPLATES)["shenzhen"], MARCH, D(10000))
    assert all(li.unconfirmed for li in c.lines if li.code.startswith("si."))
    bj = contributions(load_templates(TEMPLATES)["beijing"], MARCH, D(10000))
    flags = {li.code: li.unconfirmed for li in bj.lines}
    assert flags["si.pension.employee"] is False
    assert flags["si.work_injury.employer"] is True


def test_every_template_cites_a_source(templates: dict[str, object]) -> None:
    for city in EXPECTED:
        tmpl = load_templates(TEMPLATES)[city]
        assert all(y.source.strip() for y in tmpl.years)


YEARS = """\
city: testcity
name: Test City
years:
  - from: 2024-07-01
    to: 2025-06-30
    source: notice 2024
    social_insurance:
      base_floor: "5000"
      base_ceiling: "20000"
      schemes:
        pension: {employer: "0.16", employee: "0.08"}
    housing_fund: {employer: "0.05", employee: "0.05", base_floor: "2000", base_ceiling: "20000"}
  - from: 2025-07-01
    to: 2026-06-30
    source: notice 2025
    social_insurance:
      base_floor: "6000"
      base_ceiling: "21000"
      schemes:
        pension: {employer: "0.16", employee: "0.08"}
    housing_fund: {employer: "0.05", employee: "0.05", base_floor: "2000", base_ceiling: "21000"}
"""


def test_the_year_in_force_applies(tmp_path: Path) -> None:
    path = tmp_path / "testcity.yaml"
    path.write_text(YEARS, encoding="utf-8")
    tmpl = load_template(path)
    june = contributions(tmpl, date(2025, 6, 1), D(1000))
    july = contributions(tmpl, date(2025, 7, 1), D(1000))
    assert june.lines[0].amount == D("400.00")  # 5000 x 8 %
    assert july.lines[0].amount == D("480.00")  # 6000 x 8 %
    assert "notice 2025" in july.lines[0].source
    with pytest.raises(UnknownCity, match="no contribution year covering 2026-07-01"):
        contributions(tmpl, date(2026, 7, 1), D(1000))


def test_unknown_city_names_the_known_ones(templates: dict[str, object]) -> None:
    with pytest.raises(UnknownCity, match="known: beijing, guangzhou"):
        template_for(load_templates(TEMPLATES), "atlantis")


def test_float_rate_refused_naming_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(YEARS.replace('employee: "0.08"}', "employee: 0.08}", 1), encoding="utf-8")
    with pytest.raises(TemplateError) as err:
        load_template(path)
    assert str(path) in str(err.value)
    assert "years[0].social_insurance.schemes.pension.employee" in str(err.value)
    assert "quotes" in str(err.value)
