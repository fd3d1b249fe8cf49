from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from drivers.punch import DeviceUser
from gateway.devices.user_sync import SyncAction, apply_plan, load_roster, plan_device
from hrcore.models import AuditEntry, DeviceUserMapping, Employee, Site
from tests.gateway.devices.fake_device import FakeClockDevice, FakeConfig, FakeDriver
from tests.gateway.devices.test_manager import spec

TODAY = date(2025, 3, 10)


def seed(store: sessionmaker[Session]) -> None:
    with store.begin() as s:
        site = Site(code="WH1", name="Warehouse 1", timezone="Asia/Shanghai")
        s.add(site)
        s.flush()
        people = [
            ("E1", "Li Lei", "1", date(2024, 1, 1), None),  # on device, same name
            ("E2", "Han Meimei", "2", date(2024, 1, 1), None),  # renamed in HR
            ("E3", "Wang Wu", "3", date(2024, 1, 1), date(2025, 3, 1)),  # leaver
            ("E4", "Zhao Liu", "4", date(2025, 3, 10), None),  # new hire
            ("E5", "Future Hire", "5", date(2025, 4, 1), None),  # not started
        ]
        for code, name, pin, hired, left in people:
            e = Employee(code=code, name=name, site_id=site.id, hire_date=hired, exit_date=left)
            s.add(e)
            s.flush()
            s.add(DeviceUserMapping(site_id=site.id, device_user=pin, employee_id=e.id))


def test_plan_and_apply(store: sessionmaker[Session]) -> None:
    seed(store)
    dev = FakeClockDevice("SN1")
    dev.users = {
        "1": DeviceUser("1", "Li Lei", card="777", privilege=0),
        "2": DeviceUser("2", "Han M", card="888"),
        "3": DeviceUser("3", "Wang Wu"),
        "99": DeviceUser("99", "Admin", privilege=14),  # not in HR: never touched
    }
    before_admin = dev.users["99"]
    with store() as s:
        roster = load_roster(s, "WH1", TODAY)
    driver = FakeDriver(dev, FakeConfig(host="127.0.0.1"))
    plan = plan_device(spec("SN1"), driver.list_users(), roster)
    assert [(st.action, st.user_id) for st in plan.steps] == [
        (SyncAction.UPDATE, "2"),
        (SyncAction.ADD, "4"),
        (SyncAction.REMOVE, "3"),
    ]
    assert plan.unmanaged == ("99",)
    results = apply_plan(plan, driver, store, clock=lambda: datetime(2025, 3, 10, tzinfo=UTC))
    assert all(r.ok for r in results)
    assert set(dev.users) == {"1", "2", "4", "99"}
    assert dev.users["2"].name == "Han Meimei" and dev.users["2"].card == "888"
    assert dev.users["99"] == before_admin
    with store() as s:
        audit = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(a.action, a.detail["user_id"], a.detail["result"]) for a in audit] == [
        ("device.user.update", "2", "ok"),
        ("device.user.add", "4", "ok"),
        ("device.user.remove", "3", "ok"),
    ]
    # a second run finds nothing to do
    again = plan_device(spec("SN1"), driver.list_users(), roster)
    assert again.steps == ()


def test_truncated_device_name_is_not_an_update(store: sessionmaker[Session]) -> None:
    seed(store)
    with store() as s:
        roster = load_roster(s, "WH1", TODAY)
    users = [DeviceUser("1", "Li Lei"), DeviceUser("2", "Han Meim"), DeviceUser("4", "Zhao Liu")]
    assert plan_device(spec("SN1"), users, roster).steps == ()
