"""Loading the scorecard and the career ladder from YAML (config/people/*.yaml).

A wrong file is a :class:`ConfigInvalid` naming the file, the key and what is expected.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hrcore.people.errors import ConfigInvalid
from hrcore.people.ladder import CourseRequirement, Ladder, Level, ThresholdRequirement
from hrcore.people.scorecard import (
    DEFAULT_WEIGHTS,
    Better,
    KpiDefinition,
    Perspective,
    ScorecardConfig,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Kpi(_Strict):
    perspective: Perspective
    target: Decimal = Field(gt=0)
    better: Better = Better.HIGHER
    weight: Decimal = Field(default=Decimal(1), gt=0)
    title: str = ""


class _ScorecardFile(_Strict):
    cap_percent: Decimal = Field(default=Decimal(120), gt=0)
    weights: dict[Perspective, Decimal] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    roles: dict[str, dict[Perspective, Decimal]] = Field(default_factory=dict)
    kpis: dict[str, _Kpi]


class _Course(_Strict):
    course: str
    completion: Decimal = Field(default=Decimal(100), ge=0, le=100)


class _Threshold(_Strict):
    kpi: str | None = None  # None: the scorecard's points
    at_least: Decimal | None = None
    at_most: Decimal | None = None
    periods: int = Field(default=1, ge=1)


class _Level(_Strict):
    level: str
    title: str = ""
    courses: list[_Course] = Field(default_factory=list)
    skills: list[str] = Field(default_factory=list)
    thresholds: list[_Threshold] = Field(default_factory=list)


class _LadderFile(_Strict):
    courses: dict[str, str] = Field(default_factory=dict)  # code -> title, for the words
    roles: dict[str, list[_Level]]


def _load(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigInvalid(f"{path}: cannot read it ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ConfigInvalid(f"{path}: not valid YAML ({exc})") from exc


def _problems(source: str, exc: ValidationError) -> ConfigInvalid:
    return ConfigInvalid(
        f"{source}: "
        + "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}"
            for e in exc.errors(include_url=False)
        )
    )


def scorecard_from_dict(raw: Any, source: str = "scorecard") -> ScorecardConfig:
    try:
        parsed = _ScorecardFile.model_validate(raw)
    except ValidationError as exc:
        raise _problems(source, exc) from exc
    for role, weights in {"weights": parsed.weights, **parsed.roles}.items():
        if sum(weights.values(), Decimal(0)) <= 0 or any(w < 0 for w in weights.values()):
            raise ConfigInvalid(f"{source}: {role}: weights must be >= 0 with a positive sum")
    return ScorecardConfig(
        kpis={
            code: KpiDefinition(
                code=code,
                perspective=k.perspective,
                target=k.target,
                better=k.better,
                weight=k.weight,
                title=k.title,
            )
            for code, k in parsed.kpis.items()
        },
        weights=dict(parsed.weights),
        role_weights={role: dict(w) for role, w in parsed.roles.items()},
        cap_percent=parsed.cap_percent,
    )


def load_scorecard(path: Path) -> ScorecardConfig:
    return scorecard_from_dict(_load(path), str(path))


def ladders_from_dict(raw: Any, source: str = "ladder") -> tuple[dict[str, Ladder], dict[str, str]]:
    """The ladder of every role, and the course titles the words use."""
    try:
        parsed = _LadderFile.model_validate(raw)
    except ValidationError as exc:
        raise _problems(source, exc) from exc
    ladders = {}
    for role, levels in parsed.roles.items():
        built = []
        for i, lv in enumerate(levels):
            thresholds = []
            for j, t in enumerate(lv.thresholds):
                try:
                    thresholds.append(ThresholdRequirement(t.kpi, t.at_least, t.at_most, t.periods))
                except ValueError as exc:
                    raise ConfigInvalid(
                        f"{source}: roles.{role}.{i}.thresholds.{j}: {exc}"
                    ) from exc
            built.append(
                Level(
                    code=lv.level,
                    title=lv.title,
                    courses=tuple(CourseRequirement(c.course, c.completion) for c in lv.courses),
                    skills=tuple(lv.skills),
                    thresholds=tuple(thresholds),
                )
            )
        ladders[role] = Ladder(role=role, levels=tuple(built))
    return ladders, dict(parsed.courses)


def load_ladders(path: Path) -> tuple[dict[str, Ladder], dict[str, str]]:
    return ladders_from_dict(_load(path), str(path))
