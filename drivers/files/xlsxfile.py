"""XLSX attendance exports (openpyxl) with the same column mapping as CSV.

A row of the first sheet (or ``csv.sheet``) is one punch; columns are named by the header row
or by 0-based index, exactly as for CSV. Cells that Excel stores as dates and times are taken
as they are (no format needed); text cells go through ``timestamp_format`` as in a CSV file.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from drivers.errors import DriverConfigError
from drivers.files.attlog import RecordError
from drivers.files.csvfile import ColumnIndexes, CsvMapping

TYPED_FORMAT = "%Y-%m-%d %H:%M:%S"
_TYPED = (datetime, date, time)


@dataclass(frozen=True, slots=True)
class Row:
    number: int  # 1-based row of the sheet, as a spreadsheet shows it
    cells: tuple[object, ...]

    def text(self) -> str:
        return "\t".join("" if c is None else str(c) for c in self.cells)


def read_rows(path: Path, sheet: str | None = None) -> tuple[list[str] | None, list[Row]]:
    """The header (first row's texts) and every row after it; all rows when ``None`` header
    is wanted is the caller's choice (it drops nothing here)."""
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise DriverConfigError(f"{path} is not an XLSX workbook ({exc})") from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise DriverConfigError(
                f"{path}: no sheet {sheet!r}; it has {', '.join(map(repr, book.sheetnames))}"
            )
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        rows = [
            Row(i, tuple(values))
            for i, values in enumerate(ws.iter_rows(values_only=True), start=1)
            if any(v is not None and str(v).strip() for v in values)
        ]
    finally:
        book.close()
    header = [("" if c is None else str(c)) for c in rows[0].cells] if rows else None
    return header, rows


def fingerprint(rows: list[Row]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(row.text().encode("utf-8") + b"\n")
    return digest.hexdigest()[:16]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def as_fields(
    row: Row, mapping: CsvMapping, columns: ColumnIndexes
) -> tuple[list[str], CsvMapping]:
    """The row as CSV-like fields and the mapping to parse them with: typed date/time cells
    are written out in one fixed format, which then replaces ``timestamp_format``."""
    cells = list(row.cells)
    stamp = cells[columns.timestamp] if columns.timestamp < len(cells) else None
    day = cells[columns.date] if columns.date is not None and columns.date < len(cells) else None
    fields = [_text(c) for c in cells]
    if not isinstance(stamp, _TYPED) and not isinstance(day, _TYPED):
        return fields, mapping
    if columns.date is None:
        if not isinstance(stamp, datetime):
            raise RecordError(f"timestamp cell {stamp!r} is a date or time alone; map csv.date")
        fields[columns.timestamp] = stamp.strftime(TYPED_FORMAT)
    else:
        if not (isinstance(day, date) and isinstance(stamp, time | datetime)):
            raise RecordError(
                f"date {day!r} and time {stamp!r}: both must be spreadsheet dates/times or "
                "both text"
            )
        clock = stamp.time() if isinstance(stamp, datetime) else stamp
        fields[columns.date] = f"{day:%Y-%m-%d}"
        fields[columns.timestamp] = f"{clock:%H:%M:%S}"
    return fields, mapping.model_copy(update={"timestamp_format": TYPED_FORMAT})


def iter_data(rows: list[Row], has_header: bool) -> Iterator[Row]:
    yield from rows[1:] if has_header else rows
