"""Attendance over the HR store: roster sources, incremental recomputation, closed periods,
unknown device users, explain and hours export."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from drivers.punch import punch_id
from hrcore.attendance_store import (
    compute_attendance,
    explain_day,
    hours_by_employee,
    recompute_stale,
    stale_days,
)
from hrcore.errors import InvalidData, NotFound
from hrcore.models import (
    AttendanceDay,
    AuditEntry,
    DeviceUserMapping,
    Leave,
    LeaveKind,
    PayPeriod,
    PayPeriodStatus,
    PunchStateCode,
)
from hrcore.store import PunchIn, insert_punches
from tests.hrcore.attendance.seed import TZ, Store, make_store


@pytest.fixture
def store(session_factory: sessionmaker[Session]) -> Store:
    return make_store(session_factory)


def days_of(store: Store, code: str) -> dict[date, AttendanceDay]:
    with store.factory() as s:
        rows = s.scalars(
            select(AttendanceDay).where(AttendanceDay.employee_id == store.employee_ids[code])
        )
        return {r.date: r for r in rows}


def compute(store: Store, first: date, last: date):
    with store.factory.begin() as s:
        return compute_attendance(s, first, last, clock=store.clock)


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
    assert after_e1[date(2025, 9, 22)].computed_at == before_e1[date(2025, 9, 22)].computed_at
    assert {d: r.computed_at for d, r in after_e2.items()} == {
        d: r.computed_at for d, r in before_e2.items()
    }


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


def test_overlapping_roster_is_reported_not_a_crash(store: Store) -> None:
    store.publish(
        date(2025, 9, 22),
        date(2025, 9, 23),
        [("E1", date(2025, 9, 22), "NIGHT"), ("E1", date(2025, 9, 23), "EARLY")],
    )
    report = compute(store, date(2025, 9, 22), date(2025, 9, 23))
    assert [(i.employee, i.date) for i in report.issues] == [("E1", date(2025, 9, 23))]
    assert days_of(store, "E1")[date(2025, 9, 23)].status == "data_error"


def test_leave_explain_and_hours_export(store: Store) -> None:
    with store.factory.begin() as s:
        s.add(
            Leave(
                employee_id=store.employee_ids["E2"],
                kind=LeaveKind.ANNUAL,
                start_date=date(2025, 9, 23),
                end_date=date(2025, 9, 23),
            )
        )
    store.punch("1", "2025-09-22T09:10:00", PunchStateCode.IN)
    store.punch("1", "2025-09-22T09:10:30", PunchStateCode.IN)
    store.punch("1", "2025-09-22T19:00:00", PunchStateCode.OUT)
    store.punch("2", "2025-09-22T09:00:00")
    store.punch("2", "2025-09-22T18:00:00")
    compute(store, date(2025, 9, 22), date(2025, 9, 23))
    with store.factory() as s:
        why = explain_day(s, "E1", date(2025, 9, 22))
        assert (why.status, why.late_minutes, why.worked_minutes) == ("late", 10, 590)
        messages = [e.message for e in why.trace]
        assert messages[0].startswith(
            "shift DAY 09:00-18:00 on 2025-09-22 from default shift; window 08:00-22:00"
        )
        assert "09:10:30 ignored: bounce, within 60 s of the punch at 09:10:00" in messages
        assert "late: check-in 10 min after start (grace 5 min)" in messages
        with pytest.raises(NotFound, match="run `shiftgate attendance compute"):
            explain_day(s, "E1", date(2025, 9, 30))
        rows = {
            r.employee_code: r for r in hours_by_employee(s, date(2025, 9, 22), date(2025, 9, 23))
        }
    assert rows["E1"].worked_hours == Decimal("9.83")
    assert rows["E1"].overtime_workday_hours == Decimal("1.00")
    assert rows["E1"].regular_hours == Decimal("8.83")
    assert (rows["E1"].days_worked, rows["E1"].days_absent) == (1, 1)
    assert (rows["E2"].days_worked, rows["E2"].days_leave) == (1, 1)


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
    for day in (22, 23, 26):
        assert after[date(2025, 9, day)].computed_at == before[date(2025, 9, day)].computed_at


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
