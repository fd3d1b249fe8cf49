"""The career ladder: a role's levels with what each asks, and where an employee stands.

A level asks for courses completed to a percentage, skills, KPI thresholds held for the last
N periods in a row, and optionally a scorecard composite held likewise. Levels are climbed
in order: the current level is the highest one whose requirements, and those of every level
below it, are met. What is still missing for the next level is said in words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from hrcore.people.records import previous_period


@dataclass(frozen=True, slots=True)
class CourseRequirement:
    course: str
    completion: Decimal = Decimal(100)  # percent


@dataclass(frozen=True, slots=True)
class ThresholdRequirement:
    """A KPI (or, with ``kpi`` None, the scorecard's points) at least / at most a value in
    each of the last ``periods`` consecutive periods."""

    kpi: str | None
    at_least: Decimal | None = None
    at_most: Decimal | None = None
    periods: int = 1

    def __post_init__(self) -> None:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError(f"threshold on {self.kpi or 'score'}: give at_least or at_most")
        if self.periods < 1:
            raise ValueError(f"threshold on {self.kpi or 'score'}: periods must be at least 1")

    def holds(self, value: Decimal) -> bool:
        if self.at_least is not None:
            return value >= self.at_least
        assert self.at_most is not None
        return value <= self.at_most


@dataclass(frozen=True, slots=True)
class Level:
    code: str
    title: str = ""
    courses: tuple[CourseRequirement, ...] = ()
    skills: tuple[str, ...] = ()
    thresholds: tuple[ThresholdRequirement, ...] = ()

    @property
    def requirement_count(self) -> int:
        return len(self.courses) + len(self.skills) + len(self.thresholds)


@dataclass(frozen=True, slots=True)
class Ladder:
    role: str
    levels: tuple[Level, ...]


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """What the ladder looks at for one employee."""

    skills: frozenset[str]
    completions: Mapping[str, Decimal]  # course code -> percent
    kpis: Mapping[str, Mapping[str, Decimal]]  # kpi -> period -> value
    points: Mapping[str, Decimal]  # period -> scorecard points


@dataclass(frozen=True, slots=True)
class LadderPosition:
    role: str
    current: Level | None
    next: Level | None
    met: int  # requirements of the next level already met
    total: int
    missing: tuple[str, ...]  # in words, one per unmet requirement of the next level

    @property
    def progress_percent(self) -> Decimal:
        if self.next is None or self.total == 0:
            return Decimal(100)
        return Decimal(self.met) * 100 / Decimal(self.total)


def pct(value: Decimal) -> str:
    """``Decimal('85.0')`` -> ``'85 %'``; ``Decimal('87.5')`` -> ``'87.5 %'``."""
    return f"{number(value)} %"


def number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def held_periods(series: Mapping[str, Decimal], requirement: ThresholdRequirement) -> int:
    """How many consecutive periods, back from the latest one with a value, meet it."""
    if not series:
        return 0
    period = max(series)
    held = 0
    while period in series and requirement.holds(series[period]):
        held += 1
        period = previous_period(period)
    return held


def _threshold_words(req: ThresholdRequirement, held: int, titles: Mapping[str, str]) -> str:
    what = f"KPI {titles.get(req.kpi, req.kpi)!r}" if req.kpi is not None else "score"
    if req.at_least is not None:
        bound = f"at least {number(req.at_least)}"
    else:
        bound = f"at most {number(req.at_most or Decimal(0))}"
    span = "period" if req.periods == 1 else f"{req.periods} periods in a row"
    return f"{what} {bound} for {span} (held {held})"


def unmet(level: Level, person: PersonRecord, titles: Mapping[str, str] | None = None) -> list[str]:
    """The requirements of ``level`` that ``person`` does not meet, in words."""
    titles = titles or {}
    missing = []
    for course in level.courses:
        done = person.completions.get(course.course)
        name = titles.get(course.course, course.course)
        if done is None:
            missing.append(f"course {name!r}, not started ({pct(course.completion)} needed)")
        elif done < course.completion:
            missing.append(f"course {name!r}, completion {pct(done)} of {pct(course.completion)}")
    missing.extend(f"skill {s!r}" for s in level.skills if s not in person.skills)
    for req in level.thresholds:
        series = person.kpis.get(req.kpi, {}) if req.kpi is not None else person.points
        held = held_periods(series, req)
        if held < req.periods:
            missing.append(_threshold_words(req, held, titles))
    return missing


def place(
    ladder: Ladder, person: PersonRecord, titles: Mapping[str, str] | None = None
) -> LadderPosition:
    """The employee's current level, the next one and what is missing for it."""
    current: Level | None = None
    for level in ladder.levels:
        missing = unmet(level, person, titles)
        if missing:
            return LadderPosition(
                role=ladder.role,
                current=current,
                next=level,
                met=level.requirement_count - len(missing),
                total=level.requirement_count,
                missing=tuple(missing),
            )
        current = level
    return LadderPosition(ladder.role, current, None, 0, 0, ())


def series_by_kpi(values: Sequence[tuple[str, str, Decimal]]) -> dict[str, dict[str, Decimal]]:
    """(period, kpi, value) rows -> kpi -> period -> value."""
    out: dict[str, dict[str, Decimal]] = {}
    for period, kpi, value in values:
        out.setdefault(kpi, {})[period] = value
    return out
