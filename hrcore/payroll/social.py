"""Social insurance (社会保险) and housing fund (住房公积金) from a city's template.

The contribution base is clamped to the floor and ceiling in force for the period; each scheme
has an employer and an employee rate (and may have its own base bounds or a fixed employee
amount, e.g. Beijing's 3 CNY for serious illness); each amount is rounded per the city's rule.
Rates and bounds are data (``config/policies/cn/<city>.yaml``), never code.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from hrcore.payroll.errors import UnknownCity
from hrcore.payroll.money import ZERO, Rounding, rounded, show
from hrcore.payroll.trace import LineKind, PayLine, inputs


class Scheme(StrEnum):
    PENSION = "pension"
    MEDICAL = "medical"  # maternity merged in (国办发〔2019〕10号) unless listed apart
    MATERNITY = "maternity"
    UNEMPLOYMENT = "unemployment"
    WORK_INJURY = "work_injury"
    SERIOUS_ILLNESS = "serious_illness"


@dataclass(frozen=True, slots=True)
class SchemeRule:
    scheme: Scheme
    employer_rate: Decimal
    employee_rate: Decimal
    employee_fixed: Decimal = ZERO  # a fixed monthly employee amount on top of the rate
    base_floor: Decimal | None = None  # this scheme's own bounds, if they differ
    base_ceiling: Decimal | None = None
    unconfirmed: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class HousingFundRule:
    employer_rate: Decimal
    employee_rate: Decimal
    base_floor: Decimal
    base_ceiling: Decimal
    rounding: Rounding
    unconfirmed: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class ContributionYear:
    """The rules of one city for one contribution year (usually 1 July to 30 June)."""

    start: date
    end: date
    source: str
    base_floor: Decimal
    base_ceiling: Decimal
    rounding: Rounding
    schemes: tuple[SchemeRule, ...]
    housing_fund: HousingFundRule
    bases_unconfirmed: bool = False

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class CityTemplate:
    code: str  # "beijing"
    name: str
    years: tuple[ContributionYear, ...]
    file: str = ""

    def year_on(self, day: date) -> ContributionYear:
        for year in self.years:
            if year.covers(day):
                return year
        spans = ", ".join(f"{y.start}..{y.end}" for y in self.years)
        raise UnknownCity(
            f"city template {self.code} has no contribution year covering {day} (it has "
            f"{spans}); add the year's notice to {self.file or 'its template'}"
        )


def template_for(templates: Mapping[str, CityTemplate], city: str | None) -> CityTemplate:
    if not city:
        raise UnknownCity("no social-insurance city; set the employee's city (e.g. shanghai)")
    found = templates.get(city.strip().lower())
    if found is None:
        raise UnknownCity(
            f"unknown social-insurance city {city!r}; known: {', '.join(sorted(templates))} "
            "(add config/policies/cn/<city>.yaml)"
        )
    return found


def clamp(value: Decimal, floor: Decimal, ceiling: Decimal) -> Decimal:
    return min(max(value, floor), ceiling)


@dataclass(frozen=True, slots=True)
class Contributions:
    lines: tuple[PayLine, ...]

    def _sum(self, prefix: str, kind: LineKind) -> Decimal:
        return sum(
            (li.amount for li in self.lines if li.code.startswith(prefix) and li.kind is kind),
            ZERO,
        )

    @property
    def employee_si(self) -> Decimal:
        return self._sum("si.", LineKind.DEDUCTION)

    @property
    def employer_si(self) -> Decimal:
        return self._sum("si.", LineKind.EMPLOYER)

    @property
    def employee_hf(self) -> Decimal:
        return self._sum("hf.", LineKind.DEDUCTION)

    @property
    def employer_hf(self) -> Decimal:
        return self._sum("hf.", LineKind.EMPLOYER)


def _pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def contributions(
    city: CityTemplate, on: date, declared_base: Decimal, *, hf_base: Decimal | None = None
) -> Contributions:
    """See :func:`_contributions`; the same city, month and bases give the same (frozen) lines,
    so a pay run of thousands of people computes each distinct base once."""
    return _contributions(city, on.replace(day=1), declared_base, hf_base)


@functools.lru_cache(maxsize=4096)
def _contributions(
    city: CityTemplate, on: date, declared_base: Decimal, hf_base: Decimal | None
) -> Contributions:
    """Employee and employer SI and HF of one month. ``declared_base`` is the employee's
    contribution base before clamping (usually last year's average monthly wage)."""
    year = city.year_on(on)
    source = f"{city.name} {year.start}..{year.end}: {year.source}"
    lines: list[PayLine] = []
    for rule in year.schemes:
        floor = rule.base_floor if rule.base_floor is not None else year.base_floor
        ceiling = rule.base_ceiling if rule.base_ceiling is not None else year.base_ceiling
        base = clamp(declared_base, floor, ceiling)
        unconfirmed = rule.unconfirmed or year.bases_unconfirmed
        clamp_text = f"clamp({show(declared_base)}, {show(floor)}, {show(ceiling)})"
        for side, rate, fixed in (
            ("employee", rule.employee_rate, rule.employee_fixed),
            ("employer", rule.employer_rate, ZERO),
        ):
            if rate == 0 and fixed == 0:
                continue
            amount = rounded(base * rate, year.rounding) + fixed
            formula = f"{clamp_text} = {show(base)} x {_pct(rate)}"
            if fixed:
                formula += f" + {show(fixed)} fixed"
            lines.append(
                PayLine(
                    code=f"si.{rule.scheme}.{side}",
                    label=f"{rule.scheme.replace('_', ' ').capitalize()} insurance ({side})",
                    kind=LineKind.DEDUCTION if side == "employee" else LineKind.EMPLOYER,
                    amount=amount,
                    formula=f"{formula} = {show(amount)} ({year.rounding})",
                    inputs=inputs(
                        declared_base=show(declared_base),
                        floor=show(floor),
                        ceiling=show(ceiling),
                        rate=_pct(rate),
                        rounding=year.rounding,
                    ),
                    source=source + (f"; {rule.note}" if rule.note else ""),
                    unconfirmed=unconfirmed,
                )
            )
    hf = year.housing_fund
    hf_declared = declared_base if hf_base is None else hf_base
    base = clamp(hf_declared, hf.base_floor, hf.base_ceiling)
    for side, rate in (("employee", hf.employee_rate), ("employer", hf.employer_rate)):
        amount = rounded(base * rate, hf.rounding)
        lines.append(
            PayLine(
                code=f"hf.{side}",
                label=f"Housing fund ({side})",
                kind=LineKind.DEDUCTION if side == "employee" else LineKind.EMPLOYER,
                amount=amount,
                formula=(
                    f"clamp({show(hf_declared)}, {show(hf.base_floor)}, {show(hf.base_ceiling)})"
                    f" = {show(base)} x {_pct(rate)} = {show(amount)} ({hf.rounding})"
                ),
                inputs=inputs(
                    declared_base=show(hf_declared),
                    floor=show(hf.base_floor),
                    ceiling=show(hf.base_ceiling),
                    rate=_pct(rate),
                    rounding=hf.rounding,
                ),
                source=source + (f"; {hf.note}" if hf.note else ""),
                unconfirmed=hf.unconfirmed,
            )
        )
    return Contributions(tuple(lines))
