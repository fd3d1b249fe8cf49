"""Alerts in minutes: the punch that crosses the line reaches the store, the next watcher tick
(simulated clock) recomputes the day, turns the employee red and raises one alert, delivered
by webhook (retried after a failure) and acknowledged with an audited note."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gateway.metrics import GatewayMetrics
from gateway.notify.people_files import PeopleConfig
from gateway.notify.risk_watch import RiskWatcher
from gateway.notify.webhook import WebhookSender
from hrcore.enums import RiskLevel
from hrcore.models import AuditEntry, RiskAlert, RiskAssessment
from hrcore.store.risk import acknowledge_alert, list_alerts
from tests.hrcore.store.attendance.seed import make_store

FIVE_MINUTES = timedelta(minutes=5)


def level_of(factory: sessionmaker[Session], employee_id: int) -> RiskLevel | None:
    with factory() as s:
        row = s.scalar(select(RiskAssessment).where(RiskAssessment.employee_id == employee_id))
        return row.level if row is not None else None


def test_one_alert_within_five_minutes_of_the_punch_that_crossed_the_line(
    session_factory: sessionmaker[Session],
) -> None:
    store = make_store(session_factory)
    clock = store.clock
    clock.now = datetime(2025, 9, 1, 0, 0, tzinfo=UTC)
    received: list[dict[str, object]] = []
    answers = iter([503, 200])

    def hook(request: httpx.Request) -> httpx.Response:
        received.append(json.loads(request.content))
        return httpx.Response(next(answers))

    sender = WebhookSender(
        "http://hooks.test/risk", client=httpx.Client(transport=httpx.MockTransport(hook))
    )
    metrics = GatewayMetrics()
    watcher = RiskWatcher(
        session_factory,
        PeopleConfig(),
        clock=clock,
        metrics=metrics,
        sender=sender,
        since=clock.now,
    )
    # two and a half weeks of 08:00-19:30 days (11.5 h), each day's punches reaching the
    # store that evening, and the watcher ticking every minute or so
    days = [date(2025, 9, 1) + timedelta(days=i) for i in range(19) if (i % 7) < 5]
    for d in days[:-1]:
        clock.now = datetime.combine(d, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
        store.punch("1", f"{d}T08:00:00")
        store.punch("1", f"{d}T19:30:00")
        clock.advance(1)
        watcher.tick()
    e1 = store.employee_ids["E1"]
    # weeks 1 and 2 are 57.5 h, week 3 is 46 h by Thursday: long days, but no long run yet
    assert level_of(session_factory, e1) is RiskLevel.AMBER
    assert received == []
    # Friday 19 Sep: the check-out at 19:30 local (11:30 UTC) reaches the store at 11:31
    friday = days[-1]
    clock.now = datetime(2025, 9, 19, 1, 0, tzinfo=UTC)
    store.punch("1", f"{friday}T08:00:00")  # the morning check-in, 09:00 local
    clock.advance(1)
    assert watcher.tick().raised == ()
    clock.now = datetime(2025, 9, 19, 11, 31, tzinfo=UTC)
    crossed_at = clock.now
    store.punch("1", f"{friday}T19:30:00")
    clock.advance(1)  # the next tick, a minute later
    first = watcher.tick()
    assert len(first.raised) == 1
    assert (first.delivered, first.failed) == (0, 1)  # the hook answered 503
    with session_factory() as s:
        (alert,) = list_alerts(s)
    assert alert.level is RiskLevel.RED
    assert alert.reason == "red: long weeks + 1 more signal"
    assert alert.trigger_at == crossed_at
    assert alert.raised_at - crossed_at <= FIVE_MINUTES
    kinds = [f["kind"] for f in alert.flags]
    assert "long_weeks" in kinds
    long_weeks = next(f for f in alert.flags if f["kind"] == "long_weeks")
    assert long_weeks["evidence"][-1]["text"] == (  # type: ignore[index]
        "week 2025-W38 (15 Sep-21 Sep): 57.5 h worked, above 50 h"
    )
    # more punches, more ticks: still red, no second alert; the failed delivery is retried
    store.punch("2", f"{friday}T09:00:00")
    clock.advance(1)
    second = watcher.tick()
    assert (second.raised, second.delivered, second.failed) == ((), 1, 0)
    clock.advance(1)
    assert watcher.tick().raised == ()
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(RiskAlert)) == 1
    assert len(received) == 2  # the failed attempt and the retry, of the same alert
    assert {r["alert_id"] for r in received} == {alert.id}
    assert received[-1]["text"] == ("E1 (Worker E1) turned red: red: long weeks + 1 more signal")
    # the metric and the acknowledgement
    assert metrics.registry.get_sample_value("shiftgate_risk_alerts_total", {"level": "red"}) == 1
    assert (
        metrics.registry.get_sample_value(
            "shiftgate_risk_alert_deliveries_total", {"outcome": "delivered"}
        )
        == 1
    )
    delay = metrics.registry.get_sample_value("shiftgate_risk_alert_delay_seconds")
    assert delay is not None and delay <= FIVE_MINUTES.total_seconds()
    with session_factory.begin() as s:
        acknowledge_alert(s, alert.id, actor="hr:li", note="rest day booked", at=clock())
    with session_factory() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "acknowledge")).one()
        assert entry.detail == {"employee": "E1", "note": "rest day booked"}
        assert list_alerts(s, open_only=True) == []
