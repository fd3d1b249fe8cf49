"""China: Labour Law arts. 41 and 44, 工资支付暂行规定 art. 13, and the 1994 approval rules for
the comprehensive and flexible working-hour systems.

Standard system, per day: every worked minute on a statutory festival day is holiday overtime
(300 %); work on a day without a shift is rest-day overtime (200 %, or compensatory leave when
the rules say so); on a rostered day, the minutes after the shift's end are a weekday extension
(150 %). Extensions above 3 h a day and overtime above 36 h a month are reported as breaches.
Comprehensive system: statutory-day minutes are paid 300 % apart; the rest is totalled over the
cycle, and only what exceeds the cycle's standard (official working days x 8 h) is 150 %.
Flexible system: no overtime, except 300 % on statutory days where local rules require it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from hrcore.attendance.cn_calendar import CnCalendar, official_working_days
from hrcore.attendance.model import DayKind, DayResult
from hrcore.attendance.overtime import (
    CapBreach,
    Compensation,
    OvertimeCategory,
    OvertimeLine,
    OvertimeReport,
    worked,
)
from hrcore.enums import WorkingHoursSystem

POLICY_CODE = "cn"


class Cycle(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"


@dataclass(frozen=True, slots=True)
class CnRules:
    workday_multiplier: Decimal = Decimal("1.5")
    restday_multiplier: Decimal = Decimal("2.0")
    holiday_multiplier: Decimal = Decimal("3.0")
    restday_compensation: Compensation = Compensation.PAY
    daily_extension_cap_minutes: int = 3 * 60
    monthly_cap_minutes: int = 36 * 60
    standard_day_minutes: int = 8 * 60
    comprehensive_cycle: Cycle = Cycle.MONTH
    #: some regions count statutory-day hours inside the comprehensive cycle total as well
    holiday_in_comprehensive_total: bool = False
    #: some cities (e.g. Shanghai) pay 300 % on statutory days under the flexible system
    flexible_holiday_premium: bool = False


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _cycle(day: date, cycle: Cycle) -> tuple[date, date]:
    if cycle is Cycle.MONTH:
        start = _month_start(day)
        return start, _next_month(start) - timedelta(days=1)
    start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    end = _next_month(_next_month(_next_month(start))) - timedelta(days=1)
    return start, end


@dataclass(slots=True)
class CnPolicy:
    rules: CnRules = field(default_factory=CnRules)
    code: str = POLICY_CODE
    _calendar: CnCalendar = field(default_factory=CnCalendar)

    @property
    def calendar(self) -> CnCalendar:
        return self._calendar

    def context(self, first: date, last: date) -> tuple[date, date]:
        return _cycle(first, self.rules.comprehensive_cycle)[0], _cycle(
            last, self.rules.comprehensive_cycle
        )[1]

    def _holiday(self, day: DayResult) -> OvertimeLine:
        return OvertimeLine(
            day.date,
            OvertimeCategory.HOLIDAY,
            worked(day),
            self.rules.holiday_multiplier,
            "statutory holiday: every worked minute (Labour Law art. 44(3))",
        )

    def evaluate(
        self,
        employee: str,
        days: Sequence[DayResult],
        system: WorkingHoursSystem = WorkingHoursSystem.STANDARD,
    ) -> OvertimeReport:
        ordered = sorted(days, key=lambda d: d.date)
        if system is WorkingHoursSystem.COMPREHENSIVE:
            lines = self._comprehensive(ordered)
        elif system is WorkingHoursSystem.FLEXIBLE:
            lines = [
                self._holiday(d)
                for d in ordered
                if self.rules.flexible_holiday_premium
                and d.kind is DayKind.STATUTORY_HOLIDAY
                and worked(d) > 0
            ]
        else:
            lines = self._standard(ordered)
        return OvertimeReport(
            employee=employee,
            policy=self.code,
            worked_minutes=sum(worked(d) for d in ordered),
            lines=tuple(lines),
            breaches=tuple(self._breaches(lines)),
        )

    def _standard(self, days: Sequence[DayResult]) -> list[OvertimeLine]:
        r = self.rules
        lines = []
        for day in days:
            minutes = worked(day)
            if minutes <= 0:
                continue
            if day.kind is DayKind.STATUTORY_HOLIDAY:
                lines.append(self._holiday(day))
            elif not day.rostered:
                lines.append(
                    OvertimeLine(
                        day.date,
                        OvertimeCategory.RESTDAY,
                        minutes,
                        r.restday_multiplier,
                        "rest day without a shift"
                        + (
                            ": compensatory leave instead of pay"
                            if r.restday_compensation is Compensation.LEAVE
                            else " and no compensatory rest (Labour Law art. 44(2))"
                        ),
                        r.restday_compensation,
                    )
                )
            elif day.after_end_minutes > 0:
                lines.append(
                    OvertimeLine(
                        day.date,
                        OvertimeCategory.WORKDAY,
                        min(day.after_end_minutes, minutes),
                        r.workday_multiplier,
                        "extension after the shift's end (Labour Law art. 44(1))",
                    )
                )
        return lines

    def _comprehensive(self, days: Sequence[DayResult]) -> list[OvertimeLine]:
        r = self.rules
        lines: list[OvertimeLine] = []
        by_cycle: defaultdict[tuple[date, date], list[DayResult]] = defaultdict(list)
        for day in days:
            by_cycle[_cycle(day.date, r.comprehensive_cycle)].append(day)
        for (start, end), cycle_days in sorted(by_cycle.items()):
            standard = (
                r.standard_day_minutes * official_working_days(start, end, self.calendar).count()
            )
            total = 0
            for day in cycle_days:
                minutes = worked(day)
                if minutes <= 0:
                    continue
                if day.kind is DayKind.STATUTORY_HOLIDAY:
                    lines.append(self._holiday(day))
                    if r.holiday_in_comprehensive_total:
                        total += minutes  # counts toward the total; already paid at 300 %
                    continue
                before = total
                total += minutes
                excess = max(0, total - max(standard, before))
                if excess:
                    lines.append(
                        OvertimeLine(
                            day.date,
                            OvertimeCategory.WORKDAY,
                            excess,
                            r.workday_multiplier,
                            f"comprehensive system: cycle {start}..{end} total above its standard "
                            f"{standard // 60} h",
                        )
                    )
        return lines

    def _breaches(self, lines: Sequence[OvertimeLine]) -> list[CapBreach]:
        r = self.rules
        breaches = []
        daily: defaultdict[date, int] = defaultdict(int)
        monthly: defaultdict[date, int] = defaultdict(int)
        for line in lines:
            if line.category is OvertimeCategory.WORKDAY:
                daily[line.date] += line.minutes
            monthly[_month_start(line.date)] += line.minutes
        for day, minutes in sorted(daily.items()):
            if minutes > r.daily_extension_cap_minutes:
                breaches.append(
                    CapBreach(
                        day,
                        "daily extension above 3 h (Labour Law art. 41)",
                        r.daily_extension_cap_minutes,
                        minutes,
                    )
                )
        for month, minutes in sorted(monthly.items()):
            if minutes > r.monthly_cap_minutes:
                breaches.append(
                    CapBreach(
                        month,
                        "overtime above 36 h in the month (Labour Law art. 41)",
                        r.monthly_cap_minutes,
                        minutes,
                    )
                )
        return breaches


def build() -> CnPolicy:
    return CnPolicy()
