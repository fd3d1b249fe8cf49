"""Punches a gateway held in its outbox reach the store late; incremental compute sees them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from drivers.punch import punch_id
from gateway.punches.wire import PunchWire
from gateway.sync.uploader import StoreCentre
from hrcore.models import AttendanceDay, PunchRecord, PunchStateCode
from hrcore.store.attendance import compute_attendance, recompute_stale
from tests.hrcore.store.attendance.seed import TZ, make_store


def test_outbox_punch_uploaded_after_a_compute_is_recomputed(
    session_factory: sessionmaker[Session],
) -> None:
    store = make_store(session_factory, employees=("E1",))
    store.punch("1", "2025-09-23T09:00:00", PunchStateCode.IN)
    with store.factory.begin() as s:
        compute_attendance(s, date(2025, 9, 22), date(2025, 9, 26), clock=store.clock)
    local = datetime(2025, 9, 23, 18, 0, tzinfo=TZ)
    read_a_week_ago = PunchWire(
        id=punch_id("SN1", "1", local),
        device_sn="SN1",
        device_user="1",
        local_time=local,
        timezone="Asia/Shanghai",
        received_at=store.clock() - timedelta(days=7),
        state=PunchStateCode.OUT,
    )
    # StoreCentre stamps stored_at with the real clock, which is after the test clock's compute
    assert StoreCentre(session_factory).send([read_a_week_ago]).accepted == 1
    with store.factory() as s:
        row = s.get_one(PunchRecord, read_a_week_ago.id)
        assert row.stored_at > store.clock() > row.received_at
    store.clock.advance(60)
    with store.factory.begin() as s:
        report = recompute_stale(s, date(2025, 9, 22), date(2025, 9, 26), clock=store.clock)
    assert report.days_updated == 1
    with store.factory() as s:
        day = s.scalars(select(AttendanceDay).where(AttendanceDay.date == date(2025, 9, 23))).one()
    assert (day.status, day.worked_minutes) == ("present", 540)
