"""US federal: FLSA 29 U.S.C. 207(a)(1). Hours over 40 in a fixed workweek at 1.5 x the regular
rate; no daily overtime, weeks are never averaged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from hrcore.attendance.model import DayResult, WeekendCalendar
from hrcore.attendance.overtime import OvertimeCategory, OvertimeLine, OvertimeReport, worked
from hrcore.attendance.overtime.weekly import WorkweekPolicy, week_start
from hrcore.enums import WorkingHoursSystem

POLICY_CODE = "us-flsa"


@dataclass(frozen=True, slots=True)
class FlsaRules:
    weekly_limit_minutes: int = 40 * 60
    multiplier: Decimal = Decimal("1.5")
    week_starts: int = 6  # Python weekday: 6 = Sunday


@dataclass(slots=True)
class FlsaPolicy(WorkweekPolicy):
    rules: FlsaRules = field(default_factory=FlsaRules)
    code: str = POLICY_CODE
    _calendar: WeekendCalendar = field(default_factory=WeekendCalendar)

    @property
    def week_starts(self) -> int:
        return self.rules.week_starts

    def evaluate(
        self,
        employee: str,
        days: Sequence[DayResult],
        system: WorkingHoursSystem = WorkingHoursSystem.STANDARD,
    ) -> OvertimeReport:
        lines = []
        week: date | None = None
        total = 0
        for day in sorted(days, key=lambda d: d.date):
            this_week = week_start(day.date, self.rules.week_starts)
            if this_week != week:
                week, total = this_week, 0
            minutes = worked(day)
            before = total
            total += minutes
            excess = total - max(self.rules.weekly_limit_minutes, before)
            if excess > 0:
                lines.append(
                    OvertimeLine(
                        day.date,
                        OvertimeCategory.WORKDAY,
                        excess,
                        self.rules.multiplier,
                        f"FLSA: over 40 h in the workweek starting {this_week}",
                    )
                )
        return OvertimeReport(employee, self.code, sum(worked(d) for d in days), tuple(lines))


def build() -> FlsaPolicy:
    return FlsaPolicy()
