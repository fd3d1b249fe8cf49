"""Validating an import: rows of text in, records or a list of problems out.

Every problem names the file, the row, the column and what is wrong; nothing is guessed (a
date in another format, an amount with a thousands separator, an unknown employee are
problems, not silently read). A check with problems must not be stored at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from hrcore.enums import LeaveKind
from hrcore.people.mapping import FIELDS, ColumnMapping, FieldType
from hrcore.people.reading import RawRow, Sheet
from hrcore.people.records import (
    CompletionRecord,
    CourseRecord,
    EmployeeRecord,
    ImportTable,
    KpiValueRecord,
    LeaveRecord,
    Record,
    SurveyRecord,
    is_period,
)

_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    row: int  # 1 is the header
    column: str  # the file's header (or "defaults.X" for a mapping default)
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row} [{self.column}] {self.message}"


@dataclass(frozen=True, slots=True)
class KnownCodes:
    """What the store (and, for employees, the file itself) already holds. ``None``: do not
    check that kind of code."""

    employees: frozenset[str] = frozenset()
    courses: frozenset[str] = frozenset()
    sites: frozenset[str] | None = None
    org_units: frozenset[str] | None = None
    kpis: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class ImportCheck:
    table: ImportTable
    file: str
    rows: int
    records: tuple[Record, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


class _Bad(ValueError):
    pass


def _date(text: str, fmt: str | None) -> date:
    try:
        if fmt is not None:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        return date.fromisoformat(text)
    except ValueError:
        raise _Bad(f"{text!r} is not a date; write {fmt or 'YYYY-MM-DD'}") from None


def _decimal(text: str) -> Decimal:
    if not _DECIMAL.match(text):
        raise _Bad(f"{text!r} is not a number; write digits with a '.' decimal point")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise _Bad(f"{text!r} is not a number") from None


def _percent(text: str) -> Decimal:
    value = _decimal(text.removesuffix("%").strip())
    if not Decimal(0) <= value <= Decimal(100):
        raise _Bad(f"{text!r} is not a percentage between 0 and 100")
    return value


def _bool(text: str) -> bool:
    low = text.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise _Bad(f"{text!r} is not yes/no; write yes, no, true or false")


def _period(text: str) -> str:
    if is_period(text):
        return text
    if len(text) == 10 and text.endswith("-01") and is_period(text[:7]):
        return text[:7]  # a spreadsheet month cell: the first day of the month
    raise _Bad(f"{text!r} is not a period; write the month as YYYY-MM")


def _leave_kind(text: str) -> LeaveKind:
    try:
        return LeaveKind(text.lower())
    except ValueError:
        kinds = ", ".join(k.value for k in LeaveKind)
        raise _Bad(
            f"{text!r} is not a leave kind ({kinds}); translate it under values.kind"
        ) from None


def _list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"[;,]", text) if part.strip())


_PARSERS: Mapping[FieldType, Callable[[str, ColumnMapping], Any]] = {
    FieldType.TEXT: lambda t, m: t,
    FieldType.DATE: lambda t, m: _date(t, m.date_format),
    FieldType.DECIMAL: lambda t, m: _decimal(t),
    FieldType.PERCENT: lambda t, m: _percent(t),
    FieldType.BOOL: lambda t, m: _bool(t),
    FieldType.LIST: lambda t, m: _list(t),
    FieldType.PERIOD: lambda t, m: _period(t),
    FieldType.LEAVE_KIND: lambda t, m: _leave_kind(t),
}

#: field -> the words a duplicate message uses for the natural key
_KEY_WORDS: Mapping[ImportTable, str] = {
    ImportTable.EMPLOYEES: "code",
    ImportTable.LEAVE: "employee, kind and start",
    ImportTable.COURSES: "code",
    ImportTable.COMPLETIONS: "employee and course",
    ImportTable.KPIS: "employee, period and kpi",
    ImportTable.SURVEYS: "employee and period",
}


class _RowReader:
    """Parses one row's fields, collecting a problem per bad cell."""

    def __init__(self, sheet: Sheet, mapping: ColumnMapping, row: RawRow) -> None:
        self.sheet, self.mapping, self.row = sheet, mapping, row
        self.problems: list[Problem] = []

    def column(self, name: str) -> str:
        return self.mapping.columns.get(name, f"defaults.{name}")

    def problem(self, name: str, message: str) -> None:
        self.problems.append(Problem(self.sheet.name, self.row.number, self.column(name), message))

    def text(self, name: str) -> str:
        header = self.mapping.columns.get(name)
        raw = self.row.cells.get(header, "") if header is not None else ""
        if not raw:
            raw = self.mapping.defaults.get(name, "")
        return self.mapping.values.get(name, {}).get(raw, raw)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for spec in FIELDS[self.mapping.table]:
            if spec.name not in self.mapping.columns and spec.name not in self.mapping.defaults:
                continue
            text = self.text(spec.name)
            if not text:
                if spec.required:
                    self.problem(spec.name, f"{spec.name} is empty; it is required")
                continue
            try:
                header = self.mapping.columns.get(spec.name)
                if spec.type is FieldType.DATE and header in self.row.dates:
                    out[spec.name] = datetime.fromisoformat(text).date()  # a real date cell
                else:
                    out[spec.name] = _PARSERS[spec.type](text, self.mapping)
            except _Bad as exc:
                self.problem(spec.name, str(exc))
        return out


def _check_code(
    reader: _RowReader,
    values: Mapping[str, Any],
    name: str,
    known: frozenset[str],
    what: str,
    hint: str,
) -> None:
    code = values.get(name)
    if code is not None and code not in known:
        reader.problem(name, f"unknown {what} {code!r}; {hint}")


def _record(
    reader: _RowReader, values: dict[str, Any], known: KnownCodes, source: str
) -> Record | None:
    table = reader.mapping.table
    employees_hint = "import it with the employees table first (or fix the code)"
    if table is ImportTable.EMPLOYEES:
        if known.sites is not None:
            _check_code(
                reader,
                values,
                "site",
                known.sites,
                "site",
                "add it to config/site.yaml and run `shiftgate config apply`",
            )
        if known.org_units is not None:
            _check_code(
                reader,
                values,
                "org_unit",
                known.org_units,
                "org unit",
                "add it to config/site.yaml first",
            )
        exit_date, hire = values.get("exit_date"), values.get("hire_date")
        if exit_date is not None and hire is not None and exit_date < hire:
            reader.problem("exit_date", f"exit date {exit_date} is before hire date {hire}")
    elif table in (
        ImportTable.LEAVE,
        ImportTable.COMPLETIONS,
        ImportTable.KPIS,
        ImportTable.SURVEYS,
    ):
        _check_code(reader, values, "employee", known.employees, "employee", employees_hint)
    if table is ImportTable.COMPLETIONS:
        _check_code(
            reader,
            values,
            "course",
            known.courses,
            "course",
            "import it with the courses table first",
        )
    if table is ImportTable.KPIS and known.kpis is not None:
        _check_code(
            reader,
            values,
            "kpi",
            known.kpis,
            "KPI",
            "define it in the scorecard's kpis (config/people/scorecard.yaml)",
        )
    if table is ImportTable.LEAVE:
        start, end = values.get("start"), values.get("end")
        if start is not None and end is not None and end < start:
            reader.problem("end", f"leave ends {end}, before it starts {start}")
    if (
        table is ImportTable.SURVEYS
        and "wellbeing" not in values
        and ("under_pressure" not in values)
    ):
        reader.problem("wellbeing", "neither a wellbeing score nor an under-pressure answer")
    if reader.problems:
        return None
    builders: Mapping[ImportTable, Callable[..., Record]] = {
        ImportTable.EMPLOYEES: EmployeeRecord,
        ImportTable.LEAVE: LeaveRecord,
        ImportTable.COURSES: CourseRecord,
        ImportTable.COMPLETIONS: CompletionRecord,
        ImportTable.KPIS: KpiValueRecord,
        ImportTable.SURVEYS: SurveyRecord,
    }
    return builders[table](source=source, **values)


def check_import(sheet: Sheet, mapping: ColumnMapping, known: KnownCodes) -> ImportCheck:
    """Every row of ``sheet`` read through ``mapping``: the records, or every problem."""
    problems: list[Problem] = []
    for name, header in mapping.columns.items():
        if header not in sheet.headers:
            problems.append(
                Problem(
                    sheet.name,
                    1,
                    header,
                    f"no column {header!r} (mapped to {name}); the file has "
                    + ", ".join(repr(h) for h in sheet.headers),
                )
            )
    if problems:
        return ImportCheck(mapping.table, sheet.name, len(sheet.rows), (), tuple(problems))
    if mapping.table is ImportTable.EMPLOYEES:
        in_file = frozenset(row.cells.get(mapping.columns["code"], "") for row in sheet.rows)
        known = KnownCodes(
            employees=known.employees | in_file,
            courses=known.courses,
            sites=known.sites,
            org_units=known.org_units,
            kpis=known.kpis,
        )
    records: list[Record] = []
    first_row: dict[tuple[str, ...], int] = {}
    for row in sheet.rows:
        reader = _RowReader(sheet, mapping, row)
        if row.extra:
            reader.problems.append(
                Problem(
                    sheet.name,
                    row.number,
                    "(row)",
                    f"{row.extra} cell(s) more than the header names; a ',' inside a "
                    "number? write 1200.50, not 1,200.50",
                )
            )
        values = reader.values()
        record = _record(reader, values, known, f"{sheet.name}:{row.number}")
        problems.extend(reader.problems)
        if record is None:
            continue
        seen = first_row.setdefault(record.key, row.number)
        if seen != row.number:
            key_name = _KEY_WORDS[mapping.table].split(",")[0].split(" ")[0]
            problems.append(
                Problem(
                    sheet.name,
                    row.number,
                    mapping.columns.get(key_name, key_name),
                    f"duplicate of row {seen} (same {_KEY_WORDS[mapping.table]}: "
                    f"{', '.join(record.key)})",
                )
            )
            continue
        records.append(record)
    return ImportCheck(mapping.table, sheet.name, len(sheet.rows), tuple(records), tuple(problems))
