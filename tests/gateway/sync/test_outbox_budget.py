"""The outbox's disk budget: an alarm before it, delivered ids pruned oldest first at it, and
never an undelivered punch dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config.service import GatewayConfig
from gateway.metrics import GatewayMetrics
from gateway.punches.wire import PunchWire
from gateway.service import outbox_budget
from gateway.sync.outbox import Outbox, OutboxBudget
from tests.gateway.helpers import make_wire

KIB = 1024


def wires(sn: str, start: int, n: int) -> list[PunchWire]:
    return [make_wire(sn, str(i % 50), start + i) for i in range(n)]


def test_the_alarm_comes_before_the_budget_and_pruning_keeps_pending(tmp_path: Path) -> None:
    budget = OutboxBudget(max_bytes=256 * KIB, alarm_fraction=0.8, prune_to_fraction=0.5)
    pruned: list[int] = []
    box = Outbox(tmp_path / "o.db", budget=budget, on_pruned=pruned.append)
    waiting = wires("SN-WAIT", 0, 40)
    box.commit("SN-WAIT", waiting, "w")  # never delivered
    delivered: list[PunchWire] = []
    alarm_seen_under_budget = False
    minute = 0
    while not pruned:
        batch = wires("SN1", minute, 100)
        minute += 100
        box.commit("SN1", batch, str(minute))
        usage = box.usage()
        alarm_seen_under_budget |= usage.alarm and usage.used_bytes <= budget.max_bytes
        box.confirm(p.id for p in batch)
        delivered += batch
        assert minute < 100_000, "the budget never pruned"
    usage = box.usage()
    assert alarm_seen_under_budget
    assert usage.used_bytes <= budget.prune_to_bytes < budget.max_bytes
    assert not usage.alarm and not usage.over_budget
    assert usage.pruned == sum(pruned) > 0
    # the undelivered punches are all still there
    assert box.depth() == 40
    assert [i.punch.id for i in box.peek(100)] == [p.id for p in waiting]
    # oldest deliveries were forgotten (a re-read queues them again), the newest remembered
    assert box.commit("SN1", [delivered[0]], None) == 1
    assert box.commit("SN1", [delivered[-1]], None) == 0


def test_over_budget_with_only_undelivered_punches_drops_nothing(tmp_path: Path) -> None:
    budget = OutboxBudget(max_bytes=64 * KIB, alarm_fraction=0.8, prune_to_fraction=0.5)
    box = Outbox(tmp_path / "o.db", budget=budget)
    for start in range(0, 2000, 200):
        box.commit("SN1", wires("SN1", start, 200), str(start))
    usage = box.usage()
    assert usage.over_budget and usage.alarm
    assert usage.pruned == 0
    assert box.depth() == 2000
    assert usage.peak_used_bytes >= usage.used_bytes > budget.max_bytes


def test_metrics_show_size_budget_alarm_and_pruning(tmp_path: Path) -> None:
    metrics = GatewayMetrics()
    budget = OutboxBudget(max_bytes=96 * KIB, alarm_fraction=0.6, prune_to_fraction=0.3)
    box = Outbox(tmp_path / "o.db", budget=budget, on_pruned=metrics.outbox_pruned.inc)
    metrics.watch_outbox_budget(
        lambda: box.usage().used_bytes, budget.max_bytes, lambda: box.usage().alarm
    )
    for start in range(0, 3000, 300):
        batch = wires("SN1", start, 300)
        box.commit("SN1", batch, str(start))
        box.confirm(p.id for p in batch)
    text = metrics.render().decode()
    assert f"shiftgate_outbox_budget_bytes {float(budget.max_bytes)}" in text
    assert "shiftgate_outbox_pruned_total" in text
    pruned = metrics.registry.get_sample_value("shiftgate_outbox_pruned_total")
    assert pruned == box.usage().pruned > 0
    assert f"shiftgate_outbox_bytes {float(box.usage().used_bytes)}" in text


def test_gateway_yaml_sets_the_budget() -> None:
    config = GatewayConfig.model_validate({"outbox": {"budget_mb": 1.5, "alarm_fraction": 0.9}})
    budget = outbox_budget(config)
    assert budget == OutboxBudget(max_bytes=1572864, alarm_fraction=0.9, prune_to_fraction=0.7)
    assert outbox_budget(GatewayConfig()) is None
    with pytest.raises(ValueError, match="prune_to_fraction"):
        GatewayConfig.model_validate({"outbox": {"alarm_fraction": 0.5}})
