"""Balanced scorecard with hand-computed values."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from hrcore.people.config import load_scorecard, scorecard_from_dict
from hrcore.people.errors import ConfigInvalid
from hrcore.people.scorecard import (
    Better,
    KpiDefinition,
    KpiValue,
    Perspective,
    ScorecardConfig,
    score_period,
    scorecards,
)

ROOT = Path(__file__).resolve().parents[3]
F, C, IP, L = (
    Perspective.FINANCIAL,
    Perspective.CUSTOMER,
    Perspective.INTERNAL_PROCESS,
    Perspective.LEARNING_GROWTH,
)
CONFIG = ScorecardConfig(
    kpis={
        "gmv": KpiDefinition("gmv", F, Decimal(100000)),
        "acos": KpiDefinition("acos", F, Decimal(25), Better.LOWER),
        "csat": KpiDefinition("csat", C, Decimal("4.5")),
        "on_time": KpiDefinition("on_time", IP, Decimal(100)),
        "training": KpiDefinition("training", L, Decimal(8)),
    },
    role_weights={"ads": {F: Decimal(50), C: Decimal(20), IP: Decimal(20), L: Decimal(10)}},
)
VALUES = {
    "gmv": Decimal(110000),  # 110 %
    "acos": Decimal(20),  # lower is better: 25 / 20 = 125 %, capped at 120 %
    "csat": Decimal("4.05"),  # 90 %
    "on_time": Decimal(95),  # 95 %
    "training": Decimal(6),  # 75 %
}


def test_composite_by_hand_with_the_default_weights() -> None:
    card = score_period("E1", "2026-09", VALUES, CONFIG)
    by_kpi = {k.kpi: k for k in card.kpis}
    assert by_kpi["acos"].attainment == Decimal(125)
    assert by_kpi["acos"].percent == Decimal(120)
    assert {p.perspective: p.percent for p in card.perspectives} == {
        F: Decimal(115),  # (110 + 120) / 2
        C: Decimal(90),
        IP: Decimal(95),
        L: Decimal(75),
    }
    # 0.4 * 115 + 0.3 * 90 + 0.2 * 95 + 0.1 * 75 = 99.5 % -> 9.95 -> 10.0 (half up, once)
    assert card.composite_percent == Decimal("99.5")
    assert card.points == Decimal("10.0")


def test_role_weights_override_the_default() -> None:
    card = score_period("E1", "2026-09", VALUES, CONFIG, role="ads")
    # 0.5 * 115 + 0.2 * 90 + 0.2 * 95 + 0.1 * 75 = 57.5 + 18 + 19 + 7.5 = 102
    assert card.composite_percent == Decimal(102)
    assert card.points == Decimal("10.2")


def test_a_missing_perspective_renormalises_the_rest() -> None:
    values = {k: v for k, v in VALUES.items() if k != "training"}
    card = score_period("E1", "2026-09", values, CONFIG)
    # (46 + 27 + 19) / 0.9 = 102.22 -> 10.2
    assert card.missing == (L,)
    assert card.points == Decimal("10.2")
    assert sum((p.weight for p in card.perspectives), Decimal(0)).quantize(Decimal(1)) == 100


def test_cap_floor_and_unknown_kpis() -> None:
    card = score_period(
        "E1",
        "2026-09",
        {"gmv": Decimal(-5), "acos": Decimal(0), "returns": Decimal(3)},
        CONFIG,
    )
    by_kpi = {k.kpi: k.percent for k in card.kpis}
    assert by_kpi == {"gmv": Decimal(0), "acos": Decimal(120)}
    assert card.ignored == ("returns",)
    assert card.points == Decimal("6.0")  # financial only: (0 + 120) / 2


def test_one_card_per_period_oldest_first() -> None:
    cards = scorecards(
        "E1",
        [
            KpiValue("2026-09", "csat", Decimal("4.5")),
            KpiValue("2026-08", "csat", Decimal("3.6")),
        ],
        CONFIG,
    )
    assert [(c.period, c.points) for c in cards] == [
        ("2026-08", Decimal("8.0")),
        ("2026-09", Decimal("10.0")),
    ]


def test_the_example_config_loads_and_bad_ones_are_named() -> None:
    config = load_scorecard(ROOT / "config/people/scorecard.yaml")
    assert config.kpis["acos"].better is Better.LOWER
    assert config.weights_for("ads specialist")[F] == 50
    assert config.weights_for("picker")[F] == 40
    with pytest.raises(ConfigInvalid, match=r"kpis.gmv.target"):
        scorecard_from_dict({"kpis": {"gmv": {"perspective": "financial", "target": 0}}})
    with pytest.raises(ConfigInvalid, match=r"kpis.gmv.perspective"):
        scorecard_from_dict({"kpis": {"gmv": {"perspective": "money", "target": 1}}})
