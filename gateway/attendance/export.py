"""Hours per employee and period as payroll imports them: CSV or XLSX, one row per employee."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import fields
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from gateway.errors import ExportFormatError
from hrcore.store.attendance import HoursRow

COLUMNS = tuple(f.name for f in fields(HoursRow))


def _cells(row: HoursRow) -> list[object]:
    return [getattr(row, name) for name in COLUMNS]


def write_csv(rows: Sequence[HoursRow], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([str(c) for c in _cells(row)])


def write_xlsx(rows: Sequence[HoursRow], path: Path) -> None:
    book = Workbook()
    sheet = book.create_sheet("hours", 0)
    del book[book.sheetnames[1]]  # the default empty sheet
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(_cells(row))  # Decimal hours are written as exact numbers
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, Decimal):
                cell.number_format = "0.00"
    book.save(path)


def write_hours(rows: Sequence[HoursRow], path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_csv(rows, path)
    elif suffix == ".xlsx":
        write_xlsx(rows, path)
    else:
        raise ExportFormatError(f"--out {path}: use a .csv or .xlsx file name")
