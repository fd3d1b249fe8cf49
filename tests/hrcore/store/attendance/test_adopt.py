"""Punches without an employee: held and reported, then adopted once their device user is mapped."""

from __future__ import annotations

from datetime import date, datetime

from drivers.punch import punch_id
from hrcore.models import (
    DeviceUserMapping,
)
from hrcore.store import PunchIn, insert_punches
from hrcore.store.attendance import (
    recompute_stale,
    stale_days,
)
from tests.hrcore.store.attendance.seed import TZ, Store, compute, days_of


def test_unknown_device_user_is_held_and_reported_then_adopted(store: Store) -> None:
    store.punch("77", "2025-09-22T09:00:00")
    store.punch("77", "2025-09-22T18:00:00")
    report = compute(store, date(2025, 9, 22), date(2025, 9, 22))
    assert len(report.unmatched) == 2
    assert report.unmatched[0].device_user == "77"
    assert "not mapped to an employee of site WH1" in report.unmatched[0].reason
    with store.factory.begin() as s:
        s.add(
            DeviceUserMapping(
                site_id=store.site_id, device_user="77", employee_id=store.employee_ids["E2"]
            )
        )
    again = compute(store, date(2025, 9, 22), date(2025, 9, 22))
    assert again.unmatched == ()
    assert days_of(store, "E2")[date(2025, 9, 22)].status == "present"


def test_incremental_compute_picks_up_punches_of_a_user_mapped_later(store: Store) -> None:
    store.punch("77", "2025-09-23T09:00:00")
    store.punch("77", "2025-09-23T18:00:00")
    first = compute(store, date(2025, 9, 22), date(2025, 9, 26))
    assert len(first.unmatched) == 2
    assert days_of(store, "E2")[date(2025, 9, 23)].status == "absent"
    store.clock.advance(60)
    with store.factory.begin() as s:
        s.add(
            DeviceUserMapping(
                site_id=store.site_id, device_user="77", employee_id=store.employee_ids["E2"]
            )
        )
    with store.factory.begin() as s:
        report = recompute_stale(s, date(2025, 9, 22), date(2025, 9, 26), clock=store.clock)
    assert report.unmatched == ()
    assert (report.employees, report.days_updated) == (1, 1)
    e2 = days_of(store, "E2")
    assert (e2[date(2025, 9, 23)].status, e2[date(2025, 9, 23)].worked_minutes) == ("present", 540)
    assert e2[date(2025, 9, 23)].computed_at == store.clock()
    with store.factory() as s:
        assert stale_days(s, date(2025, 9, 22), date(2025, 9, 26)) == set()


def unregistered(store: Store, sn: str, user: str, local: str) -> PunchIn:
    """A punch as the push API / uploader stores it when no site has registered its serial."""
    at = datetime.fromisoformat(local).replace(tzinfo=TZ)
    return PunchIn(
        id=punch_id(sn, user, at),
        device_sn=sn,
        device_user=user,
        local_time=at,
        timezone="Asia/Shanghai",
        received_at=store.clock(),
    )


def test_punches_of_an_unregistered_device_are_reported_unmatched(store: Store) -> None:
    inside = unregistered(store, "SN-NEW", "5", "2025-09-23T09:00:00")
    with store.factory.begin() as s:
        insert_punches(
            s,
            [
                inside,
                unregistered(store, "SN-NEW", "5", "2025-09-30T09:00:00"),  # outside the span
            ],
            clock=store.clock,
        )
    store.punch("77", "2025-09-23T09:05:00")  # registered device, unmapped user
    report = compute(store, date(2025, 9, 22), date(2025, 9, 26))
    by_id = {u.punch_id: u for u in report.unmatched}
    assert len(report.unmatched) == 2
    new = by_id[str(inside.id)]
    assert (new.device_sn, new.device_user, new.employee_code) == ("SN-NEW", "5", None)
    assert "device SN SN-NEW is not registered" in new.reason
    assert "`shiftgate config apply`" in new.reason
    assert any("not mapped to an employee of site WH1" in u.reason for u in report.unmatched)
    store.clock.advance(60)
    store.punch("1", "2025-09-23T09:00:00")
    with store.factory.begin() as s:  # incremental compute reports it once too
        again = recompute_stale(s, date(2025, 9, 22), date(2025, 9, 26), clock=store.clock)
    assert [u.punch_id for u in again.unmatched].count(str(inside.id)) == 1
