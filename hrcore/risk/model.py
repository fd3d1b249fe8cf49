"""Frozen in/out types of the risk core."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from hrcore.enums import LeaveKind, RiskLevel

__all__ = [
    "Assessment",
    "CombineRule",
    "Evidence",
    "Flag",
    "LeaveSpan",
    "PeriodScore",
    "PlannedShift",
    "RiskConfig",
    "RiskInput",
    "RiskKind",
    "RiskLevel",
    "RiskThresholds",
    "SurveyAnswer",
    "WorkedDay",
]


class RiskKind(StrEnum):
    """One signal. The values are the names config/risk.yaml and the store use."""

    LONG_WEEKS = "long_weeks"  # weekly hours above 50 for 3 consecutive weeks
    MONTHLY_OVERTIME = "monthly_overtime"  # the month's overtime above the legal cap
    OVERTIME_FORECAST = "overtime_forecast"  # hours so far + published roster above the cap
    LONG_DAYS = "long_days"  # days over 11 h
    NO_REST_STREAK = "no_rest_streak"  # days in a row with work, through the rest days
    LEAVE = "leave"  # leave days in a month above 3
    SCORE_DECLINE = "score_decline"  # scorecard falling 2 periods in a row
    UNDER_PRESSURE = "under_pressure"  # survey: under pressure, or a low wellbeing score


@dataclass(frozen=True, slots=True)
class WorkedDay:
    """One judged attendance day (from :class:`hrcore.attendance.model.DayResult` or the
    store's attendance_days)."""

    date: date
    worked_minutes: int
    overtime_minutes: int = 0  # every category
    rest_day: bool = False  # a rest day or holiday that was worked
    source: str = ""


@dataclass(frozen=True, slots=True)
class PlannedShift:
    """A shift of the published roster not worked yet, with the overtime it would add."""

    date: date
    minutes: int
    overtime_minutes: int
    source: str = ""


@dataclass(frozen=True, slots=True)
class LeaveSpan:
    kind: LeaveKind
    start: date
    end: date
    source: str = ""


@dataclass(frozen=True, slots=True)
class PeriodScore:
    period: str  # YYYY-MM
    points: Decimal
    source: str = ""


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    period: str  # YYYY-MM
    source: str = ""
    wellbeing: Decimal | None = None
    under_pressure: bool | None = None


@dataclass(frozen=True, slots=True)
class RiskInput:
    """Everything about one employee the rules look at."""

    employee: str
    days: tuple[WorkedDay, ...] = ()
    planned: tuple[PlannedShift, ...] = ()
    leave: tuple[LeaveSpan, ...] = ()
    scores: tuple[PeriodScore, ...] = ()
    surveys: tuple[SurveyAnswer, ...] = ()
    site: str = ""
    monthly_overtime_cap_minutes: int | None = None  # the employee's own cap, if any


@dataclass(frozen=True, slots=True)
class Evidence:
    """One fact that raised a flag: when, what, and where it came from."""

    date: date
    text: str
    source: str = ""

    def __str__(self) -> str:
        where = f" [{self.source}]" if self.source else ""
        return f"{self.date}: {self.text}{where}"


@dataclass(frozen=True, slots=True)
class Flag:
    kind: RiskKind
    summary: str
    evidence: tuple[Evidence, ...]

    @property
    def date(self) -> date:
        """The latest fact: when the flag was (last) raised."""
        return max(e.date for e in self.evidence)


@dataclass(frozen=True, slots=True)
class Assessment:
    employee: str
    as_of: date
    level: RiskLevel
    flags: tuple[Flag, ...]
    reason: str  # which combination rule decided the level
    site: str = ""

    def flag(self, kind: RiskKind) -> Flag | None:
        return next((f for f in self.flags if f.kind is kind), None)


@dataclass(frozen=True, slots=True)
class CombineRule:
    """Matches when every kind in ``requires`` is flagged and at least ``others_at_least``
    flags of other kinds are too."""

    requires: frozenset[RiskKind] = frozenset()
    others_at_least: int = 0

    def matches(self, kinds: frozenset[RiskKind]) -> bool:
        return self.requires <= kinds and len(kinds - self.requires) >= self.others_at_least

    def words(self) -> str:
        parts = [k.value.replace("_", " ") for k in sorted(self.requires)]
        if self.others_at_least:
            n = self.others_at_least
            parts.append(f"{n} more signal{'s' if n > 1 else ''}")
        return " + ".join(parts) or "always"


@dataclass(frozen=True, slots=True)
class RiskThresholds:
    """Every threshold of the rules; defaults from HR practice (docs/people-and-risk.md)."""

    long_week_hours: Decimal = Decimal(50)
    long_weeks_in_a_row: int = 3
    monthly_overtime_cap_hours: Decimal = Decimal(36)  # CN Labour Law art. 41
    long_day_hours: Decimal = Decimal(11)
    long_days_at_least: int = 2
    long_days_window_days: int = 28
    max_days_in_a_row: int = 6  # a 7th day in a row without a rest day flags
    leave_days_per_month: Decimal = Decimal(3)
    score_drops_in_a_row: int = 2
    wellbeing_at_most: Decimal | None = Decimal(2)  # on the survey's scale (1..5)
    lookback_weeks: int = 13  # a quarter of attendance is looked at
    recent_days: int = 14  # a streak or run must reach this close to the evaluation date
    survey_months: int = 2  # answers of this and the previous month count
    leave_months: int = 2


@dataclass(frozen=True, slots=True)
class RiskConfig:
    thresholds: RiskThresholds = field(default_factory=RiskThresholds)
    red: tuple[CombineRule, ...] = (
        CombineRule(frozenset({RiskKind.LONG_WEEKS}), 1),
        CombineRule(frozenset({RiskKind.MONTHLY_OVERTIME}), 1),
        CombineRule(frozenset(), 3),
    )
    amber: tuple[CombineRule, ...] = (CombineRule(frozenset(), 1),)
