"""Computing attendance over the store: roster sources, closed pay periods, bad rosters."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from drivers.punch import punch_id
from hrcore.errors import InvalidData
from hrcore.models import (
    AuditEntry,
    PayPeriod,
    PayPeriodStatus,
)
from hrcore.store import PunchIn, insert_punches
from hrcore.store.attendance import (
    compute_attendance,
    recompute_stale,
)
from tests.hrcore.store.attendance.seed import TZ, Store, compute, days_of


def test_default_shift_follows_the_official_calendar(store: Store) -> None:
    store.punch("1", "2025-09-26T08:58:00")
    store.punch("1", "2025-09-26T18:05:00")
    store.punch("1", "2025-09-28T09:00:00")  # Sunday, adjusted working day
    store.punch("1", "2025-09-28T18:00:00")
    store.punch("1", "2025-10-04T10:00:00")  # bridging day of National Day
    store.punch("1", "2025-10-04T14:00:00")
    report = compute(store, date(2025, 9, 26), date(2025, 10, 6))
    assert report.days_inserted == 2 * 11
    e1 = days_of(store, "E1")
    assert (
        e1[date(2025, 9, 26)].status,
        e1[date(2025, 9, 26)].worked_minutes,
        e1[date(2025, 9, 26)].overtime_workday_minutes,
    ) == ("present", 547, 5)
    assert e1[date(2025, 9, 27)].status == "rest_day"
    assert (e1[date(2025, 9, 28)].status, e1[date(2025, 9, 28)].shift_type_id) == (
        "present",
        store.shift_ids["DAY"],
    )
    assert e1[date(2025, 9, 29)].status == "absent"  # rostered by default shift, no punch
    assert e1[date(2025, 10, 1)].status == "holiday"
    assert (e1[date(2025, 10, 4)].status, e1[date(2025, 10, 4)].overtime_restday_minutes) == (
        "unrostered_work",
        240,
    )
    assert days_of(store, "E2")[date(2025, 9, 26)].status == "absent"


def test_published_roster_overrides_the_default_shift(store: Store) -> None:
    store.publish(date(2025, 9, 22), date(2025, 9, 23), [("E1", date(2025, 9, 22), "NIGHT")])
    store.punch("1", "2025-09-22T21:55:00")
    store.punch("1", "2025-09-23T06:02:00")
    compute(store, date(2025, 9, 22), date(2025, 9, 24))
    e1 = days_of(store, "E1")
    assert (e1[date(2025, 9, 22)].status, e1[date(2025, 9, 22)].worked_minutes) == ("present", 487)
    assert e1[date(2025, 9, 22)].shift_type_id == store.shift_ids["NIGHT"]
    assert e1[date(2025, 9, 23)].status == "rest_day"  # the run covers it, no assignment
    assert e1[date(2025, 9, 24)].status == "absent"  # outside the run: default shift


def test_closed_pay_period_is_flagged_never_changed(store: Store) -> None:
    store.punch("1", "2025-09-23T09:00:00")
    compute(store, date(2025, 9, 23), date(2025, 9, 23))
    with store.factory.begin() as s:
        s.add(
            PayPeriod(
                site_id=store.site_id,
                start_date=date(2025, 9, 1),
                end_date=date(2025, 9, 30),
                status=PayPeriodStatus.CLOSED,
                closed_at=store.clock(),
            )
        )
    store.clock.advance()
    store.punch("1", "2025-09-23T18:00:00")
    with store.factory.begin() as s:
        report = recompute_stale(s, date(2025, 9, 23), date(2025, 9, 23), clock=store.clock)
    assert report.days_flagged == 1
    row = days_of(store, "E1")[date(2025, 9, 23)]
    assert (row.status, row.worked_minutes, row.needs_review) == ("missing_checkout", 0, True)
    assert row.trace[-1]["kind"] == "review"
    assert "status missing_checkout->present" in row.trace[-1]["message"]
    assert "worked_minutes 0->540" in row.trace[-1]["message"]
    with store.factory() as s:
        audit = s.scalars(select(AuditEntry)).all()
        assert [a.action for a in audit] == ["attendance.needs_review"]
    # recomputing again does not pile up notes
    with store.factory.begin() as s:
        again = compute_attendance(s, date(2025, 9, 23), date(2025, 9, 23), clock=store.clock)
    assert (again.days_flagged, again.days_unchanged) == (0, 2)  # E1 and E2


def test_overlapping_roster_is_reported_not_a_crash(store: Store) -> None:
    store.publish(
        date(2025, 9, 22),
        date(2025, 9, 23),
        [("E1", date(2025, 9, 22), "NIGHT"), ("E1", date(2025, 9, 23), "EARLY")],
    )
    report = compute(store, date(2025, 9, 22), date(2025, 9, 23))
    assert [(i.employee, i.date) for i in report.issues] == [("E1", date(2025, 9, 23))]
    assert days_of(store, "E1")[date(2025, 9, 23)].status == "data_error"


def test_insert_punches_refuses_a_naive_clock(store: Store) -> None:
    local = datetime(2025, 9, 23, 18, 5, tzinfo=TZ)
    punch = PunchIn(
        id=punch_id("SN1", "1", local),
        device_sn="SN1",
        device_user="1",
        local_time=local,
        timezone="Asia/Shanghai",
        received_at=store.clock(),
    )
    with store.factory.begin() as s, pytest.raises(InvalidData, match="naive"):
        insert_punches(s, [punch], clock=lambda: datetime(2025, 9, 23, 18, 5))  # noqa: DTZ001
