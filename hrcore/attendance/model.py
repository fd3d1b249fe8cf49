"""Frozen in/out types of the attendance core. No Session, no I/O: plain values in, values out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from hrcore.enums import PunchStateCode


class InOutMode(StrEnum):
    """How a punch becomes a check-in or a check-out."""

    STATE = "state"  # the device's IN/OUT key decides (undefined states are inferred)
    ALTERNATING = "alternating"  # first punch of the shift is IN, then they alternate


class HoursMode(StrEnum):
    FIRST_LAST = "first_last"  # first check-in to last check-out (minus the unpaid break)
    PAIRS = "pairs"  # sum of every valid check-in/check-out pair


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class DayKind(StrEnum):
    """What the calendar says about a date, independent of anybody's roster."""

    WORKDAY = "workday"  # includes adjusted working days (e.g. Sunday 28 Sep 2025 in China)
    RESTDAY = "restday"  # weekend
    PUBLIC_HOLIDAY = "public_holiday"  # day off of an official holiday period, not statutory
    STATUTORY_HOLIDAY = "statutory_holiday"  # the statutory festival day itself


class DayStatus(StrEnum):
    PRESENT = "present"
    LATE = "late"
    EARLY_EXIT = "early_exit"
    LATE_AND_EARLY_EXIT = "late_and_early_exit"
    HALF_DAY = "half_day"
    ABSENT = "absent"
    MISSING_CHECKIN = "missing_checkin"
    MISSING_CHECKOUT = "missing_checkout"
    ON_LEAVE = "on_leave"
    REST_DAY = "rest_day"
    HOLIDAY = "holiday"
    UNROSTERED_WORK = "unrostered_work"
    DATA_ERROR = "data_error"


class TraceKind(StrEnum):
    SHIFT = "shift"  # which shift and window the day was judged against
    USED = "used"  # a punch that counted
    IGNORED = "ignored"  # a punch that did not count, with the reason
    RULE = "rule"  # the rule that decided the status or a figure
    ISSUE = "issue"  # a data problem HR must fix


class IssueKind(StrEnum):
    OVERLAPPING_SHIFTS = "overlapping_shifts"
    UNMATCHED_PUNCH = "unmatched_punch"


IN_STATES = frozenset({PunchStateCode.IN, PunchStateCode.BREAK_IN, PunchStateCode.OVERTIME_IN})
OUT_STATES = frozenset({PunchStateCode.OUT, PunchStateCode.BREAK_OUT, PunchStateCode.OVERTIME_OUT})
BREAK_STATES = frozenset({PunchStateCode.BREAK_OUT, PunchStateCode.BREAK_IN})


@dataclass(frozen=True, slots=True)
class AttendancePunch:
    """A punch of a known employee; ``id`` is the store's punch id (file:line in file mode)."""

    id: str
    at: datetime  # aware
    state: PunchStateCode = PunchStateCode.UNDEFINED

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError(f"punch {self.id} has a naive time; attach its UTC offset")


@dataclass(frozen=True, slots=True)
class ShiftRule:
    """A shift type's times and the rules that judge a day on it (Frappe HR's Shift Type fields)."""

    code: str
    start: time
    end: time  # not after start: the shift ends the next day
    break_minutes: int = 0  # unpaid, deducted in first/last mode
    checkin_before_minutes: int = 60
    checkout_after_minutes: int = 240
    late_grace_minutes: int = 5
    early_exit_grace_minutes: int = 5
    in_out_mode: InOutMode = InOutMode.ALTERNATING
    hours_mode: HoursMode = HoursMode.FIRST_LAST
    half_day_below_minutes: int | None = None
    absent_below_minutes: int | None = None
    bounce_seconds: int = 60

    def __post_init__(self) -> None:
        for name in (
            "break_minutes",
            "checkin_before_minutes",
            "checkout_after_minutes",
            "late_grace_minutes",
            "early_exit_grace_minutes",
            "bounce_seconds",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"shift type {self.code}: {name} must not be negative")
        if (
            self.half_day_below_minutes is not None
            and self.absent_below_minutes is not None
            and self.absent_below_minutes > self.half_day_below_minutes
        ):
            raise ValueError(
                f"shift type {self.code}: absent threshold must not exceed the half-day threshold"
            )

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def on(self, day: date, tz: ZoneInfo, *, source: str = "") -> ShiftInstance:
        start = datetime.combine(day, self.start, tzinfo=tz)
        end_day = day + timedelta(days=1) if self.crosses_midnight else day
        end = datetime.combine(end_day, self.end, tzinfo=tz)
        # stored in UTC like the punches: comparing aware datetimes across zones is slow
        return ShiftInstance(
            date=day, rule=self, start=start.astimezone(UTC), end=end.astimezone(UTC), source=source
        )


@dataclass(frozen=True, slots=True)
class ShiftInstance:
    """One rostered shift: the date is the day it starts (a 22:00-06:00 shift belongs to it).
    ``start`` and ``end`` are aware; :meth:`ShiftRule.on` gives them in UTC."""

    date: date
    rule: ShiftRule
    start: datetime
    end: datetime
    source: str = ""  # where it came from: "roster run 3", "ROSTER.csv:4", "default shift"

    @property
    def nominal_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60) - self.rule.break_minutes


@dataclass(frozen=True, slots=True)
class TraceEntry:
    kind: TraceKind
    message: str
    punch_id: str | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DataIssue:
    kind: IssueKind
    employee: str
    date: date
    message: str


@dataclass(frozen=True, slots=True)
class UnmatchedPunch:
    employee: str
    punch: AttendancePunch
    reason: str


@dataclass(frozen=True, slots=True)
class DayResult:
    """The attendance of one employee on one shift date, with the why-trace."""

    employee: str
    date: date
    kind: DayKind
    status: DayStatus
    shift: ShiftInstance | None
    worked_minutes: int = 0
    late_minutes: int = 0
    early_exit_minutes: int = 0
    after_end_minutes: int = 0  # worked after the shift's nominal end (CN weekday extension)
    check_in: datetime | None = None
    check_out: datetime | None = None
    punches_used: int = 0
    trace: tuple[TraceEntry, ...] = ()

    @property
    def rostered(self) -> bool:
        return self.shift is not None


@dataclass(frozen=True, slots=True)
class EmployeeAttendance:
    employee: str
    days: tuple[DayResult, ...]
    unmatched: tuple[UnmatchedPunch, ...] = ()
    issues: tuple[DataIssue, ...] = ()


class DayCalendar(Protocol):
    """Tells what kind of day a date is (workday, rest day, public or statutory holiday)."""

    def kind(self, day: date) -> DayKind: ...


@dataclass(frozen=True, slots=True)
class WeekendCalendar:
    """Saturday and Sunday are rest days; no holidays. Used by policies without a holiday table."""

    rest_weekdays: frozenset[int] = field(default_factory=lambda: frozenset({5, 6}))

    def kind(self, day: date) -> DayKind:
        return DayKind.RESTDAY if day.weekday() in self.rest_weekdays else DayKind.WORKDAY
