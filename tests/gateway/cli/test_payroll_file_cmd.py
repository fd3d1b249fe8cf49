"""`shiftgate payroll iit` and `shiftgate payroll compute-file`: file mode, no database, as
issue #21 item 6 specifies (results to the cent, bad rows as FILE:LINE with exit 2)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.attendance.export import write_hours
from gateway.cli.main import app
from hrcore.store.attendance import HoursRow

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = str(ROOT / "config" / "policies" / "cn")
IIT_HEADER = "month,gross,social_insurance,special_deductions,other_deductions\n"
D = Decimal


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_iit_issue_example_json(tmp_path: Path) -> None:
    f = tmp_path / "iit.csv"
    f.write_text(IIT_HEADER + "".join(f"2025-0{m},30000,4500,2000,0\n" for m in (1, 2, 3)))
    code, out, _ = run("payroll", "iit", str(f), "--json")
    assert code == 0
    assert json.loads(out) == [
        {"month": "2025-01", "tax": "555.00"},
        {"month": "2025-02", "tax": "625.00"},
        {"month": "2025-03", "tax": "1850.00"},
    ]


def test_iit_research_year_table(tmp_path: Path) -> None:
    f = tmp_path / "iit.csv"
    f.write_text(IIT_HEADER + "".join(f"2025-{m:02d},30000,6750,0,0\n" for m in range(1, 13)))
    code, out, _ = run("payroll", "iit", str(f), "--json")
    assert code == 0
    taxes = [row["tax"] for row in json.loads(out)]
    assert taxes == ["547.50", "582.50", *["1825.00"] * 5, "2025.00", *["3650.00"] * 4]


def test_iit_table_output(tmp_path: Path) -> None:
    f = tmp_path / "iit.csv"
    f.write_text(IIT_HEADER + "2025-01,10000,2250,0,0\n")
    code, out, _ = run("payroll", "iit", str(f))
    assert code == 0
    assert "82.50" in out and "2025-01" in out


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("2025-01,30000,4500,2000,0\n2025-13,1,0,0,0\n", ":3: month '2025-13' is not YYYY-MM"),
        ("2025-02,1,0,0,0\n2025-01,1,0,0,0\n", ":3: month 2025-01 does not follow 2025-02"),
        ("2025-12,1,0,0,0\n2026-01,1,0,0,0\n", ":3: month 2026-01 is not in tax year 2025"),
        ("2025-01,abc,0,0,0\n", ":2: column gross 'abc' is not an amount"),
        ("2025-01,-5,0,0,0\n", ":2: column gross '-5' is negative"),
        ("2025-01,,0,0,0\n", ":2: column gross is empty"),
    ],
)
def test_iit_bad_row_names_file_line_and_prints_no_result(
    tmp_path: Path, rows: str, message: str
) -> None:
    f = tmp_path / "iit.csv"
    f.write_text(IIT_HEADER + rows)
    code, out, err = run("payroll", "iit", str(f), "--json")
    assert code == 2
    assert out == ""
    assert f"{f}{message}" in err.replace("\n", "")


def _hours(
    code: str, regular: str, wd: str = "0", rd: str = "0", hd: str = "0", **kw: int
) -> HoursRow:
    return HoursRow(
        employee_code=code,
        employee_name=f"Name {code}",
        period_start=date(2025, 3, 1),
        period_end=date(2025, 3, 31),
        worked_hours=D(regular) + D(wd) + D(rd) + D(hd),
        regular_hours=D(regular),
        overtime_workday_hours=D(wd),
        overtime_restday_hours=D(rd),
        overtime_holiday_hours=D(hd),
        days_worked=21,
        days_absent=kw.get("absent", 0),
        days_leave=0,
        late_minutes=0,
        early_exit_minutes=0,
        days_needing_review=kw.get("review", 0),
    )


EMPLOYEES = """employee_code,pay_basis,base_pay,city,si_base,special_deductions
E01,monthly,8700,beijing,,1000
E02,hourly,50,shanghai,7000,
"""


def _files(
    tmp_path: Path, rows: list[HoursRow], employees: str = EMPLOYEES, suffix: str = ".csv"
) -> tuple[str, str]:
    hours = tmp_path / f"hours{suffix}"
    write_hours(rows, hours)
    emp = tmp_path / "employees.csv"
    emp.write_text(employees)
    return str(hours), str(emp)


def _compute(hours: str, emp: str, *extra: str) -> tuple[int, str, str]:
    return run(
        "payroll",
        "compute-file",
        "--hours",
        hours,
        "--employees",
        emp,
        "--month",
        "2025-03",
        "--templates",
        TEMPLATES,
        *extra,
    )


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_compute_file_json_to_the_cent(tmp_path: Path, suffix: str) -> None:
    hours, emp = _files(
        tmp_path, [_hours("E01", "168", "10", "8", "4"), _hours("E02", "160", "2")], suffix=suffix
    )
    code, out, err = _compute(hours, emp, "--json")
    assert code == 0, err
    by_code = {row["employee_code"]: row for row in json.loads(out)}
    assert by_code["E01"] == {
        "employee_code": "E01",
        "base_pay": "8700.00",
        "overtime_pay": {"workday": "750.00", "restday": "800.00", "holiday": "600.00"},
        "absence_deduction": "0.00",
        "gross": "10850.00",
        # base 8700: pension 696 + medical 174 + 3 + unemployment 43.50
        "social_insurance_employee": "916.50",
        "housing_fund_employee": "1044.00",
        # (10850 - 5000 - 916.50 - 1044 - 1000) x 3 % = 86.685
        "iit": "86.69",
        "net": "8802.81",
    }
    # hourly 50 x 160 h; si_base 7000 is below Shanghai's floor 7384
    assert by_code["E02"]["base_pay"] == "8000.00"
    assert by_code["E02"]["overtime_pay"]["workday"] == "150.00"
    assert by_code["E02"]["social_insurance_employee"] == "775.32"
    # the housing fund has its own floor (2690): 7000 x 7 % = 490
    assert by_code["E02"]["housing_fund_employee"] == "490.00"
    assert by_code["E02"]["iit"] == "56.54"  # (8150 - 5000 - 775.32 - 490) x 3 % = 56.5404
    assert by_code["E02"]["net"] == "6828.14"


def test_compute_file_absence_and_table(tmp_path: Path) -> None:
    hours, emp = _files(tmp_path, [_hours("E01", "160", absent=1)])
    code, out, _ = _compute(hours, emp)
    assert code == 0
    assert "8300.00" in out  # 8700 - 8700 / 21.75
    assert "unconfirmed" in out


def test_compute_file_us_policy_without_city(tmp_path: Path) -> None:
    employees = "employee_code,pay_basis,base_pay,city\nE01,hourly,20,\n"
    hours, emp = _files(tmp_path, [_hours("E01", "40", "5")], employees)
    code, out, err = _compute(hours, emp, "--policy", "us-flsa", "--json")
    assert code == 0, err
    assert json.loads(out)[0]["gross"] == "950.00"


@pytest.mark.parametrize(
    ("rows", "employees", "where", "message"),
    [
        (
            [_hours("E01", "160", review=2)],
            EMPLOYEES,
            "hours",
            ":2: employee E01 has 2 day(s) needing review",
        ),
        ([_hours("E09", "160")], EMPLOYEES, "hours", ":2: employee E09 is not in"),
        (
            [_hours("E01", "160")],
            EMPLOYEES.replace("beijing", "atlantis"),
            "employees",
            ":2: unknown social-insurance city 'atlantis'",
        ),
        (
            [_hours("E01", "160")],
            EMPLOYEES.replace("8700", "0"),
            "employees",
            ":2: employee E01 has no base_pay",
        ),
        (
            [_hours("E01", "160")],
            EMPLOYEES.replace("hourly", "weekly"),
            "employees",
            ":3: pay_basis 'weekly' must be monthly or hourly",
        ),
        (
            [_hours("E01", "160")],
            EMPLOYEES.replace(",1000", ",lots"),
            "employees",
            ":2: column special_deductions 'lots' is not an amount",
        ),
        (
            [_hours("E01", "160"), _hours("E01", "1")],
            EMPLOYEES,
            "hours",
            ":3: employee E01 is already on line 2",
        ),
    ],
)
def test_compute_file_bad_row(
    tmp_path: Path, rows: list[HoursRow], employees: str, where: str, message: str
) -> None:
    hours, emp = _files(tmp_path, rows, employees)
    code, out, err = _compute(hours, emp, "--json")
    assert code == 2
    assert out == ""
    path = hours if where == "hours" else emp
    assert f"{path}{message}" in err.replace("\n", "")


def test_compute_file_period_outside_month(tmp_path: Path) -> None:
    hours, emp = _files(tmp_path, [_hours("E01", "160")])
    code, _, err = run(
        "payroll",
        "compute-file",
        "--hours",
        hours,
        "--employees",
        emp,
        "--month",
        "2025-04",
        "--templates",
        TEMPLATES,
    )
    assert code == 2
    assert "is not inside 2025-04" in err
