"""Roster policy files (`config/policies/*.yaml`) -> the solver's `Policy`.

Validated with pydantic at the edge; a bad file gets an error naming the file, the key
and what was expected.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from gateway.config.files import parse_yaml_text, validate_document
from gateway.errors import ConfigError, PolicyFileError
from scheduler.model import Policy, Rule, RuleSetting, Severity


class RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hard: bool = False
    weight: int = Field(default=1, ge=0)
    #: what an edit breaking the rule meets; unset: block if hard, else warn
    severity: Severity | None = None


class Numbers(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_rest_hours: float = Field(default=11, ge=0, le=48)
    rest_window_days: int = Field(default=7, ge=1, le=31)
    min_rest_days_in_window: int = Field(default=1, ge=0, le=31)
    max_consecutive_days: int = Field(default=6, ge=1)
    daily_regular_hours: float = Field(default=8, gt=0, le=24)
    weekly_regular_hours: float = Field(default=40, gt=0, le=168)
    daily_overtime_cap_hours: float = Field(default=3, ge=0, le=24)
    monthly_overtime_cap_hours: float = Field(default=36, ge=0)


class PolicyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    numbers: Numbers = Numbers()
    rules: dict[Rule, RuleSpec]

    def to_policy(self) -> Policy:
        n = self.numbers

        def minutes(hours: float) -> int:
            return round(hours * 60)

        return Policy(
            name=self.name,
            rules=tuple(
                RuleSetting(r, s.hard, s.weight, s.severity) for r, s in self.rules.items()
            ),
            min_rest_minutes=minutes(n.min_rest_hours),
            rest_window_days=n.rest_window_days,
            min_rest_days_in_window=n.min_rest_days_in_window,
            max_consecutive_days=n.max_consecutive_days,
            daily_regular_minutes=minutes(n.daily_regular_hours),
            weekly_regular_minutes=minutes(n.weekly_regular_hours),
            daily_overtime_cap_minutes=minutes(n.daily_overtime_cap_hours),
            monthly_overtime_cap_minutes=minutes(n.monthly_overtime_cap_hours),
        )


def parse_policy(text: str, *, source: str) -> Policy:
    """Validate a policy file in the config YAML dialect; every problem is listed."""
    try:
        document = parse_yaml_text(text, Path(source))
        return validate_document(document, PolicyFile, Path(source)).to_policy()
    except ConfigError as exc:
        raise PolicyFileError(str(exc)) from exc


def load_policy(path: Path) -> Policy:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyFileError(f"cannot read policy file {path}: {exc.strerror}") from exc
    return parse_policy(text, source=str(path))
