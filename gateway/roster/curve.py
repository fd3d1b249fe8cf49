"""Demand-curve files for `shiftgate roster shifts`: the curve CSV, the shapes YAML, and
the plan as a demand file the solver fills with people.

The curve says how many people of a skill are wanted from each time on a day::

    day,start,skill,people
    2026-11-02,08:00,picker,4
    2026-11-02,08:15,picker,5

Each point lasts one step of its skill's series: the greatest common divisor of 60 and the
minutes of every start of that skill (hourly points: 60 min, quarter-hour points: 15). A
blank skill or `any` means anyone. The shapes file lists the shifts that may be run::

    weights: {under: 10, over: 1, shift: 2}   # per person-hour short / over; per shift
    shapes:
      - {id: D, start: "08:00", hours: 9, breaks: [{after_hours: 4, minutes: 60}]}
      - {id: N, start: "22:00", hours: 8, night: true, skills: [picker]}
"""

from __future__ import annotations

import csv
import math
from datetime import date, time
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gateway.config.files import load_model
from gateway.errors import ConfigError, FileInputError
from gateway.roster.demand import ANY_SKILL, Counts, DayDemand, DemandFile
from scheduler.shifts import Break, CurvePoint, PlanWeights, ShiftPlan, ShiftShape

CURVE_COLUMNS = ("day", "start", "skill", "people")


class _Point(BaseModel):
    model_config = ConfigDict(extra="ignore")
    day: date
    start: time
    skill: str = ""
    people: int = Field(ge=0)


def load_curve(path: Path) -> tuple[CurvePoint, ...]:
    """The curve's points, each as long as the file's step; a bad row names file:line."""
    rows: list[tuple[int, _Point]] = []
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in CURVE_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise FileInputError(
                    f"{path}:1: missing column(s) {', '.join(missing)}; the header must be "
                    f"{','.join(CURVE_COLUMNS)}"
                )
            for row in reader:
                try:
                    rows.append((reader.line_num, _Point.model_validate(row)))
                except ValidationError as exc:
                    first = exc.errors()[0]
                    key = ".".join(str(p) for p in first["loc"])
                    raise FileInputError(
                        f"{path}:{reader.line_num}: {key}: {first['msg']} "
                        "(day YYYY-MM-DD, start HH:MM, people a whole number)"
                    ) from exc
    except OSError as exc:
        raise FileInputError(f"{path}: cannot open ({exc.strerror}); check the path") from exc
    except UnicodeDecodeError as exc:
        raise FileInputError(f"{path}: not UTF-8 text; save as UTF-8 CSV") from exc
    if not rows:
        raise FileInputError(f"{path}: no curve points; add rows under the header")
    for _, p in rows:
        p.skill = p.skill.strip() or ANY_SKILL
    step: dict[str, int] = {}  # per skill: an hourly and a quarter-hour series may mix
    for _, p in rows:
        step[p.skill] = math.gcd(step.get(p.skill, 60), p.start.hour * 60 + p.start.minute)
    seen: dict[tuple[date, time, str], int] = {}
    for line, p in rows:
        if p.start.second or p.start.microsecond:
            raise FileInputError(f"{path}:{line}: start {p.start} has seconds; give HH:MM")
        at = (p.day, p.start, p.skill)
        if at in seen:
            raise FileInputError(
                f"{path}:{line}: {p.day} {p.start:%H:%M} {p.skill} is already "
                f"on line {seen[at]}; give each time once"
            )
        seen[at] = line
    return tuple(
        CurvePoint(
            p.day, p.start, step[p.skill], p.people, None if p.skill == ANY_SKILL else p.skill
        )
        for _, p in rows
    )


class _Break(BaseModel):
    model_config = ConfigDict(extra="forbid")
    after_hours: Decimal = Field(gt=0, le=24)
    minutes: int = Field(gt=0, le=600)


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1)
    start: time
    hours: Decimal = Field(gt=0, le=24)
    breaks: list[_Break] = Field(default_factory=list)
    skills: list[str] = Field(default_factory=list)
    night: bool = False


class _Weights(BaseModel):
    model_config = ConfigDict(extra="forbid")
    under: int = Field(default=10, ge=0)
    over: int = Field(default=1, ge=0)
    shift: int = Field(default=2, ge=0)


class ShapesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weights: _Weights = _Weights()
    shapes: list[_Shape] = Field(min_length=1)


def _minutes(hours: Decimal, where: str, path: Path) -> int:
    m = hours * 60
    if m != m.to_integral_value():
        raise FileInputError(f"{path}: {where}: {hours} h is not a whole number of minutes")
    return int(m)


def load_shapes(path: Path) -> tuple[tuple[ShiftShape, ...], PlanWeights]:
    try:
        doc = load_model(path, ShapesFile)
    except ConfigError as exc:
        raise FileInputError(str(exc)) from exc
    shapes = tuple(
        ShiftShape(
            s.id,
            s.start,
            _minutes(s.hours, f"shapes[{i}].hours", path),
            tuple(
                Break(_minutes(b.after_hours, f"shapes[{i}].breaks[{j}]", path), b.minutes)
                for j, b in enumerate(s.breaks)
            ),
            frozenset(s.skills),
            s.night,
        )
        for i, s in enumerate(doc.shapes)
    )
    w = doc.weights
    return shapes, PlanWeights(w.under, w.over, w.shift)


def plan_as_demand(plan: ShiftPlan, *, under_weight: int = 1000) -> DemandFile:
    """The planned counts as a demand file (`dates` lines), for the site's solver."""
    dates: dict[date, DayDemand] = {}
    for c in plan.counts:
        day = dates.setdefault(c.day, {})
        day.setdefault(c.shape_id, {})[c.skill or ANY_SKILL] = Counts(target=c.count)
    return DemandFile(under_weight=under_weight, dates=dates)
