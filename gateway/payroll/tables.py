"""Rows of a CSV or XLSX file as ``(line, {column: text})``, for the payroll file mode."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from gateway.errors import FileInputError


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # an XLSX number cell: its shortest repr is what the sheet shows (0.1, not 0.1000000001)
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date | Decimal | int):
        return str(value)
    return str(value).strip()


def _check_header(path: Path, header: list[str], columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in header]
    if missing:
        raise FileInputError(
            f"{path}:1: missing column(s) {', '.join(missing)}; the header must have "
            f"{','.join(columns)}"
        )


def _csv_rows(
    path: Path, columns: tuple[str, ...], optional: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise FileInputError(f"{path}: cannot open ({exc.strerror}); check the path") from exc
    with handle:
        reader = csv.DictReader(handle)
        try:
            header = [name.strip() for name in reader.fieldnames or ()]
        except (csv.Error, UnicodeDecodeError) as exc:
            raise FileInputError(f"{path}:1: unreadable header ({exc}); save as UTF-8 CSV") from exc
        _check_header(path, header, columns)
        reader.fieldnames = header
        try:
            for row in reader:
                if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                    continue
                yield (
                    reader.line_num,
                    {c: (row.get(c) or "").strip() for c in (*columns, *optional)},
                )
        except (csv.Error, UnicodeDecodeError) as exc:
            raise FileInputError(f"{path}:{reader.line_num}: {exc}; save as UTF-8 CSV") from exc


def _xlsx_rows(
    path: Path, columns: tuple[str, ...], optional: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise FileInputError(f"{path}: cannot open as XLSX ({exc}); check the file") from exc
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [_text(v) for v in next(rows, ())]
        _check_header(path, header, columns)
        for line, cells in enumerate(rows, start=2):
            values = dict(zip(header, (_text(c) for c in cells), strict=False))
            if not any(values.values()):
                continue
            yield line, {c: values.get(c, "") for c in (*columns, *optional)}
    finally:
        book.close()


def rows(
    path: Path, columns: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """Non-blank rows of ``path`` (``.csv`` or ``.xlsx``) with the named columns."""
    if path.suffix.lower() == ".xlsx":
        return _xlsx_rows(path, columns, optional)
    return _csv_rows(path, columns, optional)
