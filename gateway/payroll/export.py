"""A pay run's lines, or its cost by site, as CSV or XLSX."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from gateway.errors import ExportFormatError
from hrcore.payroll.money import ZERO
from hrcore.store.payroll import ExportLine

LINE_COLUMNS = (
    "run_id",
    "employee_code",
    "employee_name",
    "sequence",
    "code",
    "label",
    "site",
    "amount",
    "formula",
    "source",
    "unconfirmed",
)
SITE_COLUMNS = ("run_id", "site", "employees", "cost")


@dataclass(frozen=True, slots=True)
class SiteCostRow:
    run_id: int
    site: str
    employees: int
    cost: Decimal


def site_costs(lines: Sequence[ExportLine]) -> tuple[SiteCostRow, ...]:
    cost: defaultdict[str, Decimal] = defaultdict(lambda: ZERO)
    people: defaultdict[str, set[str]] = defaultdict(set)
    for li in lines:
        if li.code == "cost.site" and li.site:
            cost[li.site] += li.amount
            people[li.site].add(li.employee_code)
    run = lines[0].run_id if lines else 0
    return tuple(SiteCostRow(run, s, len(people[s]), cost[s]) for s in sorted(cost))


def _write(path: Path, header: Sequence[str], table: Sequence[Sequence[object]]) -> None:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows([[str(c) for c in row] for row in table])
    elif suffix == ".xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "payroll"
        sheet.append(list(header))
        for row in table:
            sheet.append(list(row))  # Decimal amounts are written as exact numbers
        for column in sheet.iter_cols(min_row=2):
            for cell in column:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "0.00"
        book.save(path)
    else:
        raise ExportFormatError(f"--out {path}: use a .csv or .xlsx file name")


def write_lines(lines: Sequence[ExportLine], path: Path) -> None:
    table = [
        [
            li.run_id,
            li.employee_code,
            li.employee_name,
            li.sequence,
            li.code,
            li.label,
            li.site or "",
            li.amount,
            li.formula,
            li.source,
            li.unconfirmed,
        ]
        for li in lines
    ]
    _write(path, LINE_COLUMNS, table)


def write_site_costs(rows: Sequence[SiteCostRow], path: Path) -> None:
    _write(path, SITE_COLUMNS, [[r.run_id, r.site, r.employees, r.cost] for r in rows])
