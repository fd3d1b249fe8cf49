"""A short run of bench.risk_scale: the seeded site gives the levels the bench reports."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bench.risk_scale import AS_OF, SCORECARD, punches, seed
from hrcore.enums import RiskLevel
from hrcore.risk.model import RiskConfig
from hrcore.store import insert_punches
from hrcore.store.risk import evaluate_risk, reevaluate_after_punches


def test_a_small_risk_bench_run(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        seed(session, 200, random.Random(0))
    with session_factory.begin() as session:
        result = evaluate_risk(
            session,
            AS_OF,
            config=RiskConfig(),
            clock=lambda: datetime.now(UTC),
            scorecard=SCORECARD,
        )
    # one in 20 works 11.5 h days (long weeks + long days): red; the others' signals amber
    assert result.count(RiskLevel.RED) == 10
    assert len(result.alerts) == 10
    assert result.count(RiskLevel.AMBER) > 0
    before = datetime.now(UTC)
    with session_factory.begin() as session:
        assert insert_punches(session, punches(100, before)) == 100
    with session_factory.begin() as session:
        again = reevaluate_after_punches(
            session,
            before - timedelta(seconds=1),
            datetime.now(UTC) + timedelta(seconds=1),
            config=RiskConfig(),
            clock=lambda: datetime.now(UTC),
            scorecard=SCORECARD,
            as_of=AS_OF,
        )
    assert len(again.assessments) == 50
    assert again.alerts == ()  # the red ones stay red, nobody new turns red
