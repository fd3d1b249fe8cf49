"""Overtime policies: judged days in, overtime lines (minutes x multiplier) and breaches out.

Each country or state is one module in :mod:`hrcore.attendance.overtime.policies` holding its
rule data (a frozen dataclass) and a small policy class; the module sets ``POLICY_CODE`` and a
``build()`` that returns the policy with its default rules. :func:`load_policy` discovers the
modules, so adding a country adds one file and touches nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Protocol

from hrcore.attendance.errors import UnknownPolicy
from hrcore.attendance.model import DayCalendar, DayResult, DayStatus
from hrcore.enums import WorkingHoursSystem

CENT = Decimal("0.01")
_MINUTES_PER_HOUR = Decimal(60)


class OvertimeCategory(StrEnum):
    """Where an overtime minute was worked (the three columns payroll imports)."""

    WORKDAY = "workday"
    RESTDAY = "restday"
    HOLIDAY = "holiday"


class Compensation(StrEnum):
    PAY = "pay"
    LEAVE = "leave"  # compensatory time off instead of the premium


@dataclass(frozen=True, slots=True)
class OvertimeLine:
    date: date
    category: OvertimeCategory
    minutes: int
    multiplier: Decimal  # of the regular hourly rate, for the whole minute (1.5, not +0.5)
    rule: str
    compensation: Compensation = Compensation.PAY


@dataclass(frozen=True, slots=True)
class CapBreach:
    date: date  # the day, or the first day of the month, that breaks the cap
    rule: str
    limit_minutes: int
    actual_minutes: int


@dataclass(frozen=True, slots=True)
class DayOvertime:
    workday: int = 0
    restday: int = 0
    holiday: int = 0


@dataclass(frozen=True, slots=True)
class OvertimeReport:
    employee: str
    policy: str
    worked_minutes: int
    lines: tuple[OvertimeLine, ...]
    breaches: tuple[CapBreach, ...] = ()

    @property
    def overtime_minutes(self) -> int:
        return sum(line.minutes for line in self.lines)

    @property
    def regular_minutes(self) -> int:
        return self.worked_minutes - self.overtime_minutes

    @property
    def compensatory_leave_minutes(self) -> int:
        return sum(li.minutes for li in self.lines if li.compensation is Compensation.LEAVE)

    def on(self, day: date) -> DayOvertime:
        totals = {c: 0 for c in OvertimeCategory}
        for line in self.lines:
            if line.date == day:
                totals[line.category] += line.minutes
        return DayOvertime(
            totals[OvertimeCategory.WORKDAY],
            totals[OvertimeCategory.RESTDAY],
            totals[OvertimeCategory.HOLIDAY],
        )

    def minutes_at(self, multiplier: Decimal) -> int:
        return sum(
            li.minutes
            for li in self.lines
            if li.multiplier == multiplier and li.compensation is Compensation.PAY
        )

    def overtime_pay(self, hourly_rate: Decimal) -> Decimal:
        """Pay for the overtime lines paid in money, rounded once to the cent (half up)."""
        total = sum(
            (
                Decimal(li.minutes) * li.multiplier
                for li in self.lines
                if li.compensation is Compensation.PAY
            ),
            Decimal(0),
        )
        return (total * hourly_rate / _MINUTES_PER_HOUR).quantize(CENT, ROUND_HALF_UP)

    def gross_pay(self, hourly_rate: Decimal) -> Decimal:
        """Regular minutes at the rate plus the overtime lines at their multipliers."""
        total = Decimal(self.regular_minutes) + sum(
            (
                Decimal(li.minutes) * (li.multiplier if li.compensation is Compensation.PAY else 1)
                for li in self.lines
            ),
            Decimal(0),
        )
        return (total * hourly_rate / _MINUTES_PER_HOUR).quantize(CENT, ROUND_HALF_UP)


class OvertimePolicy(Protocol):
    code: str

    @property
    def calendar(self) -> DayCalendar: ...

    def context(self, first: date, last: date) -> tuple[date, date]:
        """The dates whose attendance the policy needs to judge ``first..last`` (whole weeks,
        months or cycles)."""
        ...

    def evaluate(
        self,
        employee: str,
        days: Sequence[DayResult],
        system: WorkingHoursSystem = WorkingHoursSystem.STANDARD,
    ) -> OvertimeReport: ...


#: Days whose worked minutes never count as work (leave, unevaluated data errors).
NOT_WORK = frozenset({DayStatus.ON_LEAVE, DayStatus.DATA_ERROR})


def worked(day: DayResult) -> int:
    return 0 if day.status in NOT_WORK else day.worked_minutes


def policy_codes() -> tuple[str, ...]:
    return tuple(sorted(code for code, _ in _discover()))


def _discover() -> list[tuple[str, str]]:
    from hrcore.attendance.overtime import policies

    found = []
    for info in pkgutil.iter_modules(policies.__path__):
        name = f"{policies.__name__}.{info.name}"
        module = importlib.import_module(name)
        code = getattr(module, "POLICY_CODE", None)
        if isinstance(code, str):
            found.append((code, name))
    return found


def load_policy(code: str) -> OvertimePolicy:
    """The policy with ``code`` (e.g. ``cn``, ``us-flsa``, ``us-ca``) and its default rules."""
    for found, name in _discover():
        if found == code:
            policy: OvertimePolicy = importlib.import_module(name).build()
            return policy
    raise UnknownPolicy(f"no overtime policy {code!r}; known policies: {', '.join(policy_codes())}")
