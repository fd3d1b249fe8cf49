"""Plain, frozen input and output types of the roster solver.

Everything the solver needs is in one `Problem`: the horizon (a start date and a number of
days), shift types, demand, employees with their contracts and personal limits, absences,
requests, pinned assignments, the last days before the horizon (history), an optional
published roster (for minimal change) and the `Policy` that says which rules are hard and
what the soft ones cost. The same classes hold a Curtois-Qu benchmark instance and a real
site's month, so the solver has a single model.

Units: minutes for durations, whole days for dates (`datetime.date`), integer weights.
Day indexes (0 = the horizon's start date) are only used inside the solver and in the
Curtois-Qu CSV output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from enum import StrEnum

MINUTES_PER_DAY = 24 * 60


class Rule(StrEnum):
    """Every rule the solver knows. Policy decides hard/soft and weight per rule."""

    # Always hard (structural): one shift a day, skills, no overlapping shifts, pins.
    ONE_SHIFT_PER_DAY = "one_shift_per_day"
    SKILL = "skill"
    NO_OVERLAP = "no_overlap"
    PINNED = "pinned"
    # Coverage: below `minimum` / above `maximum` (hard by default); between them the
    # demand line's own under/over weights apply per person (always soft).
    COVER_MINIMUM = "cover_minimum"
    COVER_MAXIMUM = "cover_maximum"
    COVER_UNDER = "cover_under"
    COVER_OVER = "cover_over"
    # Per-employee sequence and count rules.
    UNAVAILABLE = "unavailable"
    SHIFT_SUCCESSION = "shift_succession"
    MIN_REST = "min_rest"
    MAX_CONSECUTIVE_DAYS = "max_consecutive_days"
    MIN_CONSECUTIVE_DAYS = "min_consecutive_days"
    MIN_CONSECUTIVE_DAYS_OFF = "min_consecutive_days_off"
    WEEKLY_REST = "weekly_rest"
    MAX_SHIFTS_PER_TYPE = "max_shifts_per_type"
    MIN_TOTAL_MINUTES = "min_total_minutes"
    MAX_TOTAL_MINUTES = "max_total_minutes"
    MAX_WEEKENDS = "max_weekends"
    NO_NIGHTS = "no_nights"
    # Working hours and overtime.
    DAILY_OVERTIME_CAP = "daily_overtime_cap"
    MONTHLY_OVERTIME_CAP = "monthly_overtime_cap"
    NO_OVERTIME = "no_overtime"
    OVERTIME = "overtime"
    # Pure objective terms (always soft).
    SHIFT_ON_REQUEST = "shift_on_request"
    SHIFT_OFF_REQUEST = "shift_off_request"
    FAIR_NIGHTS = "fair_nights"
    FAIR_WEEKENDS = "fair_weekends"
    MINIMAL_CHANGE = "minimal_change"


#: Rules that can never be soft, whatever the policy says.
ALWAYS_HARD: frozenset[Rule] = frozenset(
    {Rule.ONE_SHIFT_PER_DAY, Rule.SKILL, Rule.NO_OVERLAP, Rule.PINNED}
)
#: Rules that are only objective terms (a policy's `hard` flag is ignored for them).
ALWAYS_SOFT: frozenset[Rule] = frozenset(
    {
        Rule.COVER_UNDER,
        Rule.COVER_OVER,
        Rule.OVERTIME,
        Rule.SHIFT_ON_REQUEST,
        Rule.SHIFT_OFF_REQUEST,
        Rule.FAIR_NIGHTS,
        Rule.FAIR_WEEKENDS,
        Rule.MINIMAL_CHANGE,
    }
)


class HoursSystem(StrEnum):
    """Chinese working-hours systems (标准 / 综合计算 / 不定时)."""

    STANDARD = "standard"
    COMPREHENSIVE = "comprehensive"
    FLEXIBLE = "flexible"


class HoursCycle(StrEnum):
    """How a comprehensive-system person's averaging cycles are cut from the horizon."""

    DAYS = "days"  # blocks of `cycle_days` from the horizon start
    MONTH = "month"  # calendar months (as hrcore's CN overtime counts them)


class AbsenceKind(StrEnum):
    LEAVE = "leave"  # approved leave
    UNAVAILABLE = "unavailable"  # declared unavailable
    DAY_OFF = "day_off"  # fixed day off (Curtois-Qu SECTION_DAYS_OFF)


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"  # time ran out before any roster was found


@dataclass(frozen=True, slots=True)
class ShiftType:
    """A shift pattern. It starts on its day at `start` and lasts `minutes` worked minutes;
    it crosses midnight when start + minutes passes 24:00."""

    id: str
    start: time
    minutes: int
    skill: str | None = None  # required to work this shift at all
    site: str = ""
    position: str = ""
    night: bool = False  # counts as a night shift (no-nights flag, night fairness)
    #: shift ids that may not be worked on the next day (rotation rule, Curtois-Qu style)
    forbidden_next: frozenset[str] = frozenset()

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute

    @property
    def end_minute(self) -> int:
        """End, in minutes from 00:00 of the shift's own day (> 1440 crosses midnight)."""
        return self.start_minute + self.minutes

    @property
    def crosses_midnight(self) -> bool:
        return self.end_minute > MINUTES_PER_DAY


@dataclass(frozen=True, slots=True)
class Demand:
    """Wanted head count on `day` for `shift_id` (people with `skill`, or anyone if None).

    Below `minimum` breaks COVER_MINIMUM (hard by default), above `maximum` breaks
    COVER_MAXIMUM; each person short of `target` costs `under_weight`, each person over
    `target` costs `over_weight`.
    """

    day: date
    shift_id: str
    target: int
    skill: str | None = None
    minimum: int = 0
    maximum: int | None = None
    under_weight: int = 100
    over_weight: int = 1


@dataclass(frozen=True, slots=True)
class ShiftLimit:
    shift_id: str
    max_count: int


@dataclass(frozen=True, slots=True)
class Employee:
    """A person and their personal limits. `None` limits fall back to the policy."""

    id: str
    name: str = ""
    skills: frozenset[str] = frozenset()
    hours_system: HoursSystem = HoursSystem.STANDARD
    #: comprehensive system: length of the averaging cycle in days (from the horizon start)
    cycle_days: int = 7
    #: comprehensive system: `MONTH` averages over each calendar month instead (a month cut
    #: by the horizon gets its share of the contracted hours); `cycle_days` is then unused
    cycle: HoursCycle = HoursCycle.DAYS
    contracted_minutes_per_week: int = 2400
    daily_overtime_cap_minutes: int | None = None
    monthly_overtime_cap_minutes: int | None = None
    max_consecutive_days: int | None = None
    min_consecutive_days: int = 1
    min_consecutive_days_off: int = 1
    min_rest_minutes: int | None = None
    max_weekends: int | None = None
    max_shifts: tuple[ShiftLimit, ...] = ()
    min_total_minutes: int = 0
    max_total_minutes: int | None = None
    no_nights: bool = False
    no_overtime: bool = False
    #: days on which the person may not work a night shift (a protection period that
    #: covers only part of the horizon); `no_nights` bars every day
    no_night_days: frozenset[date] = frozenset()

    def display(self) -> str:
        return self.name or self.id

    def barred_from_nights(self, day: date) -> bool:
        return self.no_nights or day in self.no_night_days

    def has_night_bar(self) -> bool:
        """Barred from nights on some day (`barred_from_nights` says which)."""
        return self.no_nights or bool(self.no_night_days)

    def max_count_of(self, shift_id: str) -> int | None:
        for limit in self.max_shifts:
            if limit.shift_id == shift_id:
                return limit.max_count
        return None


@dataclass(frozen=True, slots=True)
class Absence:
    employee_id: str
    day: date
    kind: AbsenceKind = AbsenceKind.LEAVE


@dataclass(frozen=True, slots=True)
class ShiftRequest:
    """`want=True`: the person asks to work `shift_id` on `day` (any shift if None);
    `want=False`: asks not to. Unmet, it costs `weight`."""

    employee_id: str
    day: date
    shift_id: str | None
    want: bool
    weight: int


@dataclass(frozen=True, slots=True)
class Pin:
    """Fixed assignment: `shift_id` on `day`, or a day off if `shift_id` is None."""

    employee_id: str
    day: date
    shift_id: str | None


@dataclass(frozen=True, slots=True)
class Assignment:
    employee_id: str
    day: date
    shift_id: str
    skill: str | None = None  # the demand skill this person covers, if the shift has several


@dataclass(frozen=True, slots=True)
class Roster:
    """Assignments over `start` .. `start + days - 1`; a missing (employee, day) is off."""

    start: date
    days: int
    assignments: tuple[Assignment, ...]

    def covers(self, day: date) -> bool:
        return self.start <= day < self.start + timedelta(days=self.days)


class Severity(StrEnum):
    """What an edit to a roster that breaks a rule meets (`scheduler.check`)."""

    BLOCK = "block"  # refused unless a manager overrides it with a reason (audited)
    WARN = "warn"  # shown, not refused


@dataclass(frozen=True, slots=True)
class RuleSetting:
    rule: Rule
    hard: bool
    weight: int = 1
    #: for edits; None: `BLOCK` for a hard rule, `WARN` for a soft one
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    """Which rules hold, how hard, and the numbers behind them.

    Rules not listed in `rules` are off. Weights of soft rules are per unit: per
    occurrence, per person, or per minute for minute-valued rules (overtime, totals).
    """

    name: str
    rules: tuple[RuleSetting, ...]
    min_rest_minutes: int = 11 * 60
    rest_window_days: int = 7
    min_rest_days_in_window: int = 1
    max_consecutive_days: int = 6
    daily_regular_minutes: int = 8 * 60
    weekly_regular_minutes: int = 40 * 60
    daily_overtime_cap_minutes: int = 3 * 60
    monthly_overtime_cap_minutes: int = 36 * 60

    def setting(self, rule: Rule) -> RuleSetting | None:
        if rule in ALWAYS_HARD:
            return RuleSetting(rule, hard=True, weight=0)
        for s in self.rules:
            if s.rule == rule:
                return s
        return None

    def active(self, rule: Rule) -> bool:
        return self.setting(rule) is not None

    def is_hard(self, rule: Rule) -> bool:
        s = self.setting(rule)
        return s is not None and s.hard and rule not in ALWAYS_SOFT

    def severity(self, rule: Rule) -> Severity:
        """What an edit breaking `rule` meets: structural rules always block."""
        s = self.setting(rule)
        if rule in ALWAYS_HARD:
            return Severity.BLOCK
        if s is not None and s.severity is not None:
            return s.severity
        return Severity.BLOCK if self.is_hard(rule) else Severity.WARN


@dataclass(frozen=True, slots=True)
class Problem:
    start: date
    days: int
    shifts: tuple[ShiftType, ...]
    employees: tuple[Employee, ...]
    demand: tuple[Demand, ...]
    policy: Policy
    absences: tuple[Absence, ...] = ()
    requests: tuple[ShiftRequest, ...] = ()
    pins: tuple[Pin, ...] = ()
    #: assignments on the `history_days` days before `start` (a missing day there is off)
    history: tuple[Assignment, ...] = ()
    history_days: int = 0
    #: the roster now in force, for minimal change when re-rostering
    published: Roster | None = None
    name: str = ""
    #: a starting roster for the search (a hint only; it need not hold every rule).
    #: Without one, the published roster is the hint.
    hint: Roster | None = None
    #: the official working days (those of the horizon; others are ignored), e.g. a CN
    #: calendar's weekdays less the public holidays plus the make-up working days. Given,
    #: a comprehensive-system person averaging over calendar months (`HoursCycle.MONTH`)
    #: has `policy.daily_regular_minutes` for each working day of the month inside the
    #: horizon as that month's regular minutes (hrcore's payroll: 8 h a working day;
    #: October 2026, 18 days: 144 h). None: contracted weekly minutes x the month's days
    #: inside the horizon / 7, floored (October: 177 h at 40 h a week)
    working_days: frozenset[date] | None = None

    def date_of(self, index: int) -> date:
        return self.start + timedelta(days=index)

    def index_of(self, day: date) -> int:
        return (day - self.start).days

    def shift(self, shift_id: str) -> ShiftType:
        for s in self.shifts:
            if s.id == shift_id:
                return s
        raise KeyError(shift_id)

    def employee(self, employee_id: str) -> Employee:
        for e in self.employees:
            if e.id == employee_id:
                return e
        raise KeyError(employee_id)


@dataclass(frozen=True, slots=True)
class Penalty:
    """One fired rule: what it cost, for whom, on which day, in words."""

    rule: Rule
    cost: int
    words: str
    employee_id: str | None = None
    day: date | None = None
    shift_id: str | None = None


@dataclass(frozen=True, slots=True)
class PenaltyReport:
    items: tuple[Penalty, ...]

    @property
    def total(self) -> int:
        return sum(p.cost for p in self.items)

    def by_rule(self) -> tuple[tuple[Rule, int], ...]:
        totals: dict[Rule, int] = {}
        for p in self.items:
            totals[p.rule] = totals.get(p.rule, 0) + p.cost
        return tuple(sorted(totals.items(), key=lambda kv: -kv[1]))


@dataclass(frozen=True, slots=True)
class Violation:
    """A hard rule a roster breaks (from the evaluator)."""

    rule: Rule
    words: str
    employee_id: str | None = None
    day: date | None = None


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A roster re-scored from scratch: hard-rule breaches and soft penalties."""

    violations: tuple[Violation, ...]
    penalties: PenaltyReport

    @property
    def objective(self) -> int:
        return self.penalties.total

    @property
    def feasible(self) -> bool:
        return not self.violations


@dataclass(frozen=True, slots=True)
class Conflict:
    """One hard-rule group taking part in an infeasibility, in words."""

    rule: Rule
    words: str
    employee_id: str | None = None
    day: date | None = None


@dataclass(frozen=True, slots=True)
class InfeasibilityExplanation:
    """A small set of hard rules that cannot all hold together."""

    conflicts: tuple[Conflict, ...]
    minimal: bool  # True if no conflict can be dropped (checked by re-solving)

    def words(self) -> str:
        return "; ".join(c.words for c in self.conflicts)


@dataclass(frozen=True, slots=True)
class Progress:
    """Reported on every improving roster during a solve."""

    objective: int
    bound: float
    seconds: float
    solutions: int


def whole_bound(bound: float) -> int:
    """The least whole objective a lower bound from floating-point LP or CP-SAT allows
    (every objective is a whole number; the tolerance absorbs the float's noise)."""
    return math.ceil(bound - 1e-6)


@dataclass(frozen=True, slots=True)
class Building:
    """Reported while the first roster is built person by person (price and dive),
    which can take most of a long solve before any roster exists."""

    seconds: float
    #: people whose row is settled, of all
    placed: int
    people: int
    #: the proven lower bound on every roster's objective so far (None: none yet)
    bound: int | None


@dataclass(frozen=True, slots=True)
class SolveOptions:
    time_limit_s: float = 10.0
    workers: int = 8  # 8 even on 2 cores: the full CP-SAT portfolio needs them
    seed: int = 0
    #: explain infeasibility with an assumption core (a second, single-worker solve)
    explain: bool = True
    explain_time_limit_s: float = 30.0
    #: after a first full solve, large-neighbourhood search for the rest of the time
    lns: bool = True
    #: share of the time limit for the first full solve when LNS follows
    first_solve_share: float = 0.2
    #: start from any roster meeting the hard rules (no objective), then LNS
    feasibility_first: bool = False
    #: stop the complete search at this many seconds if it has a roster by then, else at
    #: its first roster after that (still within `time_limit_s`)
    soft_time_limit_s: float | None = None
    #: one presolve pass, no probing, no symmetry detection: for many small sub-problems,
    #: where the full presolve costs more than the search
    light_presolve: bool = False
    #: stop as soon as a roster costs at most this (a known lower bound, for example)
    stop_at_objective: int | None = None


@dataclass(frozen=True, slots=True)
class SolveResult:
    status: SolveStatus
    roster: Roster | None
    objective: int | None
    bound: float | None
    penalties: PenaltyReport
    seconds: float
    first_solution_s: float | None
    explanation: InfeasibilityExplanation | None = None
    progress: tuple[Progress, ...] = field(default=())
