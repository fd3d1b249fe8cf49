"""California: Labor Code 510 and the IWC wage orders.

Per workday: 1.5 x over 8 h, 2 x over 12 h. On the seventh consecutive day of work in a
workweek: 1.5 x for the first 8 h, 2 x beyond. Per workweek: regular hours (those not already
daily or seventh-day overtime, so nothing is counted twice) over 40 at 1.5 x.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from hrcore.attendance.model import DayResult, WeekendCalendar
from hrcore.attendance.overtime import OvertimeCategory, OvertimeLine, OvertimeReport, worked
from hrcore.attendance.overtime.weekly import WorkweekPolicy, week_start
from hrcore.enums import WorkingHoursSystem

POLICY_CODE = "us-ca"
_W = OvertimeCategory.WORKDAY


@dataclass(frozen=True, slots=True)
class CaRules:
    daily_regular_minutes: int = 8 * 60
    daily_double_after_minutes: int = 12 * 60
    weekly_limit_minutes: int = 40 * 60
    time_and_half: Decimal = Decimal("1.5")
    double_time: Decimal = Decimal("2.0")
    week_starts: int = 6  # Python weekday: 6 = Sunday


@dataclass(slots=True)
class CaPolicy(WorkweekPolicy):
    rules: CaRules = field(default_factory=CaRules)
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
        r = self.rules
        weeks: defaultdict[date, dict[date, int]] = defaultdict(dict)
        for day in days:
            minutes = worked(day)
            week = weeks[week_start(day.date, r.week_starts)]
            week[day.date] = week.get(day.date, 0) + minutes
        lines: list[OvertimeLine] = []
        for start, minutes_by_day in sorted(weeks.items()):
            worked_all_seven = all(
                minutes_by_day.get(start + timedelta(days=i), 0) > 0 for i in range(7)
            )
            regular_total = 0
            for offset in range(7):
                on = start + timedelta(days=offset)
                minutes = minutes_by_day.get(on, 0)
                if minutes <= 0:
                    continue
                if offset == 6 and worked_all_seven:
                    first8 = min(minutes, r.daily_regular_minutes)
                    lines.append(
                        OvertimeLine(
                            on, _W, first8, r.time_and_half, "seventh consecutive day: first 8 h"
                        )
                    )
                    if minutes > first8:
                        lines.append(
                            OvertimeLine(
                                on,
                                _W,
                                minutes - first8,
                                r.double_time,
                                "seventh consecutive day: over 8 h",
                            )
                        )
                    continue
                regular = min(minutes, r.daily_regular_minutes)
                half = min(minutes, r.daily_double_after_minutes) - regular
                double = minutes - regular - half
                if half:
                    lines.append(OvertimeLine(on, _W, half, r.time_and_half, "daily: over 8 h"))
                if double:
                    lines.append(OvertimeLine(on, _W, double, r.double_time, "daily: over 12 h"))
                before = regular_total
                regular_total += regular
                weekly = regular_total - max(r.weekly_limit_minutes, before)
                if weekly > 0:
                    lines.append(
                        OvertimeLine(
                            on,
                            _W,
                            weekly,
                            r.time_and_half,
                            "weekly: regular hours over 40 in the workweek",
                        )
                    )
        return OvertimeReport(employee, self.code, sum(worked(d) for d in days), tuple(lines))


def build() -> CaPolicy:
    return CaPolicy()
