"""Sites, employees, device users, devices and the audit log, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hrcore.errors import InvalidData, NotFound
from hrcore.models import (
    AuditEntry,
    Device,
    DeviceUserMapping,
    Employee,
    PayBasis,
    PayPeriod,
    PayrollLine,
    PayrollResult,
    PayrollRun,
    Site,
)
from hrcore.secrets import SecretKeyError, generate_key
from hrcore.store import (
    AuditIn,
    DeviceIn,
    EmployeeIn,
    OrgUnitIn,
    ShiftTypeIn,
    SiteIn,
    device_secret,
    device_user_map,
    devices_by_serial,
    employee_page,
    find_device,
    get_device,
    get_employee,
    get_site,
    list_employees,
    map_device_user,
    mapped_device_users,
    record_audit,
    save_device,
    save_employee,
    save_org_unit,
    save_shift_type,
    save_site,
    site_code_of,
)
from hrcore.store.devices import sites_of_serials

SITE = SiteIn("WH1", "Warehouse 1", "Asia/Shanghai", city="Hangzhou")


def seed(s: Session) -> Site:
    site = save_site(s, SITE)
    save_org_unit(s, site, OrgUnitIn("OPS", "Operations"))
    save_org_unit(s, site, OrgUnitIn("PICK", "Picking", parent_code="OPS"))
    save_shift_type(s, site, ShiftTypeIn("N", time(22), time(6), "Night", break_minutes=30))
    save_employee(
        s,
        site,
        EmployeeIn(
            "E001",
            "Han Meimei",
            date(2023, 5, 2),
            org_unit_code="PICK",
            skills=("forklift", "picking"),
            pay_basis=PayBasis.HOURLY,
            base_pay=Decimal("27.50"),
            default_shift_code="N",
        ),
    )
    return site


def test_save_functions_create_then_update_in_place(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        seed(s)
    with session_factory.begin() as s:
        seed(s)  # applying the same configuration twice changes nothing
        save_site(s, SiteIn("WH1", "Warehouse One", "Asia/Shanghai"))
    with session_factory() as s:
        site = get_site(s, "WH1")
        assert site.name == "Warehouse One"
        assert len(s.scalars(select(Site)).all()) == 1
        [emp] = list_employees(s, site)
        assert emp.code == "E001"
        assert emp.skills == ["forklift", "picking"]
        assert emp.pay_basis is PayBasis.HOURLY
        assert emp.default_shift_type_id is not None


def test_money_round_trips_as_exact_decimal(session_factory: sessionmaker[Session]) -> None:
    amounts = [Decimal("0.01"), Decimal("1234567890.99"), Decimal("-0.10"), Decimal("0.30")]
    with session_factory.begin() as s:
        site = seed(s)
        emp = get_employee(s, "E001")
        period = PayPeriod(site_id=site.id, start_date=date(2025, 3, 1), end_date=date(2025, 3, 31))
        s.add(period)
        s.flush()
        run = PayrollRun(
            pay_period_id=period.id,
            created_at=datetime(2025, 4, 1, tzinfo=UTC),
            actor="test",
            fingerprint="0" * 64,
        )
        s.add(run)
        s.flush()
        result = PayrollResult(
            run_id=run.id,
            pay_period_id=period.id,
            employee_id=emp.id,
            gross=Decimal("0.10") + Decimal("0.20"),
            net=Decimal("9999999999.99"),
            computed_at=datetime(2025, 4, 1, tzinfo=UTC),
        )
        s.add(result)
        s.flush()
        s.add_all(
            PayrollLine(result_id=result.id, sequence=i, code=f"L{i}", label="x", amount=a)
            for i, a in enumerate(amounts)
        )
    with session_factory() as s:
        emp = get_employee(s, "E001")
        assert emp.base_pay == Decimal("27.50")
        assert isinstance(emp.base_pay, Decimal)
        [result] = s.scalars(select(PayrollResult)).all()
        assert (result.gross, result.net) == (Decimal("0.30"), Decimal("9999999999.99"))
        lines = s.scalars(select(PayrollLine).order_by(PayrollLine.sequence)).all()
        assert [line.amount for line in lines] == amounts
        assert all(isinstance(line.amount, Decimal) for line in lines)
        assert sum(line.amount for line in lines) == Decimal("1234567891.20")


def test_money_must_be_decimal_and_not_negative(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        site = save_site(s, SITE)
        with pytest.raises(InvalidData, match="Decimal"):
            save_employee(s, site, EmployeeIn("E9", "x", date(2024, 1, 1), base_pay=27.5))  # type: ignore[arg-type]
        with pytest.raises(InvalidData, match="negative"):
            save_employee(s, site, EmployeeIn("E9", "x", date(2024, 1, 1), base_pay=Decimal(-1)))


def test_non_utc_times_are_stored_as_the_same_instant(
    session_factory: sessionmaker[Session],
) -> None:
    at = datetime(2025, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    with session_factory.begin() as s:
        record_audit(s, AuditIn(at=at, actor="ops", action="login", entity="user"))
    with session_factory() as s:
        [entry] = s.scalars(select(AuditEntry)).all()
        assert entry.at == at
        assert entry.at.tzinfo is not None and entry.at.utcoffset() == timedelta(0)
        assert entry.at.hour == 4 and entry.at.day == 2


def test_invalid_references_are_clear_errors(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        site = seed(s)
        with pytest.raises(InvalidData, match="IANA timezone"):
            save_site(s, SiteIn("WH2", "x", "China/Beijing"))
        with pytest.raises(NotFound, match="org unit 'NOPE'"):
            save_employee(s, site, EmployeeIn("E2", "x", date(2024, 1, 1), org_unit_code="NOPE"))
        with pytest.raises(NotFound, match="employee 'E404'"):
            map_device_user(s, site, "5", "E404")
        with pytest.raises(NotFound, match=r"site 'XX'.*config/site\.yaml"):
            get_site(s, "XX")
        with pytest.raises(NotFound, match=r"devices\.yaml"):
            get_device(s, "SN404")
        with pytest.raises(InvalidData, match="exit_date"):
            save_employee(
                s, site, EmployeeIn("E3", "x", date(2024, 1, 1), exit_date=date(2023, 1, 1))
            )


def test_device_user_mapping_is_unique_per_site_and_remappable(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        site = seed(s)
        save_employee(s, site, EmployeeIn("E002", "Wei Hua", date(2024, 2, 1)))
        map_device_user(s, site, " 12 ", "E001")
        map_device_user(s, site, "13", "E002")
        map_device_user(s, site, "12", "E002")  # remap: update, not a second row
    with session_factory() as s:
        assert device_user_map(s, get_site(s, "WH1")) == {"12": "E002", "13": "E002"}
        assert len(s.scalars(select(DeviceUserMapping)).all()) == 2


def test_mapped_device_users_carry_the_employee_and_devices_are_found_by_serial(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        site = seed(s)
        left = EmployeeIn("E002", "Wei Hua", date(2024, 2, 1), exit_date=date(2024, 9, 30))
        save_employee(s, site, left)
        map_device_user(s, site, "12", "E001")
        map_device_user(s, site, "13", "E002")
        save_device(s, site, DeviceIn("SN1", "zkteco", "Asia/Shanghai"), secret_key=None)
    with session_factory() as s:
        users = sorted(mapped_device_users(s, get_site(s, "WH1")), key=lambda u: u.device_user)
        found, missing = find_device(s, "SN1"), find_device(s, "SN-NEW")
    assert [(u.device_user, u.name, u.exit_date) for u in users] == [
        ("12", "Han Meimei", None),
        ("13", "Wei Hua", date(2024, 9, 30)),
    ]
    assert (found is not None and found.serial_number, missing) == ("SN1", None)


def test_employees_and_devices_are_listed_with_their_site(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        site = seed(s)
        other = save_site(s, SiteIn("WH2", "Warehouse 2", "Asia/Shanghai"))
        save_employee(s, other, EmployeeIn("E002", "Wei Hua", date(2024, 2, 1)))
        save_employee(s, other, EmployeeIn("E003", "Li Lei", date(2024, 2, 1)))
        save_device(s, other, DeviceIn("SN2", "zkteco", "Asia/Shanghai"), secret_key=None)
        save_device(s, site, DeviceIn("SN1", "zkteco", "Asia/Shanghai"), secret_key=None)
    with session_factory() as s:
        wh2 = get_site(s, "WH2")
        page, total = employee_page(s, limit=2)
        rest, _ = employee_page(s, limit=2, offset=2)
        found, n_found = employee_page(s, site=wh2, text="li", limit=9)
        devices = [(d.serial_number, code) for d, code in devices_by_serial(s)]
        at_wh2 = [d.serial_number for d, _ in devices_by_serial(s, wh2)]
        home = site_code_of(s, get_employee(s, "E003"))
    assert ([(e.employee.code, e.site_code) for e in page + rest], total) == (
        [("E001", "WH1"), ("E002", "WH2"), ("E003", "WH2")],
        3,
    )
    assert ([e.employee.code for e in found], n_found) == (["E003"], 1)
    assert (devices, at_wh2, home) == ([("SN1", "WH1"), ("SN2", "WH2")], ["SN2"], "WH2")
    with session_factory() as s:
        assert sites_of_serials(s, ["SN2", "SN-NEW", "SN1"]) == {"SN1": "WH1", "SN2": "WH2"}


def duplicate_row(kind: str, site_id: int, emp_id: int) -> object:
    if kind == "site-code":
        return Site(code="WH1", name="again", timezone="UTC")
    if kind == "employee-code":
        return Employee(code="E001", name="again", site_id=site_id, hire_date=date(2024, 1, 1))
    if kind == "device-user":
        return DeviceUserMapping(site_id=site_id, device_user="12", employee_id=emp_id)
    return Device(serial_number="SN1", driver="files", site_id=site_id, timezone="UTC")


@pytest.mark.parametrize("kind", ["site-code", "employee-code", "device-user", "device-serial"])
def test_unique_constraints_hold_in_the_database(
    session_factory: sessionmaker[Session], kind: str
) -> None:
    with session_factory.begin() as s:
        site = seed(s)
        map_device_user(s, site, "12", "E001")
        save_device(s, site, DeviceIn("SN1", "files", "Asia/Shanghai"), secret_key=None)
        site_id, emp_id = site.id, get_employee(s, "E001").id
    with pytest.raises(IntegrityError, match=r"(?i)unique"), session_factory.begin() as s:
        s.add(duplicate_row(kind, site_id, emp_id))


def test_device_secret_is_encrypted_at_rest(session_factory: sessionmaker[Session]) -> None:
    key = generate_key()
    with session_factory.begin() as s:
        site = seed(s)
        device = DeviceIn(
            "SN1", "zkteco", "Asia/Shanghai", connection={"host": "10.0.0.5"}, secret="123456"
        )
        save_device(s, site, device, secret_key=key)
    with session_factory() as s:
        stored = get_device(s, "SN1")
        assert stored.secret_ciphertext is not None
        assert b"123456" not in stored.secret_ciphertext
        assert stored.connection == {"host": "10.0.0.5"}
        assert device_secret(stored, key) == "123456"
        with pytest.raises(SecretKeyError, match="cannot be decrypted"):
            device_secret(stored, generate_key())
    with session_factory.begin() as s:  # secret=None keeps the stored secret
        save_device(s, get_site(s, "WH1"), DeviceIn("SN1", "zkteco", "UTC"), secret_key=None)
    with session_factory() as s:
        assert device_secret(get_device(s, "SN1"), key) == "123456"


def test_storing_a_secret_without_a_key_is_refused(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        site = seed(s)
        for key in (None, "", "not-a-fernet-key"):
            with pytest.raises(SecretKeyError, match="SHIFTGATE_SECRET_KEY"):
                save_device(s, site, DeviceIn("SN2", "zkteco", "UTC", secret="1"), secret_key=key)
    with session_factory() as s:
        assert s.scalars(select(Device)).all() == []


def test_audit_log_is_append_only_through_the_orm(session_factory: sessionmaker[Session]) -> None:
    at = datetime(2025, 3, 1, tzinfo=UTC)
    with session_factory.begin() as s:
        record_audit(s, AuditIn(at, "hr", "create", "employee", "E001", {"name": "Li"}))
    with pytest.raises(InvalidData, match="append-only"), session_factory.begin() as s:
        entry = s.scalars(select(AuditEntry)).one()
        entry.actor = "mallory"
        s.flush()
    with pytest.raises(InvalidData, match="append-only"), session_factory.begin() as s:
        s.delete(s.scalars(select(AuditEntry)).one())
        s.flush()
    with session_factory.begin() as s:
        record_audit(s, AuditIn(at, "hr", "update", "employee", "E001"))
    with session_factory() as s:
        entries = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(e.actor, e.action, e.detail) for e in entries] == [
            ("hr", "create", {"name": "Li"}),
            ("hr", "update", {}),
        ]
