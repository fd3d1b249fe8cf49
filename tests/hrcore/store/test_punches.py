"""Punch storage on SQLite and PostgreSQL: idempotent, UTC, mapped to employees."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hrcore.errors import InvalidData
from hrcore.models import PunchRecord, PunchStateCode
from hrcore.store import (
    DeviceIn,
    EmployeeIn,
    PunchActivity,
    PunchIn,
    SiteIn,
    find_punches,
    get_employee,
    get_site,
    insert_punches,
    list_sites,
    map_device_user,
    punch_activity,
    punch_span,
    punches_around_day,
    save_device,
    save_employee,
    save_site,
)

CST = timezone(timedelta(hours=8))
RECEIVED = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)


def punch(user: str, minute: int, site_id: int | None = None) -> PunchIn:
    local = datetime(2025, 3, 3, 9, minute, tzinfo=CST)
    return PunchIn(
        id=uuid.uuid5(uuid.NAMESPACE_URL, f"SN1|{user}|{minute}"),
        device_sn="SN1",
        device_user=user,
        local_time=local,
        timezone="Asia/Shanghai",
        received_at=RECEIVED,
        state=PunchStateCode.IN,
        site_id=site_id,
    )


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PunchRecord)) or 0


def test_insert_punches_is_idempotent(session_factory: sessionmaker[Session]) -> None:
    batch = [punch("1", 0), punch("2", 1)]
    with session_factory.begin() as s:
        assert insert_punches(s, batch) == 2
    with session_factory.begin() as s:
        assert insert_punches(s, [*batch, punch("3", 2), punch("3", 2)]) == 1
    with session_factory.begin() as s:
        assert insert_punches(s, batch) == 0
        assert insert_punches(s, []) == 0
    with session_factory() as s:
        assert count(s) == 3


def test_punch_times_round_trip_as_aware_utc(session_factory: sessionmaker[Session]) -> None:
    p = punch("1", 0)
    with session_factory.begin() as s:
        insert_punches(s, [p])
    with session_factory() as s:
        row = s.get(PunchRecord, p.id)
        assert row is not None
        assert row.at == datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
        assert row.at.utcoffset() == timedelta(0)
        assert row.received_at == RECEIVED
        assert row.local_time == "2025-03-03T09:00:00+08:00"
        assert row.timezone == "Asia/Shanghai"
        assert row.state is PunchStateCode.IN
        # the query side compares instants, not wall times
        hits = s.scalars(
            select(PunchRecord.id).where(
                PunchRecord.at >= datetime(2025, 3, 3, 9, 0, tzinfo=CST),
                PunchRecord.at < datetime(2025, 3, 3, 1, 0, 1, tzinfo=UTC),
            )
        ).all()
        assert hits == [p.id]


@pytest.mark.parametrize("field", ["local_time", "received_at"])
def test_naive_times_are_refused(field: str) -> None:
    times = {"local_time": datetime(2025, 3, 3, 9, 0, tzinfo=CST), "received_at": RECEIVED}
    times[field] = times[field].replace(tzinfo=None)
    with pytest.raises(InvalidData, match=f"{field} is a naive datetime"):
        PunchIn(
            id=uuid.uuid4(),
            device_sn="SN1",
            device_user="1",
            timezone="Asia/Shanghai",
            **times,  # type: ignore[arg-type]
        )


def test_a_failing_batch_stores_nothing(session_factory: sessionmaker[Session]) -> None:
    with pytest.raises(IntegrityError), session_factory.begin() as s:
        insert_punches(s, [punch("1", 0), replace(punch("2", 1), device_id=999_999)])
    with session_factory() as s:
        assert count(s) == 0


def test_punches_are_mapped_to_employees_of_the_site(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        site = save_site(s, SiteIn("WH1", "Warehouse 1", "Asia/Shanghai"))
        emp = save_employee(s, site, EmployeeIn("E001", "Li Lei", date(2024, 1, 1)))
        map_device_user(s, site, "7", "E001")
        site_id, emp_id = site.id, emp.id
    with session_factory.begin() as s:
        assert insert_punches(s, [punch("7", 0, site_id), punch("8", 1, site_id)]) == 2
    with session_factory() as s:
        by_user = {r.device_user: r.employee_id for r in s.scalars(select(PunchRecord))}
        assert by_user == {"7": emp_id, "8": None}


def test_find_punches_filters_by_site_user_and_time(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        site = save_site(s, SiteIn("WH1", "Warehouse 1", "Asia/Shanghai"))
        save_site(s, SiteIn("WH2", "Warehouse 2", "Asia/Shanghai"))
        save_employee(s, site, EmployeeIn("E001", "Li Lei", date(2024, 1, 1)))
        map_device_user(s, site, "7", "E001")
        site_id = site.id
        insert_punches(s, [punch("7", 0, site_id), punch("7", 5, site_id), punch("8", 1)])
    with session_factory() as s:
        site = get_site(s, "WH1")
        everything = find_punches(s)
        assert [(p.device_user, p.employee_code) for p in everything] == [
            ("7", "E001"),
            ("8", None),
            ("7", "E001"),
        ]
        assert [p.device_user for p in find_punches(s, site=site)] == ["7", "7"]
        assert find_punches(s, site=get_site(s, "WH2")) == []
        window = find_punches(
            s,
            employee_code="E001",
            start=datetime(2025, 3, 3, 9, 1, tzinfo=CST),
            end=datetime(2025, 3, 3, 9, 6, tzinfo=CST),
        )
        assert [p.local_time for p in window] == ["2025-03-03T09:05:00+08:00"]
        assert len(find_punches(s, limit=1)) == 1
        with pytest.raises(InvalidData, match="aware"):
            find_punches(s, start=datetime(2025, 3, 3))  # noqa: DTZ001


def test_punch_span_is_the_first_and_last_mapped_punch_of_the_site(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        site = save_site(s, SiteIn("S1", "Site", "Asia/Shanghai"))
        other = save_site(s, SiteIn("S2", "Other", "Asia/Shanghai"))
        save_employee(s, site, EmployeeIn("E1", "One", date(2024, 1, 1)))
        assert punch_span(s, site) is None
        map_device_user(s, site, "1", "E1")
        insert_punches(
            s, [punch("1", 5, site.id), punch("1", 40, site.id), punch("9", 59, site.id)]
        )
        first, last = punch_span(s, site) or (None, None)
        assert (first, last) == (
            datetime(2025, 3, 3, 1, 5, tzinfo=UTC),
            datetime(2025, 3, 3, 1, 40, tzinfo=UTC),
        )
        assert punch_span(s, other) is None  # the unmapped user "9" counts for no site
        assert [x.code for x in list_sites(s)] == ["S1", "S2"]


def test_the_store_resolves_device_site_and_employee_once_from_the_serial(
    session_factory: sessionmaker[Session],
) -> None:
    """A batch as the centre receives it carries only what the clock said: serial and user."""
    with session_factory.begin() as s:
        site = save_site(s, SiteIn("WH1", "Warehouse 1", "Asia/Shanghai"))
        save_employee(s, site, EmployeeIn("E001", "Li Lei", date(2024, 1, 1)))
        map_device_user(s, site, "7", "E001")
        device = save_device(
            s, site, DeviceIn("SN1", driver="zkteco", timezone="Asia/Shanghai"), secret_key=None
        )
        ids = (device.id, get_employee(s, "E001").id)
        unregistered = replace(punch("7", 3), id=uuid.uuid4(), device_sn="SN-NEW")
        assert insert_punches(s, [punch("7", 0), punch("8", 1), unregistered]) == 3
    with session_factory() as s:
        rows = {(r.device_sn, r.device_user): r for r in s.scalars(select(PunchRecord))}
    assert (rows["SN1", "7"].device_id, rows["SN1", "7"].employee_id) == ids
    assert (rows["SN1", "8"].device_id, rows["SN1", "8"].employee_id) == (ids[0], None)
    assert (rows["SN-NEW", "7"].device_id, rows["SN-NEW", "7"].employee_id) == (None, None)


def test_punch_activity_counts_since_an_instant_and_names_the_newest(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as s:
        assert punch_activity(s, since=RECEIVED) == PunchActivity(since_count=0, latest=None)
    with session_factory.begin() as s:
        insert_punches(s, [punch("1", 0), punch("2", 30), punch("3", 59)])
    # 09:00, 09:30 and 09:59 in UTC+8 are 01:00, 01:30 and 01:59 UTC
    with session_factory() as s:
        activity = punch_activity(s, since=datetime(2025, 3, 3, 1, 30, tzinfo=UTC))
    assert activity.since_count == 2
    assert activity.latest == datetime(2025, 3, 3, 1, 59, tzinfo=UTC)


def test_punches_around_a_day_reach_into_the_next_morning_only(
    session_factory: sessionmaker[Session],
) -> None:
    zone = ZoneInfo("Asia/Shanghai")
    with session_factory.begin() as s:
        site = save_site(s, SiteIn("WH1", "Warehouse 1", "Asia/Shanghai"))
        save_employee(s, site, EmployeeIn("E001", "Li Lei", date(2024, 1, 1)))
        map_device_user(s, site, "7", "E001")
        site_id = site.id

    def at(day: int, hour: int, minute: int = 0) -> PunchIn:
        local = datetime(2025, 3, day, hour, minute, tzinfo=zone)
        return replace(
            punch("7", 0, site_id),
            id=uuid.uuid5(uuid.NAMESPACE_URL, f"SN1|7|{local.isoformat()}"),
            local_time=local,
        )

    # 17:59 the day before is outside; 18:00 before, a night out to 11:59 next day inside;
    # 12:00 next day is outside (36 h after midnight)
    with session_factory.begin() as s:
        insert_punches(s, [at(2, 17, 59), at(2, 18), at(3, 22), at(4, 6), at(4, 11, 59), at(4, 12)])
    with session_factory() as s:
        found = punches_around_day(s, "E001", date(2025, 3, 3), zone)
    local = [p.at.astimezone(zone).strftime("%d %H:%M") for p in found]
    assert local == ["02 18:00", "03 22:00", "04 06:00", "04 11:59"]
    assert {p.device_sn for p in found} == {"SN1"}
