"""The people and risk configuration of a config folder (each file optional).

``risk.yaml`` (thresholds and the combination rule), ``people/scorecard.yaml`` and
``people/ladder.yaml``. A missing file means the defaults (risk) or no scorecard / ladder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gateway.errors import PeopleConfigError
from hrcore.people.config import load_ladders, load_scorecard
from hrcore.people.errors import PeopleError
from hrcore.people.ladder import Ladder
from hrcore.people.scorecard import ScorecardConfig
from hrcore.risk.config import RiskConfigInvalid, load_risk_config
from hrcore.risk.model import RiskConfig


@dataclass(frozen=True, slots=True)
class PeopleConfig:
    risk: RiskConfig = field(default_factory=RiskConfig)
    scorecard: ScorecardConfig | None = None
    ladders: dict[str, Ladder] = field(default_factory=dict)
    course_titles: dict[str, str] = field(default_factory=dict)


def load_people_config(config_dir: Path) -> PeopleConfig:
    risk_file = config_dir / "risk.yaml"
    card_file = config_dir / "people" / "scorecard.yaml"
    ladder_file = config_dir / "people" / "ladder.yaml"
    try:
        risk = load_risk_config(risk_file) if risk_file.is_file() else RiskConfig()
        scorecard = load_scorecard(card_file) if card_file.is_file() else None
        ladders, titles = load_ladders(ladder_file) if ladder_file.is_file() else ({}, {})
    except (RiskConfigInvalid, PeopleError) as exc:
        raise PeopleConfigError(str(exc)) from exc
    return PeopleConfig(risk, scorecard, ladders, titles)
