"""XLSX exports: typed date/time cells and text cells, the CSV column mapping, a cursor."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import Workbook

from drivers.errors import BadRecords, DriverConfigError
from drivers.files.driver import FileImportConfig, FileImportDriver
from drivers.punch import PunchState

ZONE = "Asia/Shanghai"


def wall(*parts: int) -> datetime:
    """A spreadsheet cell's date and time: zone-less, as Excel keeps it."""
    return datetime(*parts)  # type: ignore[arg-type]  # noqa: DTZ001


def workbook(path: Path, rows: list[list[object]], *, sheet: str = "Sheet") -> Path:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def driver(path: Path, **mapping: object) -> FileImportDriver:
    csv = {"user": "AC-No.", "timestamp": "Time", "state": "State", **mapping}
    return FileImportDriver(
        FileImportConfig(path=path, serial="XL-1", timezone=ZONE, format="xlsx", csv=csv)
    )


def test_typed_datetimes_and_numeric_ids(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "att.xlsx",
        [
            ["AC-No.", "Name", "Time", "State"],
            [1007, "Ann", wall(2026, 3, 2, 8, 59, 1), "C/In"],
            [12.0, "Bo", wall(2026, 3, 2, 18, 1, 0), "C/Out"],
            [None, None, None, None],  # a blank row is skipped
        ],
    )
    result = driver(path).read_punches()
    assert [(p.device_user, p.local.isoformat(), p.state) for p in result.punches] == [
        ("1007", "2026-03-02T08:59:01+08:00", PunchState.IN),
        ("12", "2026-03-02T18:01:00+08:00", PunchState.OUT),
    ]
    assert all(p.source == "file:xlsx" for p in result.punches)


def test_separate_date_and_time_cells_and_text_cells(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "att.xlsx",
        [
            ["AC-No.", "Date", "Time", "State"],
            ["1", date(2026, 3, 2), time(9, 0), "0"],
            ["2", "03/02/2026", "09:05", "1"],
        ],
    )
    typed_then_text = driver(path, date="Date", timestamp_format="%m/%d/%Y %H:%M")
    punches = typed_then_text.read_punches().punches
    assert [p.local.strftime("%m-%d %H:%M") for p in punches] == ["03-02 09:00", "03-02 09:05"]


def test_the_same_punch_in_xlsx_and_csv_has_the_same_id(tmp_path: Path) -> None:
    xlsx = workbook(
        tmp_path / "a.xlsx",
        [["AC-No.", "Time", "State"], [5, wall(2026, 3, 2, 7, 0), "C/In"]],
    )
    csv_path = tmp_path / "a.csv"
    csv_path.write_text("AC-No.,Time,State\n5,2026-03-02 07:00:00,C/In\n", encoding="utf-8")
    as_csv = FileImportDriver(
        FileImportConfig(
            path=csv_path,
            serial="XL-1",
            timezone=ZONE,
            format="csv",
            csv={"user": "AC-No.", "timestamp": "Time", "state": "State"},
        )
    )
    assert driver(xlsx).read_punches().punches[0].id == as_csv.read_punches().punches[0].id


def test_bad_rows_are_named_by_sheet_row_and_nothing_is_taken(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "att.xlsx",
        [
            ["AC-No.", "Time", "State"],
            [1, wall(2026, 3, 2, 8, 0), "C/In"],
            [2, "yesterday", "C/In"],
            [3, wall(2026, 3, 2, 8, 1), "dancing"],
        ],
    )
    with pytest.raises(BadRecords) as err:
        driver(path).read_punches()
    assert [(e.line, "time" in e.reason or "state" in e.reason) for e in err.value.errors] == [
        (3, True),
        (4, True),
    ]
    assert len(err.value.good) == 1


def test_cursor_reads_only_rows_added_and_all_of_a_replaced_workbook(tmp_path: Path) -> None:
    rows: list[list[object]] = [["AC-No.", "Time", "State"], [1, wall(2026, 3, 2, 8), "0"]]
    path = workbook(tmp_path / "att.xlsx", rows)
    first = driver(path).read_punches()
    rows.append([2, wall(2026, 3, 2, 9), "1"])
    workbook(path, rows)
    grown = driver(path).read_punches(first.cursor)
    assert [p.device_user for p in grown.punches] == ["2"]
    workbook(path, [rows[0], [9, wall(2026, 3, 3, 8), "0"]])
    replaced = driver(path).read_punches(grown.cursor)
    assert [p.device_user for p in replaced.punches] == ["9"]


def test_not_a_workbook_and_a_missing_sheet_are_config_errors(tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("AC-No.,Time\n", encoding="utf-8")
    with pytest.raises(DriverConfigError, match="not an XLSX workbook"):
        driver(fake).read_punches()
    real = workbook(tmp_path / "att.xlsx", [["AC-No.", "Time", "State"]])
    with pytest.raises(DriverConfigError, match="no sheet 'Punches'"):
        driver(real, sheet="Punches").read_punches()


def test_xlsx_needs_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="xlsx needs a 'csv' column mapping"):
        FileImportConfig(path=tmp_path / "a.xlsx", serial="X", timezone=ZONE, format="xlsx")
