"""Punches to payslip, and what a lock does to attendance: a late punch after the lock does
not change the paid day (it is flagged for review) and the next run stops on it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from hrcore.models import Employee, Site
from hrcore.payroll.templates import load_templates
from hrcore.store.payroll import (
    PayrollBlocked,
    explain_payslip,
    lock_period,
    reopen_period,
    run_payroll,
)
from tests.hrcore.store.attendance.seed import compute, days_of, make_store

TEMPLATES = load_templates(Path(__file__).resolve().parents[3] / "config" / "policies" / "cn")
MARCH = date(2025, 3, 1)


def test_lock_protects_the_paid_attendance(session_factory: sessionmaker[Session]) -> None:
    store = make_store(session_factory, employees=("E1",))
    with session_factory.begin() as s:
        site = s.get(Site, store.site_id)
        emp = s.get(Employee, store.employee_ids["E1"])
        assert site is not None and emp is not None
        site.city = "Shanghai"
        emp.base_pay = Decimal("8700.00")
    store.punch("1", "2025-03-06T08:55:00")
    store.punch("1", "2025-03-06T20:00:00")  # 2 h after the 18:00 end
    compute(store, date(2025, 3, 6), date(2025, 3, 6))
    with session_factory.begin() as s:
        run_payroll(s, "WH1", MARCH, templates=TEMPLATES, clock=store.clock)
    with session_factory() as s:
        assert explain_payslip(s, "E1", MARCH).amount("overtime.workday") == Decimal("150.00")
    store.clock.advance()
    with session_factory.begin() as s:
        lock_period(s, "WH1", MARCH, clock=store.clock)

    store.clock.advance()
    store.punch("1", "2025-03-06T21:00:00")  # a late upload after the lock
    store.clock.advance()
    compute(store, date(2025, 3, 6), date(2025, 3, 6))
    day = days_of(store, "E1")[date(2025, 3, 6)]
    assert day.needs_review
    assert day.overtime_workday_minutes == 120  # the paid figure is kept

    store.clock.advance()
    with session_factory.begin() as s:
        reopen_period(s, "WH1", MARCH, "late punch of E1", clock=store.clock)
    with session_factory.begin() as s, pytest.raises(PayrollBlocked, match="need review"):
        run_payroll(s, "WH1", MARCH, templates=TEMPLATES, clock=store.clock)
