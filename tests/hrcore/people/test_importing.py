"""HR import, pure side: the mapping, reading CSV/XLSX, and validation that names every
problem by file, row and column."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from hrcore.enums import LeaveKind
from hrcore.people.errors import ConfigInvalid, FileUnreadable
from hrcore.people.mapping import load_mapping, mapping_from_dict
from hrcore.people.reading import read_sheet
from hrcore.people.records import (
    EmployeeRecord,
    ImportTable,
    KpiValueRecord,
    LeaveRecord,
    SurveyRecord,
)
from hrcore.people.validation import KnownCodes, check_import

ROOT = Path(__file__).resolve().parents[3]
LEAVE_MAPPING: dict[str, Any] = {
    "table": "leave",
    "columns": {"employee": "Emp", "kind": "Type", "start": "From", "end": "To"},
    "values": {"kind": {"Sick Leave": "sick", "Annual Leave": "annual"}},
    "date_format": "%d/%m/%Y",
}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_leave_file_gives_records_with_their_source(tmp_path: Path) -> None:
    f = write(
        tmp_path / "leave.csv",
        "Emp,Type,From,To\nE1,Sick Leave,07/09/2026,09/09/2026\n\n"
        "E2,Annual Leave,01/09/2026,01/09/2026\n",
    )
    check = check_import(
        read_sheet(f),
        mapping_from_dict(LEAVE_MAPPING),
        KnownCodes(employees=frozenset({"E1", "E2"})),
    )
    assert check.ok
    assert check.records == (
        LeaveRecord("E1", LeaveKind.SICK, date(2026, 9, 7), date(2026, 9, 9), "leave.csv:2"),
        LeaveRecord("E2", LeaveKind.ANNUAL, date(2026, 9, 1), date(2026, 9, 1), "leave.csv:4"),
    )


def test_a_file_full_of_errors_names_each_by_row_and_column(tmp_path: Path) -> None:
    f = write(
        tmp_path / "kpis.csv",
        "Emp No,Month,Metric,Actual\n"
        "E1,2026-09,gmv,1200.50\n"
        "E9,2026-09,gmv,100\n"  # unknown employee
        "E1,2026-13,gmv,100\n"  # bad period
        "E1,2026-08,gmv,1,200\n"  # a thousands separator leaks into the next cell
        "E1,2026-08,acos,12%\n"  # not a plain number
        "E1,2026-09,gmv,99\n"  # duplicate of row 2
        "E1,2026-07,,5\n",  # kpi missing
    )
    mapping = mapping_from_dict(
        {
            "table": "kpis",
            "columns": {
                "employee": "Emp No",
                "period": "Month",
                "kpi": "Metric",
                "value": "Actual",
            },
        }
    )
    check = check_import(read_sheet(f), mapping, KnownCodes(employees=frozenset({"E1"})))
    assert not check.ok
    assert [str(p) for p in check.problems] == [
        "kpis.csv:3 [Emp No] unknown employee 'E9'; import it with the employees table first "
        "(or fix the code)",
        "kpis.csv:4 [Month] '2026-13' is not a period; write the month as YYYY-MM",
        "kpis.csv:5 [(row)] 1 cell(s) more than the header names; a ',' inside a number? "
        "write 1200.50, not 1,200.50",
        "kpis.csv:6 [Actual] '12%' is not a number; write digits with a '.' decimal point",
        "kpis.csv:7 [Emp No] duplicate of row 2 (same employee, period and kpi: E1, 2026-09, gmv)",
        "kpis.csv:8 [Metric] kpi is empty; it is required",
    ]
    # the good rows are still records; the caller stores nothing while problems exist
    assert KpiValueRecord("E1", "2026-09", "gmv", Decimal("1200.50"), "kpis.csv:2") in (
        check.records
    )


def test_bad_dates_and_unknown_kinds_are_named_not_guessed(tmp_path: Path) -> None:
    f = write(
        tmp_path / "leave.csv",
        "Emp,Type,From,To\nE1,Holiday,2026-09-07,09/09/2026\nE1,Sick Leave,10/09/2026,08/09/2026\n",
    )
    check = check_import(
        read_sheet(f), mapping_from_dict(LEAVE_MAPPING), KnownCodes(employees=frozenset({"E1"}))
    )
    assert [str(p) for p in check.problems] == [
        "leave.csv:2 [Type] 'Holiday' is not a leave kind (annual, sick, personal, "
        "compensatory, maternity, other); translate it under values.kind",
        "leave.csv:2 [From] '2026-09-07' is not a date; write %d/%m/%Y",
        "leave.csv:3 [To] leave ends 2026-09-08, before it starts 2026-09-10",
    ]
    assert check.records == ()


def test_a_missing_column_stops_at_the_header(tmp_path: Path) -> None:
    f = write(tmp_path / "leave.csv", "Emp,Kind,From,To\nE1,sick,01/09/2026,01/09/2026\n")
    check = check_import(
        read_sheet(f), mapping_from_dict(LEAVE_MAPPING), KnownCodes(employees=frozenset({"E1"}))
    )
    assert [str(p) for p in check.problems] == [
        "leave.csv:1 [Type] no column 'Type' (mapped to kind); the file has 'Emp', 'Kind', "
        "'From', 'To'"
    ]


def test_employees_use_defaults_and_know_each_other(tmp_path: Path) -> None:
    f = write(
        tmp_path / "staff.csv",
        "ID,Name,Hired,Title,Skills\nE1,Li Na,2024-03-01,picker,forklift; packing\n"
        "E2,Wang Wei,2025-01-15,,\n",
    )
    mapping = mapping_from_dict(
        {
            "table": "employees",
            "columns": {
                "code": "ID",
                "name": "Name",
                "hire_date": "Hired",
                "job_title": "Title",
                "skills": "Skills",
            },
            "defaults": {"site": "WH1"},
        }
    )
    check = check_import(read_sheet(f), mapping, KnownCodes(sites=frozenset({"WH1"})))
    assert check.ok, check.problems
    assert check.records[0] == EmployeeRecord(
        code="E1",
        name="Li Na",
        hire_date=date(2024, 3, 1),
        site="WH1",
        source="staff.csv:2",
        job_title="picker",
        skills=("forklift", "packing"),
    )


def test_a_survey_row_needs_an_answer(tmp_path: Path) -> None:
    f = write(tmp_path / "s.csv", "who,month,score,pressure\nE1,2026-09,,\nE1,2026-08,2,yes\n")
    mapping = mapping_from_dict(
        {
            "table": "surveys",
            "columns": {
                "employee": "who",
                "period": "month",
                "wellbeing": "score",
                "under_pressure": "pressure",
            },
        }
    )
    check = check_import(read_sheet(f), mapping, KnownCodes(employees=frozenset({"E1"})))
    assert [str(p) for p in check.problems] == [
        "s.csv:2 [score] neither a wellbeing score nor an under-pressure answer"
    ]
    assert check.records == (SurveyRecord("E1", "2026-08", "s.csv:3", Decimal(2), True),)


def test_xlsx_reads_like_csv(tmp_path: Path) -> None:
    path = tmp_path / "kpi.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "KPI"
    ws.append(["Emp", "Month", "KPI", "Value"])
    ws.append(["E1", "2026-09", "csat", 4.25])
    ws.append(["E1", "2026-08", "csat", 4])
    book.save(path)
    mapping = mapping_from_dict(
        {
            "table": "kpis",
            "sheet": "KPI",
            "columns": {"employee": "Emp", "period": "Month", "kpi": "KPI", "value": "Value"},
        }
    )
    check = check_import(read_sheet(path, sheet="KPI"), mapping, KnownCodes(frozenset({"E1"})))
    assert check.ok
    assert [(r.period, r.value) for r in check.records if isinstance(r, KpiValueRecord)] == [
        ("2026-09", Decimal("4.25")),
        ("2026-08", Decimal(4)),
    ]


def test_xlsx_date_cells_are_dates_whatever_the_text_format(tmp_path: Path) -> None:
    path = tmp_path / "leave.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Emp", "Type", "From", "To"])
    ws.append(["E1", "Sick Leave", date(2026, 9, 7), "09/09/2026"])  # a date cell, a text
    book.save(path)
    check = check_import(
        read_sheet(path), mapping_from_dict(LEAVE_MAPPING), KnownCodes(frozenset({"E1"}))
    )
    assert check.ok, check.problems
    assert check.records == (
        LeaveRecord("E1", LeaveKind.SICK, date(2026, 9, 7), date(2026, 9, 9), "leave.xlsx:2"),
    )


def test_mapping_errors_name_the_key() -> None:
    with pytest.raises(ConfigInvalid, match=r"columns.period: required by table kpis"):
        mapping_from_dict({"table": "kpis", "columns": {"employee": "E", "kpi": "K", "value": "V"}})
    with pytest.raises(ConfigInvalid, match=r"columns.salary: table leave has no field 'salary'"):
        mapping_from_dict({**LEAVE_MAPPING, "columns": {**LEAVE_MAPPING["columns"], "salary": "S"}})
    with pytest.raises(ConfigInvalid, match=r"table: Input should be"):
        mapping_from_dict({"table": "payslips"})
    assert mapping_from_dict(LEAVE_MAPPING).table is ImportTable.LEAVE


def test_unreadable_files_say_why(tmp_path: Path) -> None:
    with pytest.raises(FileUnreadable, match="no such file"):
        read_sheet(tmp_path / "none.csv")
    with pytest.raises(FileUnreadable, match=r"import \.csv or \.xlsx"):
        read_sheet(write(tmp_path / "a.txt", "x"))
    with pytest.raises(FileUnreadable, match="no header row"):
        read_sheet(write(tmp_path / "e.csv", ""))


@pytest.mark.parametrize(
    "path", sorted((ROOT / "config/people/mappings").glob("*.yaml")), ids=lambda p: p.name
)
def test_the_example_mappings_load(path: Path) -> None:
    mapping = load_mapping(path)
    assert path.stem == mapping.table.value
