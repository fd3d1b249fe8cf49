"""Loading the risk thresholds and the combination rule from YAML (config/risk.yaml).

Every key is optional: what the file leaves out keeps its default. A wrong file is a
:class:`RiskConfigInvalid` naming the file, the key and what is expected.
"""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hrcore.risk.model import CombineRule, RiskConfig, RiskKind, RiskThresholds


class RiskConfigInvalid(Exception):
    """config/risk.yaml is not valid; fix the key the message names."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Thresholds(_Strict):
    long_week_hours: Decimal | None = Field(default=None, gt=0)
    long_weeks_in_a_row: int | None = Field(default=None, ge=1)
    monthly_overtime_cap_hours: Decimal | None = Field(default=None, ge=0)
    long_day_hours: Decimal | None = Field(default=None, gt=0)
    long_days_at_least: int | None = Field(default=None, ge=1)
    long_days_window_days: int | None = Field(default=None, ge=1)
    max_days_in_a_row: int | None = Field(default=None, ge=1)
    leave_days_per_month: Decimal | None = Field(default=None, ge=0)
    score_drops_in_a_row: int | None = Field(default=None, ge=1)
    wellbeing_at_most: Decimal | None = None
    lookback_weeks: int | None = Field(default=None, ge=1)
    recent_days: int | None = Field(default=None, ge=0)
    survey_months: int | None = Field(default=None, ge=1)
    leave_months: int | None = Field(default=None, ge=1)


class _Rule(_Strict):
    requires: list[RiskKind] = Field(default_factory=list)
    others_at_least: int = Field(default=0, ge=0)


class _Combine(_Strict):
    red: list[_Rule] | None = None
    amber: list[_Rule] | None = None


class _RiskFile(_Strict):
    thresholds: _Thresholds = Field(default_factory=_Thresholds)
    combine: _Combine = Field(default_factory=_Combine)


def _rules(rules: list[_Rule]) -> tuple[CombineRule, ...]:
    return tuple(CombineRule(frozenset(r.requires), r.others_at_least) for r in rules)


def risk_config_from_dict(raw: Any, source: str = "risk config") -> RiskConfig:
    try:
        parsed = _RiskFile.model_validate(raw or {})
    except ValidationError as exc:
        raise RiskConfigInvalid(
            f"{source}: "
            + "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}"
                for e in exc.errors(include_url=False)
            )
        ) from exc
    given = parsed.thresholds.model_dump(exclude_none=True)
    defaults = RiskThresholds()
    thresholds = RiskThresholds(
        **{f.name: given.get(f.name, getattr(defaults, f.name)) for f in fields(RiskThresholds)}
    )
    base = RiskConfig()
    return RiskConfig(
        thresholds=thresholds,
        red=_rules(parsed.combine.red) if parsed.combine.red is not None else base.red,
        amber=_rules(parsed.combine.amber) if parsed.combine.amber is not None else base.amber,
    )


def load_risk_config(path: Path) -> RiskConfig:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RiskConfigInvalid(f"{path}: cannot read it ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise RiskConfigInvalid(f"{path}: not valid YAML ({exc})") from exc
    return risk_config_from_dict(raw, str(path))
