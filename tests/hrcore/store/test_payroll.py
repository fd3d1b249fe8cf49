"""Pay runs over the store: idempotent runs, bad data stops everything, site split, lock and
reopen (audited), diff, explain; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hrcore.enums import PayBasis
from hrcore.errors import InvalidData
from hrcore.models import (
    AttendanceDay,
    AuditEntry,
    Employee,
    PayPeriod,
    PayPeriodStatus,
    PayrollLine,
    PayrollResult,
    PayrollRun,
    PayrollRunStatus,
    PunchRecord,
    PunchStateCode,
)
from hrcore.payroll.templates import load_templates
from hrcore.store import DeviceIn, EmployeeIn, SiteIn, save_device, save_employee, save_site
from hrcore.store.payroll import (
    PayData,
    PayrollBlocked,
    current_run_id,
    diff_runs,
    explain_payslip,
    list_runs,
    lock_period,
    reopen_period,
    run_payroll,
)

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = load_templates(ROOT / "config" / "policies" / "cn")
MARCH = date(2025, 3, 1)
D = Decimal


@dataclass
class Clock:
    now: datetime = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@dataclass
class Payroll:
    factory: sessionmaker[Session]
    clock: Clock = field(default_factory=Clock)
    ids: dict[str, int] = field(default_factory=dict)

    def run(self, **kw: object) -> int:
        with self.factory.begin() as s:
            return run_payroll(s, "WH", MARCH, templates=TEMPLATES, clock=self.clock, **kw).run_id  # type: ignore[arg-type]

    def day(
        self,
        code: str,
        on: date,
        *,
        worked: int = 480,
        wd: int = 0,
        rd: int = 0,
        status: str = "present",
        review: bool = False,
        punches: tuple[str, ...] = (),
    ) -> None:
        with self.factory.begin() as s:
            s.add(
                AttendanceDay(
                    employee_id=self.ids[code],
                    date=on,
                    status=status,
                    worked_minutes=worked,
                    overtime_workday_minutes=wd,
                    overtime_restday_minutes=rd,
                    trace=[{"kind": "used", "message": "m", "punch_id": p} for p in punches],
                    computed_at=datetime(2025, 3, 31, tzinfo=UTC),
                    needs_review=review,
                )
            )

    def punch(self, code: str, sn: str, at: datetime) -> str:
        pid = uuid.uuid5(uuid.NAMESPACE_URL, f"{sn}|{code}|{at.isoformat()}")
        with self.factory.begin() as s:
            s.add(
                PunchRecord(
                    id=pid,
                    device_sn=sn,
                    device_user=code,
                    employee_id=self.ids[code],
                    local_time=at.isoformat(),
                    at=at,
                    timezone="Asia/Shanghai",
                    received_at=at,
                    stored_at=at,
                    state=PunchStateCode.IN,
                    source="test",
                )
            )
        return str(pid)


@pytest.fixture
def payroll(session_factory: sessionmaker[Session]) -> Payroll:
    p = Payroll(session_factory)
    with session_factory.begin() as s:
        wh = save_site(s, SiteIn("WH", "Warehouse", "Asia/Shanghai", city="Hangzhou"))
        dc = save_site(s, SiteIn("DC", "Depot", "Asia/Shanghai", city="Hangzhou"))
        save_device(s, wh, DeviceIn("SN-WH", "zkteco", "Asia/Shanghai"), secret_key=None)
        save_device(s, dc, DeviceIn("SN-DC", "zkteco", "Asia/Shanghai"), secret_key=None)
        for code, basis, pay in (("E1", PayBasis.MONTHLY, "8700"), ("E2", PayBasis.HOURLY, "50")):
            emp = save_employee(
                s,
                wh,
                EmployeeIn(
                    code, f"Name {code}", date(2024, 1, 1), pay_basis=basis, base_pay=D(pay)
                ),
            )
            p.ids[code] = emp.id
    return p


def counts(f: sessionmaker[Session]) -> tuple[int, int, int]:
    with f() as s:
        return (
            s.scalar(select(func.count()).select_from(PayrollRun)) or 0,
            s.scalar(select(func.count()).select_from(PayrollResult)) or 0,
            s.scalar(select(func.count()).select_from(PayrollLine)) or 0,
        )


def test_run_stores_traced_lines_and_is_idempotent(payroll: Payroll) -> None:
    payroll.day("E1", date(2025, 3, 3), worked=600, wd=120)
    payroll.day("E2", date(2025, 3, 3), worked=480)
    first = payroll.run()
    stored = counts(payroll.factory)
    assert stored[1] == 2 and stored[2] > 20
    assert payroll.run() == first  # same inputs: same run, nothing written
    assert counts(payroll.factory) == stored
    with payroll.factory() as s:
        slip = explain_payslip(s, "E1", MARCH)
    assert slip.amount("overtime.workday") == D("150.00")  # 8700 / 174 x 2 h x 150 %
    iit = next(li for li in slip.lines if li.code == "iit")
    assert "2018年第61号" in iit.source and iit.formula
    assert any(li.unconfirmed for li in slip.lines)  # Hangzhou figures are flagged


def test_changed_input_supersedes_the_draft_and_diff_names_the_moved_input(
    payroll: Payroll,
) -> None:
    payroll.day("E1", date(2025, 3, 3), worked=600, wd=120)
    a = payroll.run()
    payroll.day("E1", date(2025, 3, 4), worked=540, wd=60)
    b = payroll.run()
    assert b != a
    with payroll.factory() as s:
        statuses = {r.run_id: r.status for r in list_runs(s, "WH")}
        diff = diff_runs(s, a, b)
    assert statuses == {a: PayrollRunStatus.SUPERSEDED, b: PayrollRunStatus.DRAFT}
    ot = next(c for c in diff.changes if c.employee == "E1" and c.code == "overtime.workday")
    assert (ot.before, ot.after) == (D("150.00"), D("225.00"))
    assert ("minutes", "120.00", "180.00") in ot.moved


def test_bad_data_stops_the_run_naming_every_problem(payroll: Payroll) -> None:
    payroll.day("E1", date(2025, 3, 3), review=True)
    with payroll.factory.begin() as s:
        s.add(
            Employee(
                code="E3",
                name="No pay",
                site_id=s.get(Employee, payroll.ids["E1"]).site_id,  # type: ignore[union-attr]
                hire_date=date(2024, 1, 1),
                base_pay=D(0),
            )
        )
    with pytest.raises(PayrollBlocked) as err:
        payroll.run(pay_data={"E9": PayData()})
    messages = {p.employee: p.message for p in err.value.problems}
    assert "need review" in messages["E1"] and "2025-03-03" in messages["E1"]
    assert "no base pay" in messages["E3"]
    assert "not at site WH" in messages["E9"]
    assert counts(payroll.factory) == (0, 0, 0)
    with payroll.factory() as s:
        assert s.scalar(select(func.count()).select_from(PayPeriod)) == 0


def test_a_month_without_attendance_is_refused(payroll: Payroll) -> None:
    with pytest.raises(PayrollBlocked, match="no attendance computed in 2025-03"):
        payroll.run()
    assert counts(payroll.factory) == (0, 0, 0)


def test_unknown_city_is_a_problem(payroll: Payroll) -> None:
    payroll.day("E1", date(2025, 3, 3))
    with payroll.factory.begin() as s:
        s.get(Employee, payroll.ids["E2"]).social_insurance_city = "Atlantis"  # type: ignore[union-attr]
    with pytest.raises(PayrollBlocked, match="unknown social-insurance city 'Atlantis'"):
        payroll.run()


def test_hours_and_cost_go_to_the_site_whose_clock_was_punched(payroll: Payroll) -> None:
    at = datetime(2025, 3, 3, 0, 55, tzinfo=UTC)
    wh = payroll.punch("E2", "SN-WH", at)
    dc = payroll.punch("E2", "SN-DC", at + timedelta(days=1))
    payroll.day("E2", date(2025, 3, 3), worked=540, wd=60, punches=(wh,))
    payroll.day("E2", date(2025, 3, 4), worked=480, rd=480, punches=(dc,))
    payroll.run()
    with payroll.factory() as s:
        slip = explain_payslip(s, "E2", MARCH)
    by = {(li.code, li.site): li.amount for li in slip.lines if li.site}
    assert by[("base", "WH")] == D("400.00")  # 8 h x 50
    assert by[("overtime.workday", "WH")] == D("75.00")
    assert by[("overtime.restday", "DC")] == D("800.00")  # 8 h x 50 x 200 %
    costs = {li.site: li.amount for li in slip.lines if li.code == "cost.site"}
    assert set(costs) == {"WH", "DC"}
    employer = sum(li.amount for li in slip.lines if li.kind.value == "employer")
    assert sum(costs.values()) == slip.amount("gross") + employer


def test_lock_refuses_a_run_until_reopened_with_a_reason(payroll: Payroll) -> None:
    payroll.day("E1", date(2025, 3, 3))
    first = payroll.run()
    with payroll.factory.begin() as s:
        report = lock_period(s, "WH", MARCH, clock=payroll.clock, actor="test")
    assert report.run_id == first
    with pytest.raises(InvalidData, match="is locked"):
        payroll.run()
    with payroll.factory.begin() as s, pytest.raises(InvalidData, match="needs a reason"):
        reopen_period(s, "WH", MARCH, "  ", clock=payroll.clock)
    with payroll.factory.begin() as s:
        assert (
            reopen_period(s, "WH", MARCH, "E1 bonus missing", clock=payroll.clock, actor="hr")
            == first
        )
    with payroll.factory() as s:
        audit = [
            (a.action, a.actor, a.detail)
            for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]
        period = s.scalar(select(PayPeriod))
        assert period is not None and period.status is PayPeriodStatus.OPEN
    assert ("payroll.lock", "test") == audit[-2][:2]
    assert audit[-1][0] == "payroll.reopen" and audit[-1][2]["reason"] == "E1 bonus missing"
    second = payroll.run(pay_data={"E1": PayData(special_deductions=D(1000))})
    assert second != first
    with payroll.factory() as s:
        statuses = {r.run_id: r.status for r in list_runs(s)}
        assert statuses[first] is PayrollRunStatus.REOPENED
        changes = diff_runs(s, first, second).changes
    iit = next(c for c in changes if c.code == "iit")
    assert any(m[0] == "cumulative_special" for m in iit.moved)


def test_lock_refused_when_attendance_changed_after_the_run(payroll: Payroll) -> None:
    payroll.day("E1", date(2025, 3, 3))
    payroll.run()
    with payroll.factory.begin() as s:
        day = s.scalar(select(AttendanceDay))
        assert day is not None
        day.computed_at = datetime(2025, 5, 1, tzinfo=UTC)
    with payroll.factory.begin() as s, pytest.raises(InvalidData, match="changed after run"):
        lock_period(s, "WH", MARCH, clock=payroll.clock)


def test_february_continues_january_year_to_date(payroll: Payroll) -> None:
    with payroll.factory.begin() as s:
        s.get(Employee, payroll.ids["E1"]).base_pay = D(30000)  # type: ignore[union-attr]
    payroll.day("E1", date(2025, 1, 6))
    payroll.day("E1", date(2025, 2, 3))
    with payroll.factory.begin() as s:
        run_payroll(s, "WH", date(2025, 1, 1), templates=TEMPLATES, clock=payroll.clock)
        run_payroll(s, "WH", date(2025, 2, 1), templates=TEMPLATES, clock=payroll.clock)
    with payroll.factory() as s:
        jan = explain_payslip(s, "E1", date(2025, 1, 1))
        feb = explain_payslip(s, "E1", date(2025, 2, 1))
    feb_iit = next(li for li in feb.lines if li.code == "iit")
    inputs = {i.name: i.value for i in feb_iit.inputs}
    assert inputs["month_index"] == "2"
    assert inputs["withheld_before"] == str(jan.amount("iit"))
    assert json.loads(json.dumps(inputs))  # plain strings


def test_us_ca_site_prices_double_time_from_the_stored_days(
    session_factory: sessionmaker[Session],
) -> None:
    """The US policies re-evaluate the stored worked minutes to get each line's multiplier."""
    with session_factory.begin() as s:
        site = save_site(s, SiteIn("CA", "Fresno", "America/Los_Angeles", policy="us-ca"))
        emp = save_employee(
            s,
            site,
            EmployeeIn("U1", "Pat", date(2024, 1, 1), pay_basis=PayBasis.HOURLY, base_pay=D(20)),
        )
        for day, minutes in ((date(2025, 3, 3), 600), (date(2025, 3, 4), 780)):
            s.add(
                AttendanceDay(
                    employee_id=emp.id,
                    date=day,
                    status="present",
                    worked_minutes=minutes,
                    overtime_workday_minutes=minutes - 480,
                    trace=[],
                    computed_at=datetime(2025, 3, 31, tzinfo=UTC),
                )
            )
    with session_factory.begin() as s:
        run_payroll(s, "CA", MARCH, templates=TEMPLATES, clock=Clock())
    with session_factory() as s:
        slip = explain_payslip(s, "U1", MARCH)
    ot = sorted(li.amount for li in slip.lines if li.code == "overtime.workday")
    # Mon 10 h: 2 h x 1.5; Tue 13 h: 4 h x 1.5 and 1 h x 2 -> 6 h @ 30 = 180, 1 h @ 40 = 40
    assert ot == [D("40.00"), D("180.00")]
    assert slip.amount("base") == D("320.00")  # 16 regular hours x 20
    assert slip.amount("gross") == D("540.00")
    assert not [li for li in slip.lines if li.code.startswith(("si.", "hf.", "iit"))]


def test_bonus_taxed_apart_or_merged_as_chosen(payroll: Payroll) -> None:
    from hrcore.payroll.pay import ItemKind, PayItem

    bonus = (PayItem("bonus", "Annual bonus", ItemKind.ANNUAL_BONUS, D(36000)),)
    payroll.day("E1", date(2025, 3, 3))
    payroll.run(pay_data={"E1": PayData(items=bonus)})
    with payroll.factory() as s:
        apart = explain_payslip(s, "E1", MARCH)
    assert apart.amount("iit.bonus") == D("1080.00")
    payroll.run(pay_data={"E1": PayData(items=bonus, bonus_taxed_separately=False)})
    with payroll.factory() as s:
        merged = explain_payslip(s, "E1", MARCH)
    assert merged.amount("iit.bonus") == D("0.00")
    assert merged.amount("gross") == apart.amount("gross") + D(36000)


def test_a_reopened_month_still_counts_until_it_is_run_again(payroll: Payroll) -> None:
    with payroll.factory.begin() as s:
        s.get(Employee, payroll.ids["E1"]).base_pay = D(30000)  # type: ignore[union-attr]
    payroll.day("E1", date(2025, 1, 6))
    payroll.day("E1", date(2025, 2, 3))
    jan = date(2025, 1, 1)
    with payroll.factory.begin() as s:
        run_payroll(s, "WH", jan, templates=TEMPLATES, clock=payroll.clock)
        lock_period(s, "WH", jan, clock=payroll.clock)
        locked = reopen_period(s, "WH", jan, "check E1", clock=payroll.clock)
    with payroll.factory() as s:
        slip = explain_payslip(s, "E1", jan)
        assert (slip.run_id, slip.run_status) == (locked, PayrollRunStatus.REOPENED)
        assert current_run_id(s, "WH", jan) == locked
    with payroll.factory.begin() as s:
        run_payroll(s, "WH", date(2025, 2, 1), templates=TEMPLATES, clock=payroll.clock)
    with payroll.factory() as s:
        feb = explain_payslip(s, "E1", date(2025, 2, 1))
    inputs = {i.name: i.value for i in next(li for li in feb.lines if li.code == "iit").inputs}
    assert inputs["month_index"] == "2"  # January (reopened, not re-run) still counts
