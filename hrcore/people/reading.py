"""Reading an import file (CSV or XLSX) into rows of text cells keyed by header.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first record row 2.
XLSX dates become ISO text (and are marked, so a mapping's ``date_format`` applies to text
cells only) and numbers their shortest decimal text, so both formats reach validation alike.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from hrcore.people.errors import FileUnreadable


@dataclass(frozen=True, slots=True)
class RawRow:
    number: int
    cells: Mapping[str, str]
    extra: int = 0  # non-empty cells beyond the last header
    dates: frozenset[str] = frozenset()  # headers whose cell is a spreadsheet date (ISO text)


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str  # the file's name, as problems cite it
    headers: tuple[str, ...]
    rows: tuple[RawRow, ...]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _sheet(
    name: str, table: list[list[str]], dated: frozenset[tuple[int, int]] = frozenset()
) -> Sheet:
    if not table or not any(table[0]):
        raise FileUnreadable(f"{name}: no header row; the first row must name the columns")
    headers = tuple(h.strip() for h in table[0])
    rows = []
    for index, values in enumerate(table[1:], start=2):
        if not any(v.strip() for v in values):
            continue  # blank line
        cells = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(headers)}
        extra = sum(1 for v in values[len(headers) :] if v.strip())
        dates = frozenset(h for i, h in enumerate(headers) if (index, i) in dated)
        rows.append(RawRow(number=index, cells=cells, extra=extra, dates=dates))
    return Sheet(name=name, headers=headers, rows=tuple(rows))


def _read_csv(path: Path) -> list[list[str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [list(row) for row in csv.reader(handle)]
    except UnicodeDecodeError as exc:
        raise FileUnreadable(f"{path.name}: not UTF-8 text; save the CSV as UTF-8") from exc


def _read_xlsx(path: Path, sheet: str | None) -> tuple[list[list[str]], frozenset[tuple[int, int]]]:
    """The cells as text, and the (row number, column index) of the date cells."""
    import openpyxl  # loaded only for XLSX files

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise FileUnreadable(f"{path.name}: not a readable XLSX workbook ({exc})") from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise FileUnreadable(
                f"{path.name}: no sheet {sheet!r}; it has {', '.join(book.sheetnames)}"
            )
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        table: list[list[str]] = []
        dated: set[tuple[int, int]] = set()
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            table.append([_cell_text(v) for v in row])
            dated.update((number, i) for i, v in enumerate(row) if isinstance(v, date))
        return table, frozenset(dated)
    finally:
        book.close()


def read_sheet(path: Path, *, sheet: str | None = None) -> Sheet:
    """The rows of a ``.csv`` or ``.xlsx`` file; :class:`FileUnreadable` says why not."""
    if not path.is_file():
        raise FileUnreadable(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _sheet(path.name, _read_csv(path))
    if suffix == ".xlsx":
        table, dated = _read_xlsx(path, sheet)
        return _sheet(path.name, table, dated)
    raise FileUnreadable(f"{path.name}: unknown file type {suffix!r}; import .csv or .xlsx")
