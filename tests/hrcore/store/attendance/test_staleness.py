"""Incremental recomputation: only the employee-days a late punch or roster change affects."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from drivers.punch import punch_id
from hrcore.store import PunchIn, insert_punches
from hrcore.store.attendance import (
    recompute_stale,
    stale_days,
)
from tests.hrcore.store.attendance.seed import TZ, Store, compute, days_of, make_store


def test_late_arriving_punches_recompute_only_affected_days(store: Store) -> None:
    for day in (22, 23, 24):
        store.punch("1", f"2025-09-{day}T09:00:00")
        store.punch("2", f"2025-09-{day}T09:00:00")
        store.punch("2", f"2025-09-{day}T18:00:00")
        if day != 23:
            store.punch("1", f"2025-09-{day}T18:00:00")
    compute(store, date(2025, 9, 22), date(2025, 9, 26))
    before_e1, before_e2 = days_of(store, "E1"), days_of(store, "E2")
    assert before_e1[date(2025, 9, 23)].status == "missing_checkout"
    with store.factory() as s:
        assert stale_days(s, date(2025, 9, 22), date(2025, 9, 26)) == set()

    store.clock.advance(24 * 60)  # the device was offline; its log arrives a day later
    store.punch("1", "2025-09-23T18:10:00")
    with store.factory() as s:
        e1 = store.employee_ids["E1"]
        assert stale_days(s, date(2025, 9, 22), date(2025, 9, 26)) == {
            (e1, date(2025, 9, 22)),
            (e1, date(2025, 9, 23)),
            (e1, date(2025, 9, 24)),
        }
    with store.factory.begin() as s:
        report = recompute_stale(s, date(2025, 9, 22), date(2025, 9, 26), clock=store.clock)
    assert (report.employees, report.days_updated) == (1, 1)
    after_e1, after_e2 = days_of(store, "E1"), days_of(store, "E2")
    redone = after_e1[date(2025, 9, 23)]
    assert (redone.status, redone.worked_minutes, redone.overtime_workday_minutes) == (
        "present",
        550,
        10,
    )
    assert redone.computed_at == store.clock()
    # the 22nd and 24th were stale too (the punch could have belonged to them) and came out
    # unchanged: same figures, computed_at moved so the next pass finds nothing stale
    for day in (22, 24):
        old, new = before_e1[date(2025, 9, day)], after_e1[date(2025, 9, day)]
        assert (new.status, new.worked_minutes, new.trace) == (
            old.status,
            old.worked_minutes,
            old.trace,
        )
        assert new.computed_at == store.clock()
    assert after_e1[date(2025, 9, 25)].computed_at == before_e1[date(2025, 9, 25)].computed_at
    with store.factory() as s:
        assert stale_days(s, date(2025, 9, 22), date(2025, 9, 26)) == set()
    assert {d: r.computed_at for d, r in after_e2.items()} == {
        d: r.computed_at for d, r in before_e2.items()
    }


def test_roster_change_recomputes_only_the_affected_days(store: Store) -> None:
    for day in (22, 23):
        store.punch("1", f"2025-09-{day}T09:00:00")
        store.punch("1", f"2025-09-{day}T18:00:00")
    store.punch("1", "2025-09-24T21:58:00")  # worked a night the roster did not show yet
    store.punch("1", "2025-09-25T06:01:00")
    compute(store, date(2025, 9, 22), date(2025, 9, 26))
    before = days_of(store, "E1")
    assert before[date(2025, 9, 24)].status == "missing_checkout"  # judged on the day shift
    assert before[date(2025, 9, 25)].status == "absent"
    store.clock.advance(120)
    store.publish(date(2025, 9, 24), date(2025, 9, 24), [("E1", date(2025, 9, 24), "NIGHT")])
    with store.factory() as s:
        e1 = store.employee_ids["E1"]
        assert stale_days(s, date(2025, 9, 22), date(2025, 9, 26)) == {
            (e1, date(2025, 9, 23)),
            (e1, date(2025, 9, 24)),
            (e1, date(2025, 9, 25)),
        }
    with store.factory.begin() as s:
        report = recompute_stale(s, date(2025, 9, 22), date(2025, 9, 26), clock=store.clock)
    after = days_of(store, "E1")
    night = after[date(2025, 9, 24)]
    assert (night.status, night.worked_minutes, night.shift_type_id) == (
        "present",
        483,
        store.shift_ids["NIGHT"],
    )
    # the 25th keeps its status; only its trace loses the 06:01 punch it could not place
    assert after[date(2025, 9, 25)].status == "absent"
    assert not any("06:01" in e["message"] for e in after[date(2025, 9, 25)].trace)
    assert (report.employees, report.days_updated) == (1, 2)
    for day in (22, 26):
        assert after[date(2025, 9, day)].computed_at == before[date(2025, 9, day)].computed_at
    assert after[date(2025, 9, 23)].status == before[date(2025, 9, 23)].status
    with store.factory() as s:
        assert stale_days(s, date(2025, 9, 22), date(2025, 9, 26)) == set()


def test_late_monday_punch_moves_friday_weekly_overtime(
    session_factory: sessionmaker[Session],
) -> None:
    store = make_store(session_factory, employees=("E1",), policy="us-flsa")
    for day in (22, 23, 24, 25, 26):  # Mon-Fri, 10 h a day
        store.punch("1", f"2025-09-{day}T08:00:00")
        if day != 22:
            store.punch("1", f"2025-09-{day}T18:00:00")
    compute(store, date(2025, 9, 21), date(2025, 9, 27))
    assert days_of(store, "E1")[date(2025, 9, 26)].overtime_workday_minutes == 0  # 40 h
    store.clock.advance(60)
    store.punch("1", "2025-09-22T18:00:00")  # Monday's check-out arrives late
    with store.factory.begin() as s:
        report = recompute_stale(s, date(2025, 9, 21), date(2025, 9, 27), clock=store.clock)
    after = days_of(store, "E1")
    assert after[date(2025, 9, 22)].worked_minutes == 600
    assert after[date(2025, 9, 26)].overtime_workday_minutes == 600  # hours 41-50 of the week
    assert report.days_updated == 2  # Monday and Friday; the rest did not change


def test_punch_read_before_the_compute_but_stored_after_it_is_recomputed(store: Store) -> None:
    """A gateway outbox held the check-out through a network cut: it was read (received_at) a
    week before the compute, but reached the store after it."""
    store.punch("1", "2025-09-23T09:00:00")
    compute(store, date(2025, 9, 22), date(2025, 9, 26))
    assert days_of(store, "E1")[date(2025, 9, 23)].status == "missing_checkout"
    store.clock.advance(60)
    local = datetime(2025, 9, 23, 18, 5, tzinfo=TZ)
    held = PunchIn(
        id=punch_id("SN1", "1", local),
        device_sn="SN1",
        device_user="1",
        local_time=local,
        timezone="Asia/Shanghai",
        received_at=store.clock() - timedelta(days=7),
        site_id=store.site_id,
    )
    with store.factory.begin() as s:
        assert insert_punches(s, [held], clock=store.clock) == 1
    e1 = store.employee_ids["E1"]
    with store.factory() as s:
        assert (e1, date(2025, 9, 23)) in stale_days(s, date(2025, 9, 22), date(2025, 9, 26))
    with store.factory.begin() as s:
        report = recompute_stale(s, date(2025, 9, 22), date(2025, 9, 26), clock=store.clock)
    day = days_of(store, "E1")[date(2025, 9, 23)]
    assert (day.status, day.worked_minutes, day.computed_at) == ("present", 545, store.clock())
    assert report.days_updated == 1
