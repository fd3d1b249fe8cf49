"""Demand files (`config/demand.yaml`) -> the solver's per-day `Demand` lines.

A demand file says how many people of each skill each shift needs:

```yaml
under_weight: 1000      # cost of each person short of target on a shift
over_weight: 1          # cost of each person above target
base:                   # every day: shift code -> skill -> counts
  D: {picker: {min: 10, target: 12, max: 16}, lead: {min: 1, target: 1}}
  N: {picker: {min: 4, target: 5}}
weekdays:               # replaces the lines it names on that weekday (mon .. sun)
  sat: {D: {picker: {min: 12, target: 15, max: 20}}}
peaks:                  # multiplies min/target/max (rounded up) over a date range
  - {name: "11.11", from: 2026-11-09, to: 2026-11-12, factor: 1.5}
dates:                  # replaces the lines it names on one date (wins over all else)
  2026-11-11: {N: {picker: {min: 8, target: 9}}}
```

A skill key of `any` means "anyone who can work the shift". Resolution per day and
(shift, skill): `dates` > `weekdays` > `base`, then the peak factor of the day, unless the
line came from `dates` (those are taken literally). Validated with pydantic; a bad file gets
an error naming the file and the key.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gateway.config.files import parse_yaml_text, validate_document
from gateway.errors import ConfigError, DemandFileError
from scheduler.model import Demand

ANY_SKILL = "any"


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @classmethod
    def of(cls, day: date) -> Weekday:
        return list(cls)[day.weekday()]


class Counts(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    min: int = Field(default=0, ge=0)
    target: int = Field(ge=0)
    max: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Counts:
        if self.min > self.target:
            raise ValueError(f"min {self.min} is above target {self.target}")
        if self.max is not None and self.max < self.target:
            raise ValueError(f"max {self.max} is below target {self.target}")
        return self

    def scaled(self, factor: float) -> Counts:
        def up(n: int) -> int:
            return math.ceil(n * factor - 1e-9)

        return Counts(
            min=up(self.min), target=up(self.target), max=None if self.max is None else up(self.max)
        )


#: shift code -> skill -> counts
DayDemand = dict[str, dict[str, Counts]]


class Peak(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    name: str
    from_: date = Field(alias="from")
    to: date
    factor: float = Field(gt=0, le=10)

    @model_validator(mode="after")
    def _ordered(self) -> Peak:
        if self.to < self.from_:
            raise ValueError(f"peak {self.name!r}: 'to' {self.to} is before 'from' {self.from_}")
        return self


class DemandFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    under_weight: int = Field(default=1000, ge=0)
    over_weight: int = Field(default=1, ge=0)
    base: DayDemand = Field(default_factory=dict)
    weekdays: dict[Weekday, DayDemand] = Field(default_factory=dict)
    peaks: list[Peak] = Field(default_factory=list)
    dates: dict[date, DayDemand] = Field(default_factory=dict)

    def shift_codes(self) -> set[str]:
        days: list[DayDemand] = [self.base, *self.weekdays.values(), *self.dates.values()]
        return {code for day in days for code in day}

    def check_shifts(self, known: Iterable[str], *, source: str, site: str) -> None:
        """Raise naming the first shift code the site does not have."""
        have = set(known)
        where: list[tuple[str, DayDemand]] = [("base", self.base)]
        where += [(f"weekdays.{k}", v) for k, v in self.weekdays.items()]
        where += [(f"dates.{k}", v) for k, v in self.dates.items()]
        for key, day in where:
            for code in day:
                if code not in have:
                    raise DemandFileError(
                        f"{source}: key {key}.{code}: site {site!r} has no shift type "
                        f"{code!r} (known: {', '.join(sorted(have)) or 'none'})"
                    )

    def factor_on(self, day: date) -> float:
        factor = 1.0
        for p in self.peaks:
            if p.from_ <= day <= p.to:
                factor = max(factor, p.factor)
        return factor

    def lines(self, start: date, days: int) -> tuple[Demand, ...]:
        """Demand lines of every day of the horizon, in (day, shift, skill) order."""
        out: list[Demand] = []
        for i in range(days):
            day = start + timedelta(days=i)
            merged: dict[tuple[str, str], Counts] = {}
            for layer in (self.base, self.weekdays.get(Weekday.of(day), {})):
                for code, skills in layer.items():
                    for skill, counts in skills.items():
                        merged[(code, skill)] = counts
            factor = self.factor_on(day)
            if factor != 1.0:
                merged = {k: c.scaled(factor) for k, c in merged.items()}
            for code, skills in self.dates.get(day, {}).items():
                for skill, counts in skills.items():
                    merged[(code, skill)] = counts
            for (code, skill), c in sorted(merged.items()):
                out.append(
                    Demand(
                        day=day,
                        shift_id=code,
                        target=c.target,
                        skill=None if skill == ANY_SKILL else skill,
                        minimum=c.min,
                        maximum=c.max,
                        under_weight=self.under_weight,
                        over_weight=self.over_weight,
                    )
                )
        return tuple(out)


def parse_demand(text: str, *, source: str) -> DemandFile:
    """Validate a demand file in the config YAML dialect; every problem is listed."""
    try:
        data = parse_yaml_text(text, Path(source))
        if data is None:
            raise DemandFileError(f"{source}: the file is empty; give at least a 'base' section")
        return validate_document(data, DemandFile, Path(source))
    except ConfigError as exc:
        raise DemandFileError(str(exc)) from exc


def load_demand(path: Path) -> DemandFile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DemandFileError(f"cannot read demand file {path}: {exc.strerror}") from exc
    return parse_demand(text, source=str(path))
