"""File mode for payroll clerks: PUNCHES.csv + ROSTER.csv in, judged days out, no database.

PUNCHES.csv: ``employee,timestamp`` (ISO 8601 with a UTC offset).
ROSTER.csv: ``employee,date,start,end`` (date = the day the shift starts, local ``HH:MM``; an
end not after the start means the next day). A day without a roster row is a rest day. Punches
from 60 minutes before a shift's start to 240 minutes after its end belong to that shift.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gateway.errors import FileInputError
from hrcore.attendance.day import evaluate_employee
from hrcore.attendance.errors import AttendanceError
from hrcore.attendance.model import (
    AttendancePunch,
    DataIssue,
    DayStatus,
    ShiftInstance,
    ShiftRule,
    UnmatchedPunch,
)
from hrcore.attendance.overtime import DayOvertime, load_policy

PUNCH_COLUMNS = ("employee", "timestamp")
ROSTER_COLUMNS = ("employee", "date", "start", "end")
CHECKIN_BEFORE_MINUTES = 60
CHECKOUT_AFTER_MINUTES = 240
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
#: Days that file mode reports although they have no roster row: the person punched.
_WITHOUT_SHIFT = frozenset({DayStatus.UNROSTERED_WORK, DayStatus.DATA_ERROR})


@dataclass(frozen=True, slots=True)
class FileDay:
    employee: str
    date: date
    status: DayStatus
    worked_minutes: int
    late_minutes: int
    early_exit_minutes: int
    overtime: DayOvertime


@dataclass(frozen=True, slots=True)
class FileEvaluation:
    days: tuple[FileDay, ...]
    issues: tuple[DataIssue, ...]
    unmatched: tuple[UnmatchedPunch, ...]


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
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
        missing = [c for c in columns if c not in header]
        if missing:
            raise FileInputError(
                f"{path}:1: missing column(s) {', '.join(missing)}; the header must be "
                f"{','.join(columns)}"
            )
        reader.fieldnames = header
        try:
            for row in reader:
                if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                    continue  # blank line
                values = {c: (row.get(c) or "").strip() for c in columns}
                yield reader.line_num, values
        except (csv.Error, UnicodeDecodeError) as exc:
            raise FileInputError(f"{path}:{reader.line_num}: {exc}; save as UTF-8 CSV") from exc


def _need(path: Path, line: int, values: dict[str, str], column: str) -> str:
    value = values[column]
    if not value:
        raise FileInputError(f"{path}:{line}: column {column} is empty")
    return value


def read_punches(path: Path) -> dict[str, list[AttendancePunch]]:
    punches: defaultdict[str, list[AttendancePunch]] = defaultdict(list)
    for line, values in _rows(path, PUNCH_COLUMNS):
        employee = _need(path, line, values, "employee")
        text = _need(path, line, values, "timestamp")
        try:
            at = datetime.fromisoformat(text)
        except ValueError as exc:
            raise FileInputError(
                f"{path}:{line}: timestamp {text!r} is not ISO 8601; "
                "write e.g. 2025-03-03T08:58:00+08:00"
            ) from exc
        if at.tzinfo is None or at.utcoffset() is None:
            raise FileInputError(
                f"{path}:{line}: timestamp {text!r} has no UTC offset; "
                "append it, e.g. 2025-03-03T08:58:00+08:00"
            )
        punches[employee].append(AttendancePunch(f"{path.name}:{line}", at))
    return punches


def _hhmm(path: Path, line: int, values: dict[str, str], column: str) -> time:
    text = _need(path, line, values, column)
    if not _HHMM.match(text):
        raise FileInputError(f"{path}:{line}: {column} {text!r} is not a local time HH:MM")
    return time.fromisoformat(text)


def read_roster(path: Path, tz: ZoneInfo, grace_minutes: int) -> dict[str, list[ShiftInstance]]:
    shifts: defaultdict[str, list[ShiftInstance]] = defaultdict(list)
    for line, values in _rows(path, ROSTER_COLUMNS):
        employee = _need(path, line, values, "employee")
        text = _need(path, line, values, "date")
        try:
            day = date.fromisoformat(text)
        except ValueError as exc:
            raise FileInputError(f"{path}:{line}: date {text!r} is not YYYY-MM-DD") from exc
        start, end = _hhmm(path, line, values, "start"), _hhmm(path, line, values, "end")
        rule = ShiftRule(
            code=f"{start:%H:%M}-{end:%H:%M}",
            start=start,
            end=end,
            checkin_before_minutes=CHECKIN_BEFORE_MINUTES,
            checkout_after_minutes=CHECKOUT_AFTER_MINUTES,
            late_grace_minutes=grace_minutes,
            early_exit_grace_minutes=grace_minutes,
        )
        shifts[employee].append(rule.on(day, tz, source=f"{path.name}:{line}"))
    return shifts


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise FileInputError(
            f"--tz {name!r} is not an IANA time zone (e.g. Asia/Shanghai)"
        ) from exc


def evaluate_files(
    punches_csv: Path,
    roster_csv: Path,
    *,
    policy: str = "cn",
    tz_name: str = "Asia/Shanghai",
    grace_minutes: int = 5,
) -> FileEvaluation:
    """Judge every employee and date that has a rostered shift or any punch."""
    if grace_minutes < 0:
        raise FileInputError("--grace-minutes must not be negative")
    tz = zone(tz_name)
    try:
        ot_policy = load_policy(policy)
    except AttendanceError as exc:
        raise FileInputError(f"--policy: {exc}") from exc
    punches = read_punches(punches_csv)
    roster = read_roster(roster_csv, tz, grace_minutes)
    days: list[FileDay] = []
    issues: list[DataIssue] = []
    unmatched: list[UnmatchedPunch] = []
    for employee in sorted(set(punches) | set(roster)):
        shifts = roster.get(employee, [])
        own = punches.get(employee, [])
        dates = [s.date for s in shifts] + [p.at.astimezone(tz).date() for p in own]
        first, last = min(dates), max(dates)
        try:
            result = evaluate_employee(
                employee, shifts, own, first, last, calendar=ot_policy.calendar, tz=tz
            )
            overtime = ot_policy.evaluate(employee, result.days)
        except AttendanceError as exc:
            raise FileInputError(f"employee {employee}: {exc}") from exc
        issues.extend(result.issues)
        unmatched.extend(result.unmatched)
        for day in result.days:
            if not day.rostered and day.status not in _WITHOUT_SHIFT:
                continue
            days.append(
                FileDay(
                    employee=employee,
                    date=day.date,
                    status=day.status,
                    worked_minutes=day.worked_minutes,
                    late_minutes=day.late_minutes,
                    early_exit_minutes=day.early_exit_minutes,
                    overtime=overtime.on(day.date),
                )
            )
    return FileEvaluation(tuple(days), tuple(issues), tuple(unmatched))
