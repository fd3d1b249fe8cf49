"""City templates of social insurance and housing fund: ``config/policies/cn/<city>.yaml``.

The one module of the payroll core that reads files. pydantic checks each file at the edge
(amounts and rates are quoted strings, so no float ever enters), then it becomes the frozen
types of :mod:`hrcore.payroll.social`. A bad file is one error naming the file and the key.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from hrcore.payroll.errors import TemplateError
from hrcore.payroll.money import ZERO, Rounding
from hrcore.payroll.social import (
    CityTemplate,
    ContributionYear,
    HousingFundRule,
    Scheme,
    SchemeRule,
)


def _no_float(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError('write the number in quotes (e.g. "0.08"), so it stays exact')
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


Exact = Annotated[Decimal, BeforeValidator(_no_float)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _SchemeIn(_Strict):
    employer: Exact = Field(ge=0, le=1)
    employee: Exact = Field(default=ZERO, ge=0, le=1)
    employee_fixed: Exact = Field(default=ZERO, ge=0)
    base_floor: Exact | None = None
    base_ceiling: Exact | None = None
    unconfirmed: bool = False
    note: str = ""


class _SocialIn(_Strict):
    base_floor: Exact = Field(ge=0)
    base_ceiling: Exact = Field(gt=0)
    rounding: Rounding = Rounding.CENT
    bases_unconfirmed: bool = False
    schemes: dict[Scheme, _SchemeIn]


class _HousingIn(_Strict):
    employer: Exact = Field(ge=0, le=1)
    employee: Exact = Field(ge=0, le=1)
    base_floor: Exact = Field(ge=0)
    base_ceiling: Exact = Field(gt=0)
    rounding: Rounding = Rounding.CENT
    unconfirmed: bool = False
    note: str = ""


class _YearIn(_Strict):
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    source: str = Field(min_length=1)
    social_insurance: _SocialIn
    housing_fund: _HousingIn


class _CityIn(_Strict):
    city: str = Field(min_length=1)
    name: str = Field(min_length=1)
    years: list[_YearIn] = Field(min_length=1)


def _key(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_template(path: Path) -> CityTemplate:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TemplateError(f"{path}: cannot read the city template: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise TemplateError(f"{path}: not valid YAML: {exc}") from exc
    try:
        city = _CityIn.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{_key(e['loc']) or '(file)'}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        raise TemplateError(f"{path}: {problems}") from exc
    years: list[ContributionYear] = []
    for i, y in enumerate(sorted(city.years, key=lambda y: y.start)):
        si, hf = y.social_insurance, y.housing_fund
        if y.end < y.start:
            raise TemplateError(f"{path}: years[{i}]: 'to' {y.end} is before 'from' {y.start}")
        if si.base_ceiling < si.base_floor or hf.base_ceiling < hf.base_floor:
            raise TemplateError(f"{path}: years[{i}]: a base ceiling is below its floor")
        if years and y.start <= years[-1].end:
            raise TemplateError(f"{path}: years overlap at {y.start}; one year per date")
        years.append(
            ContributionYear(
                start=y.start,
                end=y.end,
                source=y.source,
                base_floor=si.base_floor,
                base_ceiling=si.base_ceiling,
                rounding=si.rounding,
                bases_unconfirmed=si.bases_unconfirmed,
                schemes=tuple(
                    SchemeRule(
                        scheme=scheme,
                        employer_rate=s.employer,
                        employee_rate=s.employee,
                        employee_fixed=s.employee_fixed,
                        base_floor=s.base_floor,
                        base_ceiling=s.base_ceiling,
                        unconfirmed=s.unconfirmed,
                        note=s.note,
                    )
                    for scheme, s in si.schemes.items()
                ),
                housing_fund=HousingFundRule(
                    employer_rate=hf.employer,
                    employee_rate=hf.employee,
                    base_floor=hf.base_floor,
                    base_ceiling=hf.base_ceiling,
                    rounding=hf.rounding,
                    unconfirmed=hf.unconfirmed,
                    note=hf.note,
                ),
            )
        )
    return CityTemplate(city.city.lower(), city.name, tuple(years), str(path))


def load_templates(directory: Path) -> dict[str, CityTemplate]:
    """Every ``*.yaml`` city template in ``directory``, by city code."""
    if not directory.is_dir():
        raise TemplateError(
            f"{directory}: no folder of city templates; point --templates (or "
            "SHIFTGATE_CONFIG_DIR) at the folder holding config/policies/cn"
        )
    out: dict[str, CityTemplate] = {}
    for path in sorted(directory.glob("*.yaml")):
        template = load_template(path)
        if template.code in out:
            raise TemplateError(
                f"{path}: city {template.code} is already in {out[template.code].file}"
            )
        out[template.code] = template
    if not out:
        raise TemplateError(f"{directory}: no city templates (*.yaml) found")
    return out
