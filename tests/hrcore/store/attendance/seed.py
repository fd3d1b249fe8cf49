"""A small HR store for attendance tests: one site, shift types, employees, a clock, punches."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hrcore.models import (
    AttendanceDay,
    Device,
    DeviceUserMapping,
    Employee,
    PunchStateCode,
    RosterAssignment,
    RosterRun,
    RosterStatus,
    ShiftType,
    Site,
)
from hrcore.store import PunchIn, insert_punches
from hrcore.store.attendance import ComputeReport, compute_attendance

TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class Clock:
    now: datetime = datetime(2025, 10, 10, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: int = 60) -> None:
        self.now += timedelta(minutes=minutes)


@dataclass
class Store:
    factory: sessionmaker[Session]
    clock: Clock = field(default_factory=Clock)
    site_id: int = 0
    shift_ids: dict[str, int] = field(default_factory=dict)
    employee_ids: dict[str, int] = field(default_factory=dict)

    def punch(
        self,
        user: str,
        local: str,
        state: PunchStateCode = PunchStateCode.UNDEFINED,
        device_sn: str = "SN1",
    ) -> int:
        at = datetime.fromisoformat(local).replace(tzinfo=TZ)
        with self.factory.begin() as s:
            return insert_punches(
                s,
                [
                    PunchIn(
                        id=uuid.uuid5(uuid.NAMESPACE_URL, f"{device_sn}|{user}|{local}"),
                        device_sn=device_sn,
                        device_user=user,
                        local_time=at,
                        timezone="Asia/Shanghai",
                        received_at=self.clock(),
                        state=state,
                        site_id=self.site_id,
                    )
                ],
                clock=self.clock,
            )

    def publish(self, first: date, last: date, assignments: list[tuple[str, date, str]]) -> int:
        with self.factory.begin() as s:
            run = RosterRun(
                site_id=self.site_id,
                date_from=first,
                date_to=last,
                status=RosterStatus.PUBLISHED,
                created_at=self.clock(),
                published_at=self.clock(),
            )
            s.add(run)
            s.flush()
            for emp, day, shift in assignments:
                s.add(
                    RosterAssignment(
                        roster_run_id=run.id,
                        employee_id=self.employee_ids[emp],
                        date=day,
                        shift_type_id=self.shift_ids[shift],
                    )
                )
            return run.id


def make_store(
    factory: sessionmaker[Session],
    *,
    employees: tuple[str, ...] = ("E1", "E2"),
    policy: str = "cn",
) -> Store:
    """Seed a migrated, empty HR store (the shared ``session_factory`` fixture gives one)."""
    store = Store(factory)
    with store.factory.begin() as s:
        site = Site(code="WH1", name="Warehouse 1", timezone="Asia/Shanghai", policy=policy)
        s.add(site)
        s.flush()
        store.site_id = site.id
        for code, start, end in (
            ("DAY", time(9), time(18)),
            ("NIGHT", time(22), time(6)),
            ("EARLY", time(5), time(13)),
        ):
            st = ShiftType(site_id=site.id, code=code, start=start, end=end)
            s.add(st)
            s.flush()
            store.shift_ids[code] = st.id
        s.add(
            Device(serial_number="SN1", driver="zkteco", site_id=site.id, timezone="Asia/Shanghai")
        )
        for n, code in enumerate(employees, start=1):
            emp = Employee(
                code=code,
                name=f"Worker {code}",
                site_id=site.id,
                hire_date=date(2024, 1, 1),
                default_shift_type_id=store.shift_ids["DAY"],
            )
            s.add(emp)
            s.flush()
            store.employee_ids[code] = emp.id
            s.add(DeviceUserMapping(site_id=site.id, device_user=str(n), employee_id=emp.id))
    return store


def days_of(store: Store, code: str) -> dict[date, AttendanceDay]:
    with store.factory() as s:
        rows = s.scalars(
            select(AttendanceDay).where(AttendanceDay.employee_id == store.employee_ids[code])
        )
        return {r.date: r for r in rows}


def compute(store: Store, first: date, last: date) -> ComputeReport:
    with store.factory.begin() as s:
        return compute_attendance(s, first, last, clock=store.clock)
