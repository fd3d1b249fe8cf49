"""Career ladder with hand-computed positions and the missing requirements in words."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from hrcore.people.config import ladders_from_dict, load_ladders
from hrcore.people.errors import ConfigInvalid
from hrcore.people.ladder import PersonRecord, place

ROOT = Path(__file__).resolve().parents[3]
LADDERS, TITLES = load_ladders(ROOT / "config/people/ladder.yaml")


def test_the_ads_specialist_misses_a_course_a_skill_and_the_score() -> None:
    person = PersonRecord(
        skills=frozenset({"ppc"}),
        completions={"ads-basics": Decimal(100), "advanced-ads": Decimal(85)},
        kpis={"acos": {"2026-08": Decimal(28), "2026-09": Decimal(26)}},
        points={"2026-07": Decimal("9.5"), "2026-08": Decimal("9.1"), "2026-09": Decimal("8.7")},
    )
    pos = place(LADDERS["ads specialist"], person, TITLES)
    assert pos.current is not None and pos.current.code == "L2"
    assert pos.next is not None and pos.next.code == "L3"
    assert (pos.met, pos.total, pos.progress_percent) == (1, 4, Decimal(25))
    assert pos.missing == (
        "course 'advanced ads', completion 85 % of 90 %",
        "skill 'dsp'",
        "score at least 9 for 3 periods in a row (held 0)",
    )


def test_a_threshold_must_hold_in_consecutive_periods() -> None:
    person = PersonRecord(
        skills=frozenset({"forklift"}),
        completions={"warehouse-safety": Decimal(100)},
        # 07 and 09 hold, 08 does not: held 1 of 3
        kpis={"on_time": {"2026-07": Decimal(99), "2026-08": Decimal(97), "2026-09": Decimal(98)}},
        points={},
    )
    pos = place(LADDERS["picker"], person, TITLES)
    assert pos.current is not None and pos.current.code == "P1"
    assert pos.missing == ("KPI 'on_time' at least 98 for 3 periods in a row (held 1)",)
    held = PersonRecord(
        skills=frozenset({"forklift"}),
        completions={"warehouse-safety": Decimal(100)},
        kpis={"on_time": {"2026-07": Decimal(99), "2026-08": Decimal(98), "2026-09": Decimal(98)}},
        points={},
    )
    top = place(LADDERS["picker"], held, TITLES)
    assert top.current is not None and top.current.code == "P2"
    assert (top.next, top.missing, top.progress_percent) == (None, (), Decimal(100))


def test_below_the_first_level_and_a_gap_in_periods() -> None:
    person = PersonRecord(
        skills=frozenset(),
        completions={},
        kpis={"acos": {"2026-07": Decimal(20), "2026-09": Decimal(20)}},
        points={},
    )
    pos = place(LADDERS["ads specialist"], person, TITLES)
    assert pos.current is None
    assert pos.missing == ("course 'ads basics', not started (100 % needed)",)


def test_bad_ladders_are_named() -> None:
    with pytest.raises(ConfigInvalid, match=r"roles.r.0.thresholds.0: .*give at_least or at_most"):
        ladders_from_dict({"roles": {"r": [{"level": "A", "thresholds": [{"kpi": "x"}]}]}})
    with pytest.raises(ConfigInvalid, match=r"roles.r.0.courses.0.completion"):
        ladders_from_dict(
            {"roles": {"r": [{"level": "A", "courses": [{"course": "c", "completion": 150}]}]}}
        )
