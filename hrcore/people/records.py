"""The records an HR import brings in, one frozen type per table, with their natural keys.

A record names employees and courses by their codes; the store resolves the codes. ``source``
says where the record came from (``"leave.csv:7"``) and travels into the evidence of risk
flags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from hrcore.enums import LeaveKind

PERIOD_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class ImportTable(StrEnum):
    """What an import file holds."""

    EMPLOYEES = "employees"
    LEAVE = "leave"
    COURSES = "courses"
    COMPLETIONS = "completions"
    KPIS = "kpis"
    SURVEYS = "surveys"


def is_period(text: str) -> bool:
    """A period is a calendar month written ``YYYY-MM``."""
    return PERIOD_PATTERN.match(text) is not None


def previous_period(period: str) -> str:
    year, month = int(period[:4]), int(period[5:])
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


@dataclass(frozen=True, slots=True)
class EmployeeRecord:
    code: str
    name: str
    hire_date: date
    site: str
    source: str
    org_unit: str | None = None
    job_title: str | None = None  # the role: picks the scorecard weights and the ladder
    skills: tuple[str, ...] = ()
    exit_date: date | None = None

    @property
    def key(self) -> tuple[str, ...]:
        return (self.code,)


@dataclass(frozen=True, slots=True)
class LeaveRecord:
    employee: str
    kind: LeaveKind
    start: date
    end: date
    source: str
    approved: bool = True
    note: str | None = None

    @property
    def key(self) -> tuple[str, ...]:
        return (self.employee, self.kind.value, self.start.isoformat())


@dataclass(frozen=True, slots=True)
class CourseRecord:
    code: str
    title: str
    source: str
    hours: Decimal | None = None

    @property
    def key(self) -> tuple[str, ...]:
        return (self.code,)


@dataclass(frozen=True, slots=True)
class CompletionRecord:
    employee: str
    course: str
    percent: Decimal  # 0..100
    source: str
    completed_on: date | None = None

    @property
    def key(self) -> tuple[str, ...]:
        return (self.employee, self.course)


@dataclass(frozen=True, slots=True)
class KpiValueRecord:
    employee: str
    period: str  # YYYY-MM
    kpi: str
    value: Decimal
    source: str

    @property
    def key(self) -> tuple[str, ...]:
        return (self.employee, self.period, self.kpi)


@dataclass(frozen=True, slots=True)
class SurveyRecord:
    employee: str
    period: str  # YYYY-MM
    source: str
    wellbeing: Decimal | None = None  # the survey's own scale (1..5 by default)
    under_pressure: bool | None = None

    @property
    def key(self) -> tuple[str, ...]:
        return (self.employee, self.period)


Record = (
    EmployeeRecord | LeaveRecord | CourseRecord | CompletionRecord | KpiValueRecord | SurveyRecord
)
